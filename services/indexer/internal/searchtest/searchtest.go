// Package searchtest is the one test suite of the search HTTP API that every
// index backend (embedded bleve, PostgreSQL) must pass: the same requests,
// the same answers.
package searchtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
	"github.com/newsflow/newsflow/services/indexer/internal/searchapi"
)

// Store is an index backend under test: the API's Searcher plus writes.
type Store interface {
	searchapi.Searcher
	Upsert(ctx context.Context, arts ...*events.Article) error
}

// Article builds a valid article for tests.
func Article(t testing.TB, rawURL, domain, lang, title, text, published string) *events.Article {
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

// Corpus is the suite's articles: 0 (rt.com) with its near-duplicates 3 and
// 4 (wire copies on other sites), 1 (bbc, en-GB, "volcano" in the body
// only) and 2 (French).
func Corpus(t testing.TB) []*events.Article {
	arts := []*events.Article{
		Article(t, "https://www.rt.com/news/1-volcano/", "rt.com", "en", "Volcano erupts in Iceland",
			"Lava fountains rose near Grindavik & residents left.", "2026-11-01T10:00:00Z"),
		Article(t, "https://www.bbc.co.uk/news/2", "bbc.co.uk", "en-GB", "Markets rally",
			"Airlines fell after reports of a volcano, then recovered.", "2026-11-03T08:00:00Z"),
		Article(t, "https://www.lemonde.fr/3", "lemonde.fr", "fr", "Le volcan se réveille",
			"Une éruption volcanique a commencé.", "2026-10-20T12:00:00Z"),
		Article(t, "https://example.org/wire/4", "example.org", "en", "Volcano erupts in Iceland, residents flee",
			"Lava fountains rose near Grindavik and residents left.", "2026-11-01T11:00:00Z"),
		Article(t, "https://news.example/5", "news.example", "en", "Iceland volcano erupts",
			"Residents left as lava fountains rose near Grindavik.", "2026-11-01T12:00:00Z"),
	}
	arts[0].Source.Name = "RT"
	arts[0].Authors = []string{"Jane Doe"}
	arts[0].Tags = []string{"Iceland"}
	arts[0].SimHash = "00000000000000ff"
	arts[1].SimHash = "ffff000000000000"
	arts[2].SimHash = "0f0f0f0f0f0f0f0f"
	arts[3].SimHash = "00000000000000fe" // 1 bit from 0
	arts[4].SimHash = "00000000000001ff" // 1 bit from 0
	return arts
}

// Run runs the suite; open returns an empty store, closed by t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) Store) {
	st := open(t)
	arts := Corpus(t)
	if err := st.Upsert(context.Background(), arts...); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(searchapi.Handler(st, zaptest.NewLogger(t)))
	t.Cleanup(srv.Close)
	t.Run("Search", func(t *testing.T) { testSearch(t, srv.URL, arts) })
	t.Run("HitJSON", func(t *testing.T) { testHitJSON(t, srv.URL, arts) })
	t.Run("Facets", func(t *testing.T) { testFacets(t, srv.URL) })
	t.Run("Stats", func(t *testing.T) { testStats(t, srv.URL) })
	t.Run("Article", func(t *testing.T) { testArticle(t, srv.URL, arts) })
	t.Run("Errors", func(t *testing.T) { testErrors(t, srv.URL) })
}

// Get fetches u and returns the status, headers and body.
func Get(t *testing.T, u string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func testSearch(t *testing.T, base string, arts []*events.Article) {
	id := func(is ...int) []string {
		out := []string{}
		for _, i := range is {
			out = append(out, arts[i].ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		params string
		want   []string // ids in order
		total  int      // when not len(want)
		dups   map[string][]string
	}{
		{name: "near-duplicates collapsed into the first", params: "q=volcano&sort=newest", want: id(1, 4), total: 4,
			dups: map[string][]string{arts[4].ID: id(3, 0)}},
		{name: "expand", params: "q=volcano&sort=newest&expand=true", want: id(1, 4, 3, 0)},
		{name: "title ranks above body", params: "q=volcano+source:rt.com+OR+source:bbc.co.uk", want: id(0, 1)},
		{name: "source", params: "q=volcano&source=BBC.co.uk", want: id(1)},
		{name: "lang matches regions", params: "lang=en&sort=newest", want: id(1, 4), total: 4,
			dups: map[string][]string{arts[4].ID: id(3, 0)}},
		{name: "dates as days, to inclusive", params: "from=2026-11-01&to=2026-11-01&sort=newest&expand=1", want: id(4, 3, 0)},
		{name: "dates as RFC 3339", params: "from=2026-10-01T00:00:00%2B02:00&to=2026-11-01T10:00:00Z", want: id(2)},
		{name: "sort newest", params: "sort=newest&expand=true", want: id(1, 4, 3, 0, 2)},
		{name: "paging counts collapsed hits", params: "sort=newest&page=2&size=1", want: id(4), total: 5,
			dups: map[string][]string{arts[4].ID: id(3, 0)}},
		{name: "page past the end", params: "sort=newest&page=9&size=1", want: id(), total: 5},
		{name: "nothing", params: "q=chess", want: id()},
		{name: "all words must match", params: "q=volcano+chess", want: id()},
		{name: "stop words only", params: "q=the+of", want: id()},
		{name: "phrase", params: "q=" + url.QueryEscape(`"lava fountains"`) + "&sort=newest&expand=1", want: id(4, 3, 0)},
		{name: "phrase in order only", params: "q=" + url.QueryEscape(`"fountains lava"`), want: id()},
		{name: "exclusion", params: "q=volcano+-airlines&sort=newest&expand=1", want: id(4, 3, 0)},
		{name: "excluded phrase", params: "q=" + url.QueryEscape(`volcano -"residents flee"`) + "&sort=newest&expand=1", want: id(1, 4, 0)},
		{name: "OR", params: "q=airlines+OR+chess&sort=newest", want: id(1)},
		{name: "OR across languages", params: "q=airlines+OR+volcanique&sort=newest", want: id(1, 2)},
		{name: "field filter in the query", params: "q=source:rt.com", want: id(0)},
		{name: "excluded field", params: "q=-source:rt.com+grindavik&sort=newest&expand=1", want: id(4, 3)},
		{name: "author in the query", params: "q=" + url.QueryEscape(`author:"jane doe"`), want: id(0)},
		{name: "author parameter", params: "author=Jane+Doe", want: id(0)},
		{name: "tag parameter", params: "tag=iceland", want: id(0)},
		{name: "title field", params: "q=title:flee", want: id(3)},
		{name: "stemming", params: "q=erupting+fountain&sort=newest&expand=1", want: id(4, 3, 0)},
		{name: "french analysis", params: "q=volcaniques&lang=fr", want: id(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := Get(t, base+"/v1/search?"+tc.params)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			var res search.Result
			if err := json.Unmarshal(body, &res); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, h := range res.Hits {
				got = append(got, h.ID)
				var want []string
				if tc.dups != nil {
					want = tc.dups[h.ID]
				}
				var gotDups []string
				if h.Duplicates != nil {
					gotDups = h.Duplicates.IDs
					if h.Duplicates.Count != len(gotDups) {
						t.Errorf("hit %s: duplicates count %d, ids %v", h.ID, h.Duplicates.Count, gotDups)
					}
				}
				if !slices.Equal(gotDups, want) {
					t.Errorf("hit %s: duplicates %v, want %v", h.ID, gotDups, want)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("hits %v, want %v\n%s", got, tc.want, body)
			}
			total := tc.total
			if total == 0 {
				total = len(tc.want)
			}
			if res.Total != uint64(total) {
				t.Errorf("total %d, want %d", res.Total, total)
			}
			if !strings.Contains(string(body), `"hits":[`) {
				t.Errorf("hits is not a JSON array: %s", body)
			}
		})
	}
}

func testHitJSON(t *testing.T, base string, arts []*events.Article) {
	status, _, body := Get(t, base+"/v1/search?q=grindavik&source=rt.com")
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
		"language":     `"en"`,
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

func facetMap(fs []search.FacetValue) map[string]uint64 {
	m := map[string]uint64{}
	for _, f := range fs {
		m[f.Value] = f.Count
	}
	return m
}

func testFacets(t *testing.T, base string) {
	status, _, body := Get(t, base+"/v1/search?q=volcano")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var res search.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if got, want := facetMap(res.Facets.Source), map[string]uint64{"rt.com": 1, "bbc.co.uk": 1, "example.org": 1, "news.example": 1}; !mapsEqual(got, want) {
		t.Errorf("source facet %v, want %v", got, want)
	}
	if got, want := facetMap(res.Facets.Language), map[string]uint64{"en": 3, "en-gb": 1}; !mapsEqual(got, want) {
		t.Errorf("language facet %v, want %v", got, want)
	}
	want := []search.FacetValue{{Value: "2026-11-03", Count: 1}, {Value: "2026-11-01", Count: 3}}
	if !slices.Equal(res.Facets.Day, want) {
		t.Errorf("day facet %v, want %v (newest first)", res.Facets.Day, want)
	}
}

func mapsEqual(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func testStats(t *testing.T, base string) {
	status, _, body := Get(t, base+"/v1/stats")
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var st search.Stats
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Articles != 5 || st.Backend == "" || st.Newest == nil || !st.Newest.Equal(time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("stats %s", body)
	}
	if got := facetMap(st.Languages); got["en"] != 3 || got["fr"] != 1 || got["en-gb"] != 1 {
		t.Errorf("languages %v", got)
	}
	if got := facetMap(st.Sources); len(got) != 5 || got["rt.com"] != 1 {
		t.Errorf("sources %v", got)
	}
}

func testArticle(t *testing.T, base string, arts []*events.Article) {
	status, h, body := Get(t, base+"/v1/articles/"+arts[0].ID)
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
}

func testErrors(t *testing.T, base string) {
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
		{"bad expand", "GET", "/v1/search?expand=maybe", 400, "expand must be"},
		{"query too long", "GET", "/v1/search?q=" + strings.Repeat("a", 600), 400, "longer than"},
		{"author too long", "GET", "/v1/search?author=" + strings.Repeat("a", 300), 400, "author is longer"},
		{"unknown route", "GET", "/v1/nope", 404, "no such route"},
		{"wrong method", "POST", "/v1/search", 405, "method not allowed"},
		{"wrong method on stats", "DELETE", "/v1/stats", 405, "method not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, base+tc.path, nil)
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
