package events_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

func TestCanonicalURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://www.rt.com/news/391130-coalition/?utm_source=rss&utm_medium=rss&utm_campaign=RSS", "https://www.rt.com/news/391130-coalition/"},
		{"HTTPS://WWW.RT.COM:443/news/a#comments", "https://www.rt.com/news/a"},
		{"http://example.com:80", "http://example.com/"},
		{"http://example.com:8080/a?b=2&a=1&fbclid=x&gclid=y", "http://example.com:8080/a?a=1&b=2"},
		{"https://example.com/a?utm_content=x&id=7&UTM_TERM=y", "https://example.com/a?id=7"},
		{"https://user:pw@example.com./a?", "https://example.com/a"},
		{"https://[::1]:443/x", "https://[::1]/x"},
	}
	for _, c := range cases {
		got, err := events.CanonicalURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "ftp://example.com/a", "/relative/path", "https://", "javascript:alert(1)"} {
		if got, err := events.CanonicalURL(bad); err == nil {
			t.Errorf("CanonicalURL(%q) = %q, want an error", bad, got)
		}
	}
}

func TestArticleIDIsStable(t *testing.T) {
	same := []string{
		"https://www.rt.com/news/391130-coalition/",
		"http://www.rt.com/news/391130-coalition/?utm_source=rss",
		"https://WWW.RT.COM:443/news/391130-coalition/#top",
	}
	want, err := events.ArticleID(same[0])
	if err != nil || len(want) != 32 {
		t.Fatalf("ArticleID = %q, %v", want, err)
	}
	for _, u := range same[1:] {
		if got, _ := events.ArticleID(u); got != want {
			t.Errorf("ArticleID(%q) = %q, want %q", u, got, want)
		}
	}
	if other, _ := events.ArticleID("https://www.rt.com/news/391131-other/"); other == want {
		t.Error("different stories share an id")
	}
}

func TestSourceToken(t *testing.T) {
	cases := []struct{ url, domain, token string }{
		{"https://www.rt.com/news/x", "rt.com", "rt_com"},
		{"https://news.bbc.co.uk/a", "bbc.co.uk", "bbc_co_uk"},
		{"http://127.0.0.1:8080/a", "127.0.0.1", "127_0_0_1"},
		{"http://localhost/a", "localhost", "localhost"},
		{"https://www.dailyplanet.example/a", "dailyplanet.example", "dailyplanet_example"},
	}
	for _, c := range cases {
		d, err := events.RegistrableDomain(c.url)
		if err != nil || d != c.domain {
			t.Errorf("RegistrableDomain(%q) = %q, %v; want %q", c.url, d, err, c.domain)
		}
		if tok := events.SourceTokenOf(c.url); tok != c.token {
			t.Errorf("SourceTokenOf(%q) = %q, want %q", c.url, tok, c.token)
		}
	}
	if tok := events.SourceToken("a.b*c>d e"); strings.ContainsAny(tok, ".*> ") {
		t.Errorf("SourceToken left a subject metacharacter: %q", tok)
	}
}

func validArticle() *events.Article {
	u := "https://www.rt.com/news/391130-coalition/"
	id, _ := events.ArticleID(u)
	pub := time.Date(2017, 6, 6, 23, 36, 0, 0, time.FixedZone("MSK", 3*3600))
	return &events.Article{
		SchemaVersion: events.SchemaVersion, ID: id, URL: u, CanonicalURL: u,
		Source: events.Source{Name: "RT", Domain: "rt.com"}, Title: "Headline",
		PublishedAt: &pub, FetchedAt: time.Now(), Text: "One.\n\nTwo.",
		ContentHash: strings.Repeat("ab", 32), Extraction: events.Extraction{Method: "dom", Version: "1"},
	}
}

func TestArticleRoundTrip(t *testing.T) {
	a := validArticle()
	data, err := events.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"published_at":"2017-06-06T20:36:00Z"`) {
		t.Errorf("published_at not RFC 3339 UTC: %s", data)
	}
	got, err := events.DecodeArticle(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.Title != a.Title || !got.PublishedAt.Equal(*a.PublishedAt) || got.Text != a.Text {
		t.Errorf("round trip changed the article: %+v", got)
	}
	if a.Subject() != "news.articles.v1.rt_com" {
		t.Errorf("subject = %q", a.Subject())
	}
	if id := a.MsgID(); !strings.HasPrefix(id, "article."+a.ID+".") {
		t.Errorf("msg id = %q", id)
	}
}

func TestValidationRejects(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(a *events.Article)
		target error
	}{
		{"no id", func(a *events.Article) { a.ID = "" }, events.ErrInvalid},
		{"id not from canonical", func(a *events.Article) { a.ID = "0123" }, events.ErrInvalid},
		{"bad url", func(a *events.Article) { a.URL = "ftp://x/y" }, events.ErrInvalid},
		{"no title nor text", func(a *events.Article) { a.Title, a.Text = "", "" }, events.ErrInvalid},
		{"no source", func(a *events.Article) { a.Source.Domain = "" }, events.ErrInvalid},
		{"no fetched_at", func(a *events.Article) { a.FetchedAt = time.Time{} }, events.ErrInvalid},
		{"future schema", func(a *events.Article) { a.SchemaVersion = 2 }, events.ErrSchemaVersion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := validArticle()
			c.mutate(a)
			if _, err := events.Encode(a); !errors.Is(err, c.target) {
				t.Errorf("Encode: %v, want %v", err, c.target)
			}
		})
	}
	for _, data := range []string{``, `{`, `[]`, `{"schema_version":1}`, `{"schema_version":"1"}`} {
		if _, err := events.DecodeArticle([]byte(data)); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("DecodeArticle(%q) = %v, want ErrInvalid", data, err)
		}
	}
}

func TestHeadersAreCloudEventsBinaryMode(t *testing.T) {
	a := validArticle()
	h := events.Headers(a, "/newsflow/parser", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	want := map[string]string{
		events.HeaderMsgID:       a.MsgID(),
		events.HeaderSpecVersion: "1.0",
		events.HeaderType:        events.TypeArticle,
		events.HeaderSource:      "/newsflow/parser",
		events.HeaderID:          a.MsgID(),
		events.HeaderTime:        a.FetchedAt.UTC().Format(time.RFC3339Nano),
		events.HeaderContentType: "application/json",
		events.HeaderTraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
	}
	for k, v := range want {
		if got := h[k]; len(got) != 1 || got[0] != v {
			t.Errorf("header %s = %v, want %q", k, got, v)
		}
	}
}

func TestFeedItemAndPageValidate(t *testing.T) {
	now := time.Now()
	it := &events.FeedItem{SchemaVersion: 1, ID: events.ItemID("https://f.example/rss", "g1"), ArticleID: "a",
		FeedURL: "https://f.example/rss", URL: "https://f.example/a", DiscoveredAt: now}
	if err := it.Validate(); err != nil {
		t.Fatal(err)
	}
	if it.Subject() != "news.items.v1.f_example" || it.MsgID() != "item."+it.ID {
		t.Errorf("subject %q msg id %q", it.Subject(), it.MsgID())
	}
	p := &events.Page{SchemaVersion: 1, ID: "a", URL: it.URL, FetchedAt: now, Item: it}
	if _, err := events.Encode(p); err != nil {
		t.Fatal(err)
	}
	p.Item = &events.FeedItem{SchemaVersion: 1}
	if _, err := events.Encode(p); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("page with an invalid item: %v", err)
	}
	if events.ItemID("f", "k") != events.ItemID("f", "k") || events.ItemID("f", "k") == events.ItemID("g", "k") {
		t.Error("ItemID is not stable or not feed-scoped")
	}
}

func FuzzDecodeArticle(f *testing.F) {
	good, _ := events.Encode(validArticle())
	f.Add(good)
	f.Add([]byte(`{"schema_version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := events.DecodeArticle(data)
		if err != nil {
			return
		}
		if _, err := events.Encode(a); err != nil {
			t.Fatalf("decoded article does not re-encode: %v", err)
		}
	})
}
