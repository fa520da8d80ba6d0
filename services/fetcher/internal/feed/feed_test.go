package feed

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

const rtFeedURL = "https://www.rt.com/rss/news/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkItems asserts what must hold for every item Parse returns.
func checkItems(t *testing.T, f *Feed, feedURL string, now time.Time) {
	t.Helper()
	for i := range f.Items {
		it := &f.Items[i]
		if err := it.Validate(); err != nil {
			t.Errorf("item %d: %v", i, err)
		}
		if it.FeedURL != feedURL {
			t.Errorf("item %d: FeedURL %q", i, it.FeedURL)
		}
		if !it.DiscoveredAt.Equal(now) || it.DiscoveredAt.Location() != time.UTC {
			t.Errorf("item %d: DiscoveredAt %v, want %v in UTC", i, it.DiscoveredAt, now)
		}
		for _, tm := range []*time.Time{it.PublishedAt, it.UpdatedAt} {
			if tm != nil && tm.Location() != time.UTC {
				t.Errorf("item %d: time %v not in UTC", i, tm)
			}
		}
		if u, err := url.Parse(it.URL); err == nil {
			for k := range u.Query() {
				if strings.HasPrefix(strings.ToLower(k), "utm_") || strings.EqualFold(k, "fbclid") {
					t.Errorf("item %d: tracking parameter %s left in %s", i, k, it.URL)
				}
			}
		}
		if canon, err := events.CanonicalURL(it.URL); err != nil || canon != it.URL {
			t.Errorf("item %d: URL %s is not canonical (%s, %v)", i, it.URL, canon, err)
		}
		if want, _ := events.ArticleID(it.URL); it.ArticleID != want {
			t.Errorf("item %d: ArticleID %s, want ArticleID(URL) %s", i, it.ArticleID, want)
		}
		if _, err := json.Marshal(it); err != nil {
			t.Errorf("item %d does not encode: %v", i, err)
		}
	}
}

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file      string
		feedURL   string
		wantErr   []error // every one must match
		title     string
		items     int
		skipped   int
		ttl       time.Duration
		maxTitle  int // 0: unchecked
		published bool
	}{
		{file: "feeds/rt.rss", feedURL: rtFeedURL, title: "RT - Daily news", items: 4, skipped: 2, ttl: 15 * time.Minute},
		{file: "feeds/atom.xml", feedURL: "https://news.example.org/atom.xml", title: "Example Atom News", items: 2},
		{file: "feeds/feed.json", feedURL: "https://json.example.com/feed.json", title: "Example JSON Feed", items: 2, skipped: 1},
		{file: "feeds/garbage-date.rss", feedURL: "https://dates.example.net/rss", title: "Dates from nowhere", items: 2},
		{file: "feeds/cp1251.xml", feedURL: "https://example.ru/rss", title: "Новости дня", items: 1},
		{file: "feeds/billion-laughs.xml", feedURL: "https://lol.example.com/rss", items: 1, maxTitle: 100},
		{file: "feeds/malformed.xml", feedURL: "https://broken.example.com/rss", wantErr: []error{ErrNotAFeed, ErrMalformed}},
		{file: "pages/rt-article.html", feedURL: rtFeedURL, wantErr: []error{ErrNotAFeed}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := readFixture(t, tt.file)
			now := time.Date(2017, 6, 6, 21, 0, 0, 0, time.UTC)
			start := time.Now()
			f, err := Parse(body, tt.feedURL, now)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Parse took %s", d)
			}
			if tt.wantErr != nil {
				for _, w := range tt.wantErr {
					if !errors.Is(err, w) {
						t.Errorf("err = %v, want %v", err, w)
					}
				}
				if err != nil && !strings.Contains(err.Error(), tt.feedURL) {
					t.Errorf("error %q does not name the feed", err)
				}
				if f != nil {
					t.Errorf("feed = %+v with an error", f)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.title != "" && f.Title != tt.title {
				t.Errorf("Title = %q, want %q", f.Title, tt.title)
			}
			if len(f.Items) != tt.items || f.Skipped != tt.skipped || f.TTL != tt.ttl {
				t.Errorf("items=%d skipped=%d ttl=%s, want %d %d %s", len(f.Items), f.Skipped, f.TTL, tt.items, tt.skipped, tt.ttl)
			}
			if tt.maxTitle > 0 {
				for _, it := range f.Items {
					if len(it.Title)+len(it.Description) > tt.maxTitle {
						t.Errorf("entities expanded: title %d bytes, description %d bytes", len(it.Title), len(it.Description))
					}
				}
			}
			checkItems(t, f, tt.feedURL, now)

			// A second poll, later, yields the same ids: only DiscoveredAt moves.
			again, err := Parse(body, tt.feedURL, now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Items) != len(f.Items) {
				t.Fatalf("second parse: %d items, first %d", len(again.Items), len(f.Items))
			}
			for i := range f.Items {
				a, b := f.Items[i], again.Items[i]
				if a.ID != b.ID || a.ArticleID != b.ArticleID {
					t.Errorf("item %d: ids changed between parses: %s/%s vs %s/%s", i, a.ID, a.ArticleID, b.ID, b.ArticleID)
				}
				b.DiscoveredAt = a.DiscoveredAt
				if !reflect.DeepEqual(a, b) {
					t.Errorf("item %d differs between parses:\n%+v\n%+v", i, a, b)
				}
			}
		})
	}
}

func TestParseRTItem(t *testing.T) {
	now := time.Date(2017, 6, 6, 21, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	f, err := Parse(readFixture(t, "feeds/rt.rss"), rtFeedURL, now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Link != "https://www.rt.com" {
		t.Errorf("Link = %q", f.Link)
	}
	const clean = "https://www.rt.com/news/391130-coalition-strike-syria-tanf/"
	published := time.Date(2017, 6, 6, 20, 36, 0, 0, time.UTC)
	wantArticleID, _ := events.ArticleID(clean)
	want := events.FeedItem{
		SchemaVersion: events.SchemaVersion,
		ID:            events.ItemID(rtFeedURL, clean), // the GUID is the key
		ArticleID:     wantArticleID,
		FeedURL:       rtFeedURL,
		FeedTitle:     "RT - Daily news",
		GUID:          clean,
		URL:           clean,
		Title:         "US-led coalition strikes pro-govt forces near Syria's At Tanf, citing 'threat'",
		Authors:       []string{"RT"},
		Categories:    []string{"News"},
		Image:         "https://cdni.rt.com/files/2017.06/article/5936f0b1c3618843758b4593.jpg",
		PublishedAt:   &published,
		DiscoveredAt:  now.UTC(),
	}
	got := f.Items[0]
	if !strings.Contains(got.Description, "near the At Tanf border crossing") || !strings.HasPrefix(got.Description, "<img") {
		t.Errorf("Description = %q", got.Description)
	}
	if !strings.HasPrefix(got.Content, "<p>The US-led coalition") {
		t.Errorf("Content (content:encoded) = %q", got.Content)
	}
	got.Description, got.Content = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("item:\n got %+v\nwant %+v", got, want)
	}
	if got.PublishedAt.Location() != time.UTC {
		t.Errorf("PublishedAt in %v", got.PublishedAt.Location())
	}

	byTitle := map[string]events.FeedItem{}
	for _, it := range f.Items {
		byTitle[it.Title] = it
	}
	if it := byTitle["Qatar crisis: Gulf states cut ties"]; it.PublishedAt == nil || !it.PublishedAt.Equal(time.Date(2017, 6, 6, 11, 5, 0, 0, time.UTC)) {
		t.Errorf("+0300 date not converted to UTC: %v", it.PublishedAt)
	}
	rel := byTitle["Relative link, no guid"]
	if rel.URL != "https://www.rt.com/news/391000-relative-link/" {
		t.Errorf("relative link resolved to %q", rel.URL)
	}
	if rel.ID != events.ItemID(rtFeedURL, rel.URL) {
		t.Error("without a GUID the key must be the canonical link")
	}
	if g := byTitle["Item whose only link is its permalink guid"]; g.URL != "https://www.rt.com/news/391002-guid-only/" {
		t.Errorf("permalink guid not used as link: %q", g.URL)
	}
	for _, skipped := range []string{"Podcast-style item without a link", "Javascript link"} {
		if _, ok := byTitle[skipped]; ok {
			t.Errorf("%q should be skipped", skipped)
		}
	}
}

func TestParseAtomAndJSON(t *testing.T) {
	now := time.Date(2017, 6, 7, 0, 0, 0, 0, time.UTC)
	atom, err := Parse(readFixture(t, "feeds/atom.xml"), "https://news.example.org/atom.xml", now)
	if err != nil {
		t.Fatal(err)
	}
	a := atom.Items[0]
	checks := []struct{ name, got, want string }{
		{"atom url", a.URL, "https://news.example.org/2017/06/budget?id=7"},
		{"atom title", a.Title, "Parliament passes budget & tax bill"},
		{"atom guid", a.GUID, "tag:news.example.org,2017:budget-7"},
		{"atom content", a.Content, "<p>The parliament passed the <b>budget</b> on Tuesday.</p>"},
		{"atom description", a.Description, "The parliament passed the budget."},
		{"atom image", a.Image, "https://news.example.org/media/budget.png"},
		{"atom published", a.PublishedAt.Format(time.RFC3339), "2017-06-06T20:36:00Z"},
		{"atom updated", a.UpdatedAt.Format(time.RFC3339), "2017-06-07T06:00:00Z"},
		{"atom authors", strings.Join(a.Authors, "|"), "Jane Doe|John Roe"},
		{"atom categories", strings.Join(a.Categories, "|"), "Politics|economy"},
		{"atom relative", atom.Items[1].URL, "https://news.example.org/2017/06/relative"},
		{"atom inherited author", strings.Join(atom.Items[1].Authors, "|"), "Newsroom"},
	}

	jf, err := Parse(readFixture(t, "feeds/feed.json"), "https://json.example.com/feed.json", now)
	if err != nil {
		t.Fatal(err)
	}
	j := jf.Items[0]
	checks = append(checks, []struct{ name, got, want string }{
		{"json url", j.URL, "https://json.example.com/2017/06/06/story.html?ref=home"},
		{"json id", j.ID, events.ItemID("https://json.example.com/feed.json", "2347259")},
		{"json content", j.Content, "<p>The <em>full</em> story.</p>"},
		{"json image", j.Image, "https://json.example.com/img/story.jpg"},
		{"json published", j.PublishedAt.Format(time.RFC3339), "2017-06-07T00:36:00Z"},
		{"json authors", strings.Join(j.Authors, "|"), "Ann Author"},
		{"json tags deduplicated", strings.Join(j.Categories, "|"), "world|science"},
		{"json inherited author", strings.Join(jf.Items[1].Authors, "|"), "JSON Desk"},
	}...)
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestGarbageDateIsNil(t *testing.T) {
	f, err := Parse(readFixture(t, "feeds/garbage-date.rss"), "https://dates.example.net/rss", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		if it.PublishedAt != nil || it.UpdatedAt != nil {
			t.Errorf("%q: garbage date parsed as %v / %v", it.Title, it.PublishedAt, it.UpdatedAt)
		}
	}
}

func TestParseRejects(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		body    string
		feedURL string
		isNotA  bool
	}{
		{"empty", "", rtFeedURL, true},
		{"whitespace", " \n\t ", rtFeedURL, true},
		{"garbage", "\x00\x01\x02 binary junk", rtFeedURL, true},
		{"plain text", "Service temporarily unavailable", rtFeedURL, true},
		{"html", "<!doctype html><html><head><title>Oops</title></head><body>Not found</body></html>", rtFeedURL, true},
		{"other xml", `<?xml version="1.0"?><sitemap><url>x</url></sitemap>`, rtFeedURL, true},
		{"json api error", `{"error":"rate limited"}`, rtFeedURL, true},
		{"broken json feed", `{"version":"https://jsonfeed.org/version/1.1","items":[`, rtFeedURL, true},
		{"feed url not http", `<rss version="2.0"><channel></channel></rss>`, "ftp://example.com/rss", false},
		{"feed url relative", `<rss version="2.0"><channel></channel></rss>`, "/rss", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.body), tt.feedURL, now)
			if err == nil || f != nil {
				t.Fatalf("Parse = %+v, %v; want an error", f, err)
			}
			if errors.Is(err, ErrNotAFeed) != tt.isNotA {
				t.Errorf("err = %v; ErrNotAFeed want %v", err, tt.isNotA)
			}
		})
	}
	if _, err := Parse([]byte(`<rss version="2.0"><channel></channel></rss>`), rtFeedURL, time.Time{}); err == nil {
		t.Error("a zero discovery time must be refused: items would not validate")
	}
}

func TestDuplicateIDsAndEmptyFeed(t *testing.T) {
	body := `<rss version="2.0"><channel><title>Dup</title>
<item><guid isPermaLink="false">same</guid><link>https://dup.example.com/1</link></item>
<item><guid isPermaLink="false">same</guid><link>https://dup.example.com/2</link></item>
<item><link>https://dup.example.com/3?utm_source=x</link></item>
<item><link>https://DUP.example.com:443/3#top</link></item>
</channel></rss>`
	f, err := Parse([]byte(body), "https://dup.example.com/rss", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 2 || f.Skipped != 2 {
		t.Fatalf("items=%d skipped=%d, want 2 and 2", len(f.Items), f.Skipped)
	}
	if f.Items[0].URL != "https://dup.example.com/1" || f.Items[1].URL != "https://dup.example.com/3" {
		t.Errorf("kept %s and %s", f.Items[0].URL, f.Items[1].URL)
	}

	empty, err := Parse([]byte(`<rss version="2.0"><channel><title>Quiet</title></channel></rss>`), "https://dup.example.com/rss", time.Now())
	if err != nil || len(empty.Items) != 0 {
		t.Errorf("empty feed: %+v, %v", empty, err)
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Plain title", "Plain title"},
		{"  spaced \n  out  ", "spaced out"},
		{"Tom & Jerry", "Tom & Jerry"},
		{"Tom &amp; Jerry", "Tom & Jerry"},
		{"It&amp;#8217;s double-escaped", "It’s double-escaped"},
		{"<b>Bold</b> claim<br>next", "Bold claim next"},
		{"a < b", "a < b"},
	}
	for _, tt := range tests {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"60", time.Hour}, {" 15 ", 15 * time.Minute}, {"-1", 0}, {"0", 0}, {"soon", 0},
		{"99999999999999", maxTTL},
	}
	for _, tt := range tests {
		if got := parseTTL(tt.in); got != tt.want {
			t.Errorf("parseTTL(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestDiscoverFeeds(t *testing.T) {
	tests := []struct {
		name    string
		html    string
		pageURL string
		want    []string
	}{
		{
			name:    "rt article page",
			html:    string(readFixture(t, "pages/rt-article.html")),
			pageURL: "https://www.rt.com/news/391130-coalition-strike-syria-tanf/",
			want: []string{
				"https://www.rt.com/rss/",
				"https://www.rt.com/atom.xml",
				"https://www.rt.com/news/391130-coalition-strike-syria-tanf/feed.json",
				"https://www.rt.com/api/feed.json",
			},
		},
		{
			name:    "base href",
			html:    `<html><head><base href="https://cdn.example.com/site/"><link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>`,
			pageURL: "https://example.com/a/b",
			want:    []string{"https://cdn.example.com/site/atom.xml"},
		},
		{
			name:    "self-closing, upper case, rel list",
			html:    `<HTML><HEAD><LINK REL="feed alternate" TYPE="APPLICATION/RSS+XML" HREF="/feed/"/></HEAD></HTML>`,
			pageURL: "http://blog.example.com/post",
			want:    []string{"http://blog.example.com/feed/"},
		},
		{
			name:    "none",
			html:    `<html><head><link rel="stylesheet" href="/a.css"></head><body><a rel="alternate" type="application/rss+xml" href="/not-a-link-tag">x</a></body></html>`,
			pageURL: "https://example.com/",
			want:    nil,
		},
		{
			name:    "bad page url",
			html:    `<link rel="alternate" type="application/rss+xml" href="/feed">`,
			pageURL: "not a url",
			want:    nil,
		},
		{
			name:    "garbage",
			html:    "\x00\xff<<<>>>&&&",
			pageURL: "https://example.com/",
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DiscoverFeeds([]byte(tt.html), tt.pageURL)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DiscoverFeeds = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{
		"feeds/rt.rss", "feeds/atom.xml", "feeds/feed.json", "feeds/garbage-date.rss",
		"feeds/malformed.xml", "feeds/billion-laughs.xml", "feeds/cp1251.xml", "pages/rt-article.html",
	} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","url":"/x","date_published":"0000-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="//h/x"/><updated>9999-12-31T23:59:59-23:00</updated></entry></feed>`))
	now := time.Date(2017, 6, 6, 21, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := Parse(body, rtFeedURL, now)
		if err != nil {
			if feed != nil {
				t.Fatal("feed returned with an error")
			}
			return
		}
		checkItems(t, feed, rtFeedURL, now)
	})
}

func TestUpdatePeriod(t *testing.T) {
	const tmpl = `<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel><title>t</title>%s
<item><title>a</title><link>https://example.com/a</link></item></channel></rss>`
	tests := []struct {
		ext  string
		want time.Duration
	}{
		{"", 0},
		{"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>", 30 * time.Minute},
		{"<sy:updatePeriod>daily</sy:updatePeriod>", 24 * time.Hour},
		{"<sy:updateFrequency>4</sy:updateFrequency>", 6 * time.Hour},
		{"<sy:updatePeriod>yearly</sy:updatePeriod>", maxTTL},
		{"<sy:updatePeriod>sometimes</sy:updatePeriod>", 0},
		{"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>-3</sy:updateFrequency>", 0},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(strings.Replace(tmpl, "%s", tt.ext, 1)), "https://example.com/rss", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if f.UpdatePeriod != tt.want {
			t.Errorf("%s: UpdatePeriod = %s, want %s", tt.ext, f.UpdatePeriod, tt.want)
		}
	}
}
