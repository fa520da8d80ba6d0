package searchapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
)

func mkArticle(t *testing.T, rawURL, domain, lang, title, text, published string) *events.Article {
	t.Helper()
	canon, err := events.CanonicalURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	id, err := events.ArticleID(canon)
	if err != nil {
		t.Fatal(err)
	}
	a := &events.Article{
		SchemaVersion: events.SchemaVersion,
		ID:            id,
		URL:           rawURL,
		CanonicalURL:  canon,
		Source:        events.Source{Domain: domain},
		Title:         title,
		Text:          text,
		Language:      lang,
		FetchedAt:     time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC),
		ContentHash:   strings.Repeat("ab", 32),
		Extraction:    events.Extraction{Method: "dom", Version: "test"},
	}
	if published != "" {
		p, err := time.Parse(time.RFC3339, published)
		if err != nil {
			t.Fatal(err)
		}
		a.PublishedAt = &p
	}
	return a
}

// server starts the API over a real index holding three articles.
func server(t *testing.T) (*httptest.Server, []*events.Article) {
	t.Helper()
	ix, err := index.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	arts := []*events.Article{
		mkArticle(t, "https://www.rt.com/news/1-volcano/", "rt.com", "en", "Volcano erupts in Iceland",
			"Lava fountains rose near Grindavik & residents left.", "2026-11-01T10:00:00Z"),
		mkArticle(t, "https://www.bbc.co.uk/news/2", "bbc.co.uk", "en-GB", "Markets rally",
			"Airlines fell after reports of a volcano, then recovered.", "2026-11-03T08:00:00Z"),
		mkArticle(t, "https://www.lemonde.fr/3", "lemonde.fr", "fr", "Le volcan se réveille",
			"Une éruption a commencé.", "2026-10-20T12:00:00Z"),
	}
	arts[0].Source.Name = "RT"
	arts[0].Authors = []string{"Jane Doe"}
	if err := ix.Upsert(context.Background(), arts...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(ix, zaptest.NewLogger(t)))
	t.Cleanup(srv.Close)
	return srv, arts
}

func get(t *testing.T, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestSearch(t *testing.T) {
	srv, arts := server(t)
	for _, tc := range []struct {
		name   string
		params url.Values
		want   []string // ids in order
	}{
		{"words", url.Values{"q": {"volcano"}}, []string{arts[0].ID, arts[1].ID}},
		{"source", url.Values{"q": {"volcano"}, "source": {"BBC.co.uk"}}, []string{arts[1].ID}},
		{"lang", url.Values{"lang": {"en"}, "sort": {"newest"}}, []string{arts[1].ID, arts[0].ID}},
		{"dates as days, to inclusive", url.Values{"from": {"2026-11-01"}, "to": {"2026-11-01"}}, []string{arts[0].ID}},
		{"dates as RFC 3339", url.Values{"from": {"2026-10-01T00:00:00+02:00"}, "to": {"2026-11-01T10:00:00Z"}}, []string{arts[2].ID}},
		{"sort newest", url.Values{"sort": {"newest"}}, []string{arts[1].ID, arts[0].ID, arts[2].ID}},
		{"paging", url.Values{"sort": {"newest"}, "page": {"2"}, "size": {"1"}}, []string{arts[0].ID}},
		{"nothing", url.Values{"q": {"chess"}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := get(t, srv.URL+"/v1/search?"+tc.params.Encode())
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			var res index.Result
			if err := json.Unmarshal(body, &res); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("hits %v, want %v\n%s", got, tc.want, body)
			}
			if tc.name != "paging" && res.Total != uint64(len(tc.want)) {
				t.Errorf("total %d, want %d", res.Total, len(tc.want))
			}
			if !strings.Contains(string(body), `"hits":[`) {
				t.Errorf("hits is not a JSON array: %s", body)
			}
		})
	}
}

func TestSearchHitJSON(t *testing.T) {
	srv, arts := server(t)
	status, _, body := get(t, srv.URL+"/v1/search?q=grindavik")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var raw struct {
		Total uint64                       `json:"total"`
		Took  string                       `json:"took"`
		Hits  []map[string]json.RawMessage `json:"hits"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Total != 1 || len(raw.Hits) != 1 || raw.Took == "" {
		t.Fatalf("result %s", body)
	}
	h := raw.Hits[0]
	want := map[string]string{
		"id":           `"` + arts[0].ID + `"`,
		"title":        `"Volcano erupts in Iceland"`,
		"url":          `"https://www.rt.com/news/1-volcano/"`,
		"source":       `{"name":"RT","domain":"rt.com"}`,
		"published_at": `"2026-11-01T10:00:00Z"`,
		"snippet":      `"Lava fountains rose near <mark>Grindavik</mark> &amp; residents left."`,
	}
	for k, v := range want {
		if string(h[k]) != v {
			t.Errorf("%s = %s, want %s", k, h[k], v)
		}
	}
	if _, ok := h["score"]; !ok {
		t.Error("no score")
	}
}

func TestArticle(t *testing.T) {
	srv, arts := server(t)
	status, h, body := get(t, srv.URL+"/v1/articles/"+arts[0].ID)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	want, err := events.Encode(arts[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(body)) != string(want) {
		t.Errorf("body %s\nwant %s", body, want)
	}
	got, err := events.DecodeArticle(body)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != arts[0].ID || got.Authors[0] != "Jane Doe" {
		t.Errorf("article %+v", got)
	}
}

func TestErrors(t *testing.T) {
	srv, _ := server(t)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		status int
		msg    string // substring of the error
	}{
		{"unknown id", "GET", "/v1/articles/0123456789abcdef0123456789abcdef", 404, "article not found"},
		{"id too long", "GET", "/v1/articles/" + strings.Repeat("a", 200), 400, "bad article id"},
		{"size not a number", "GET", "/v1/search?q=x&size=ten", 400, "size must be a positive integer"},
		{"size zero", "GET", "/v1/search?size=0", 400, "size"},
		{"size too big", "GET", "/v1/search?size=1000", 400, "size must be 1..100"},
		{"page negative", "GET", "/v1/search?page=-1", 400, "page"},
		{"page too deep", "GET", "/v1/search?page=5000&size=100", 400, "deeper than"},
		{"bad from", "GET", "/v1/search?from=yesterday", 400, "from must be an RFC 3339 time or a YYYY-MM-DD date"},
		{"bad to", "GET", "/v1/search?to=2026-13-01", 400, "to must be"},
		{"from after to", "GET", "/v1/search?from=2026-11-02&to=2026-11-01", 400, "from must be before to"},
		{"bad sort", "GET", "/v1/search?sort=oldest", 400, "sort must be"},
		{"query too long", "GET", "/v1/search?q=" + strings.Repeat("a", 600), 400, "longer than"},
		{"unknown route", "GET", "/v1/nope", 404, "no such route"},
		{"wrong method", "POST", "/v1/search", 405, "method not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("body %q is not a JSON error: %v", body, err)
			}
			if !strings.Contains(e.Error, tc.msg) {
				t.Errorf("error %q lacks %q", e.Error, tc.msg)
			}
		})
	}
}

func TestInternalErrorHidesDetails(t *testing.T) {
	// A closed index fails every call: the client sees a plain 500.
	ix, err := index.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(ix, zaptest.NewLogger(t)))
	defer srv.Close()
	for _, p := range []string{"/v1/search?q=x", "/v1/articles/abc"} {
		status, _, body := get(t, srv.URL+p)
		if status != http.StatusInternalServerError || strings.TrimSpace(string(body)) != `{"error":"internal error"}` {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
}
