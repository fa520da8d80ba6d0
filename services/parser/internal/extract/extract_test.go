package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fetchedAt is the fixed fetch time of every test page.
var fetchedAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const testdata = "../../testdata"

type goldenCase struct {
	name     string // testdata/pages/<name>.html, testdata/golden/<name>.json
	url      string
	finalURL string
	feedURL  string
	item     *events.FeedItem
}

func tm(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func feedItem(feedURL, feedTitle, link string) *events.FeedItem {
	aid, _ := events.ArticleID(link)
	return &events.FeedItem{
		SchemaVersion: events.SchemaVersion,
		ID:            events.ItemID(feedURL, link),
		ArticleID:     aid,
		FeedURL:       feedURL,
		FeedTitle:     feedTitle,
		URL:           link,
		DiscoveredAt:  fetchedAt.Add(-time.Minute),
	}
}

func goldenCases() []goldenCase {
	rt := feedItem("https://www.rt.com/rss/news/", "RT - Daily news", "https://www.rt.com/news/391130-coalition-strike-syria-tanf/")
	rt.GUID = "https://www.rt.com/news/391130-coalition-strike-syria-tanf/"
	rt.Title = "Pentagon: US-led coalition destroyed pro-government forces within deconfliction zone in Syria, killing 2"
	rt.Description = `<img src="https://cdni.rt.com/files/2017.06/thumbnail/5936f2ecc3618843528b4567.jpg" /> The US-led coalition has once again attacked pro-government forces in Syria. <br/><a href="https://www.rt.com/news/391130-coalition-strike-syria-tanf/">Read Full Article at RT.com</a>`
	rt.Authors = []string{"RT"}
	rt.PublishedAt = tm("2017-06-06T20:36:00Z")

	spa := feedItem("https://www.metrowire.example/feed.xml", "Metro Wire", "https://www.metrowire.example/2024/05/02/water-main-break")
	spa.Title = "Water main break floods two downtown blocks"
	spa.Authors = []string{"Lena Ortiz"}
	spa.Categories = []string{"City", "Infrastructure"}
	spa.PublishedAt = tm("2024-05-02T07:45:00-05:00")
	spa.Image = "https://cdn.metrowire.example/img/water-main.jpg"
	spa.Content = `<p>A 36-inch water main burst under Fifth Street early Thursday, flooding two downtown blocks and cutting service to about 1,200 customers, the water department said.</p>
<figure><img src="/img/water-main-inline.jpg"><figcaption>Water covers Fifth Street on Thursday.</figcaption></figure>
<p>Crews shut off the main by 6 a.m. and expected to restore service by evening. Several businesses on Fifth Street were closed for the day.</p>
<p>"The pipe was installed in 1931, and it has been on our replacement list for years," department spokesman Ray Kim said.</p>`

	return []goldenCase{
		{name: "rt-coalition-tanf", url: "https://www.rt.com/news/391130-coalition-strike-syria-tanf/?utm_source=rss&utm_medium=rss&utm_campaign=RSS", feedURL: rt.FeedURL, item: rt},
		{name: "ledger-jsonld-news", url: "https://www.dailyledger.example/news/2024/03/14/council-approves-transit-plan?utm_source=twitter"},
		{name: "notes-blog-article", url: "http://notes.jamielin.example/?p=412", finalURL: "https://notes.jamielin.example/2019/08/parsing-html/"},
		{name: "harbor-br-text", url: "http://www.harborgazette.example/news/local/4471.html"},
		{name: "kurier-de-localized", url: "https://www.rheinkurier.example/lokales/stadtrat-radwege-1234567.html?ref=rss#top"},
		{name: "spa-feed-fallback", url: spa.URL, feedURL: spa.FeedURL, item: spa},
	}
}

func loadPage(t testing.TB, c goldenCase) *events.Page {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "pages", c.name+".html"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := events.ArticleID(c.url)
	p := &events.Page{
		SchemaVersion: events.SchemaVersion,
		ID:            id,
		URL:           c.url,
		FinalURL:      c.finalURL,
		FeedURL:       c.feedURL,
		StatusCode:    200,
		ContentType:   "text/html; charset=utf-8",
		FetchedAt:     fetchedAt,
		HTML:          string(b),
		Item:          c.item,
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("test page %s: %v", c.name, err)
	}
	return p
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			a, err := Article(loadPage(t, c))
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(a, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join(testdata, "golden", c.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < max(len(gl), len(wl)); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test -update to accept)", path, i+1, g, w)
					}
				}
			}
		})
	}
}

// TestRTSeed checks the RT page against the seed article itself, not
// against a golden file that could have been accepted by mistake.
func TestRTSeed(t *testing.T) {
	seed, err := os.ReadFile(filepath.Join(testdata, "pages", "rt-seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(seed), "\n"), "\n")
	headline := lines[0]
	var want []string
	for _, l := range lines[3:] {
		if strings.TrimSpace(l) != "" {
			want = append(want, l)
		}
	}
	if len(want) != 14 {
		t.Fatalf("seed has %d paragraphs, want 14", len(want))
	}
	c := goldenCases()[0]
	a, err := Article(loadPage(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != headline {
		t.Errorf("title = %q\nwant %q", a.Title, headline)
	}
	if a.PublishedAt == nil || !a.PublishedAt.Equal(time.Date(2017, 6, 6, 20, 36, 0, 0, time.UTC)) || a.PublishedAt.Location() != time.UTC {
		t.Errorf("published_at = %v, want 2017-06-06T20:36:00Z", a.PublishedAt)
	}
	if a.ModifiedAt == nil || !a.ModifiedAt.Equal(time.Date(2017, 6, 7, 8, 12, 0, 0, time.UTC)) {
		t.Errorf("modified_at = %v, want 2017-06-07T08:12:00Z", a.ModifiedAt)
	}
	got := strings.Split(a.Text, "\n\n")
	if len(got) != len(want) {
		t.Errorf("text has %d paragraphs, want %d:\n%s", len(got), len(want), a.Text)
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("paragraph %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	if a.Lead != want[0] {
		t.Errorf("lead = %q", a.Lead)
	}
	for _, clutter := range []string{
		"Read more", "READ MORE", "Related stories", "US-led coalition strikes pro-govt forces",
		"Moscow to request UNSC meeting", "Syria de-escalation zones", "Facebook", "Twitter", "Telegram",
		"shares", "cookies", "Subscribe", "newsletter", "Comments", "Trending", "Qatar", "Reuters",
		"Published time", "Edited time", "short URL", "on.rt.com", "Syria crisis", "Tags", "TV-Novosti",
		"Privacy", "dataLayer", "googletagmanager", "A US soldier near At Tanf", "USD 56.73",
		"live coverage", "The US-led coalition has once again attacked",
	} {
		if strings.Contains(a.Text, clutter) {
			t.Errorf("text contains clutter %q", clutter)
		}
	}
	wantMeta := map[string][2]string{
		"canonical_url": {a.CanonicalURL, "https://www.rt.com/news/391130-coalition-strike-syria-tanf/"},
		"source.name":   {a.Source.Name, "RT International"},
		"source.domain": {a.Source.Domain, "rt.com"},
		"language":      {a.Language, "en"},
		"method":        {a.Extraction.Method, MethodDOM},
		"version":       {a.Extraction.Version, Version},
		"top_image":     {a.TopImage, "https://cdni.rt.com/files/2017.06/article/5936f2ecc3618843528b4567.jpg"},
		"description":   {a.Description, "The US-led coalition has once again attacked pro-government forces in Syria inside a deconfliction zone near At Tanf, killing at least two people, the Pentagon says."},
		"feed_url":      {a.FeedURL, "https://www.rt.com/rss/news/"},
	}
	for k, v := range wantMeta {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", k, v[0], v[1])
		}
	}
	if id, _ := events.ArticleID("https://www.rt.com/news/391130-coalition-strike-syria-tanf/"); a.ID != id {
		t.Errorf("id = %s, want %s", a.ID, id)
	}
	if len(a.Authors) != 0 {
		t.Errorf("authors = %q, want none (the page names none and the feed's \"RT\" is the outlet)", a.Authors)
	}
	// Quotes and speakers the seed names.
	speakers := map[string]bool{}
	for _, q := range a.Quotes {
		speakers[q.Speaker] = true
	}
	for _, s := range []string{"US Central Command", "CENTCOM", "Frants Klintsevich", "Leonid Slutsky"} {
		if !speakers[s] {
			t.Errorf("no quote by %q in %+v", s, a.Quotes)
		}
	}
}

func TestFeedFallback(t *testing.T) {
	c := goldenCases()[5]
	a, err := Article(loadPage(t, c))
	if err != nil {
		t.Fatal(err)
	}
	if a.Extraction.Method != MethodFeed {
		t.Errorf("method = %q, want feed", a.Extraction.Method)
	}
	if a.Title != c.item.Title || a.PublishedAt == nil || !a.PublishedAt.Equal(*c.item.PublishedAt) || len(a.Authors) != 1 {
		t.Errorf("metadata not taken from the item: %q %v %q", a.Title, a.PublishedAt, a.Authors)
	}
	if strings.Contains(a.Text, "Water covers Fifth Street") {
		t.Errorf("caption in text: %q", a.Text)
	}
	if n := len(strings.Split(a.Text, "\n\n")); n != 3 {
		t.Errorf("%d paragraphs, want 3: %q", n, a.Text)
	}
}

func TestNoContent(t *testing.T) {
	for _, h := range []string{"", "<html><body></body></html>", "<html><head><script>x()</script></head><body><nav><a href=/>Home</a></nav></body></html>"} {
		p := &events.Page{SchemaVersion: 1, ID: "x", URL: "https://example.com/a", FetchedAt: fetchedAt, HTML: h}
		a, err := Article(p)
		if !errors.Is(err, ErrNoContent) {
			t.Errorf("%q: got %+v, %v; want ErrNoContent", h, a, err)
		}
	}
	// A title alone is enough.
	p := &events.Page{SchemaVersion: 1, ID: "x", URL: "https://example.com/a", FetchedAt: fetchedAt, HTML: "<title>Just a title</title>"}
	a, err := Article(p)
	if err != nil || a.Title != "Just a title" || a.Text != "" {
		t.Errorf("title only: %+v, %v", a, err)
	}
	if _, err := Article(nil); !errors.Is(err, ErrNoContent) {
		t.Errorf("nil page: %v", err)
	}
}

func TestCanonicalOtherSite(t *testing.T) {
	h := `<html><head><title>A story about things</title><link rel="canonical" href="https://aggregator.example.net/story/1"><meta property="og:url" content="/news/a-story?utm_campaign=x"></head><body><p>` + strings.Repeat("Some words of the story, and more. ", 20) + `</p></body></html>`
	p := &events.Page{SchemaVersion: 1, ID: "x", URL: "https://www.example.com/news/a-story?id=7", FetchedAt: fetchedAt, HTML: h}
	a, err := Article(p)
	if err != nil {
		t.Fatal(err)
	}
	// rel=canonical is on another site: ignored; og:url (relative) is ours.
	if a.CanonicalURL != "https://www.example.com/news/a-story" {
		t.Errorf("canonical = %q", a.CanonicalURL)
	}
}

// TestCorpusSamples runs the copied corpus pages: titles as the truth has
// them and most of the true body found.
func TestCorpusSamples(t *testing.T) {
	var truth map[string]struct {
		URL   string `json:"url"`
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	b, err := os.ReadFile(filepath.Join(testdata, "corpus", "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	for id, tr := range truth {
		t.Run(id, func(t *testing.T) {
			html, err := os.ReadFile(filepath.Join(testdata, "corpus", id+".html"))
			if err != nil {
				t.Fatal(err)
			}
			a, err := Article(&events.Page{SchemaVersion: 1, ID: "x", URL: tr.URL, FetchedAt: fetchedAt, HTML: string(html)})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Title != "" && collapse(a.Title) != collapse(tr.Title) {
				t.Logf("title = %q, truth %q", a.Title, tr.Title)
			}
			want := words(tr.Body)
			got := map[string]int{}
			for _, w := range words(a.Text) {
				got[w]++
			}
			hit := 0
			for _, w := range want {
				if got[w] > 0 {
					got[w]--
					hit++
				}
			}
			if r := float64(hit) / float64(len(want)); r < 0.8 {
				t.Errorf("word recall %.2f < 0.8", r)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"Published time: 6 Jun, 2017 20:36":         "2017-06-06T20:36:00Z",
		"Edited time: 7 Jun, 2017 08:12":            "2017-06-07T08:12:00Z",
		"2024-03-14T09:30:00-04:00":                 "2024-03-14T13:30:00Z",
		"Tue, 06 Jun 2017 20:36:00 +0000":           "2017-06-06T20:36:00Z",
		"Posted: March 2, 2011 at 10:15 pm EST":     "2011-03-03T03:15:00Z",
		"Veröffentlicht am 6. Juni 2017, 14:20 Uhr": "2017-06-06T14:20:00Z",
		"21 août 2019 à 9h05":                       "2019-08-21T09:05:00Z",
		"12 de marzo de 2020":                       "2020-03-12T00:00:00Z",
		"2023年11月17日 10:30":                         "2023-11-17T10:30:00Z",
		"2015-04-30":                                "2015-04-30T00:00:00Z",
		"Updated 4:05 PM GMT, Nov 3, 2017":          "2017-11-03T16:05:00Z",
		"Tuesday, 06-Jun-17 20:36:00 UTC":           "2017-06-06T20:36:00Z",
	} {
		got, _, ok := parseDate(in)
		if !ok || got.Format(time.RFC3339) != want {
			t.Errorf("parseDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "31 Foo 2017", "99:99"} {
		if got, _, ok := parseDate(in); ok {
			t.Errorf("parseDate(%q) = %v, want no date", in, got)
		}
	}
}

func TestCleanTitle(t *testing.T) {
	for _, c := range []struct{ in, site, h1, domain, want string }{
		{"Pentagon: US-led coalition destroyed pro-government forces — RT World News", "RT International", "", "rt.com", "Pentagon: US-led coalition destroyed pro-government forces"},
		{"City council approves plan | The Daily Ledger", "The Daily Ledger", "", "dailyledger.example", "City council approves plan"},
		{"Harbor Gazette - Ferry service to resume on Monday", "", "", "harborgazette.example", "Ferry service to resume on Monday"},
		{"Ferry service resumes - example.com", "", "", "", "Ferry service resumes"},
		{"Obama admits US gun laws are his 'biggest frustration' - BBC News", "BBC News", "", "bbc.com", "Obama admits US gun laws are his 'biggest frustration'"},
		{"Spider-Man - the review of a lifetime", "", "", "x.com", "Spider-Man - the review of a lifetime"},
		{"Just a headline", "Site", "", "site.com", "Just a headline"},
		// One part goes, the site: a section before it stays.
		{"Get your Frontend JavaScript Code Covered | Code | Nicolas Perriault", "", "", "fakehost", "Get your Frontend JavaScript Code Covered | Code"},
		// After a pipe a longer name in title case is the site's.
		{"Conversations with a Cryptid - Chapter 1 | Boku no Hero Academia | My Hero Academia [Archive of Our Own]", "", "", "fakehost", "Conversations with a Cryptid - Chapter 1 | Boku no Hero Academia"},
		// ... but not after a dash, and not a clause in sentence case.
		{"Council votes on the transit plan - What The Long Vote Means For Riders", "", "", "x.com", "Council votes on the transit plan - What The Long Vote Means For Riders"},
		{"Council votes on the transit plan | what the long vote means for riders", "", "", "x.com", "Council votes on the transit plan | what the long vote means for riders"},
		// Along a path the section names go with the site's.
		{"Anticorrupción decidirá si recurre la imputación » Local » Noticias » Diario", "", "", "x.com", "Anticorrupción decidirá si recurre la imputación"},
		// The h1 names the headline whatever follows it.
		{"Harbor ferry resumes - Jane Q. Public ( jqp )", "", "Harbor ferry resumes", "x.com", "Harbor ferry resumes"},
	} {
		if got := cleanTitle(c.in, c.site, c.h1, c.domain); got != c.want {
			t.Errorf("cleanTitle(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestChooseTitle: which of the page's titles is the headline.
func TestChooseTitle(t *testing.T) {
	for _, c := range []struct {
		name      string
		metas     map[string][]string
		ld        linkedData
		htmlTitle string
		h1        string
		site      string
		want      string
	}{
		{name: "og title without the site", metas: map[string][]string{"og:title": {"Council approves plan | The Daily Ledger"}}, htmlTitle: "Council approves plan - Ledger", site: "The Daily Ledger", want: "Council approves plan"},
		{name: "schema.org headline first", metas: map[string][]string{"og:title": {"Council approves the plan"}}, ld: linkedData{Headline: "Council approves plan"}, want: "Council approves plan"},
		// og:title = og:site_name: no headline in the metadata.
		{name: "og title is the site", metas: map[string][]string{"og:title": {"Yahoo News - Latest News & Headlines"}, "twitter:title": {"Yahoo News - Latest News & Headlines"}}, htmlTitle: "Russia: Space ship malfunctions, breaks up over Siberia", site: "Yahoo News - Latest News & Headlines", want: "Russia: Space ship malfunctions, breaks up over Siberia"},
		{name: "next meta title when the first is the site", metas: map[string][]string{"og:title": {"The Daily Ledger"}, "twitter:title": {"Council approves plan"}}, site: "The Daily Ledger", want: "Council approves plan"},
		// A headline cut short for search results: the h1 has all of it.
		{name: "truncated headline", ld: linkedData{Headline: "New court files expose the security team involved in a spy operation against…"}, h1: "New court files expose the security team involved in a spy operation against a publisher", want: "New court files expose the security team involved in a spy operation against a publisher"},
		{name: "truncated social title", metas: map[string][]string{"og:title": {"New court files expose the security team involved in..."}}, htmlTitle: "New court files expose the security team involved in a spy operation | Sott.net", site: "Sott.net", want: "New court files expose the security team involved in a spy operation"},
		{name: "ellipsis that ends the headline", ld: linkedData{Headline: "Screenshot: «Vape Wave», «6 Days», «Alphonse Président»…"}, h1: "Screenshot", want: "Screenshot: «Vape Wave», «6 Days», «Alphonse Président»…"},
		{name: "title element", htmlTitle: "Lorem ipsum dolor sit amet – My website", want: "Lorem ipsum dolor sit amet"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.metas == nil {
				c.metas = map[string][]string{}
			}
			m := &metadata{metas: c.metas, ld: c.ld, htmlTitle: c.htmlTitle, h1: c.h1, siteName: c.site}
			if got := m.chooseTitle("example.com"); got != c.want {
				t.Errorf("chooseTitle = %q, want %q", got, c.want)
			}
		})
	}
}

// TestStripSiteName: a title from the page's metadata loses the site's
// name (and the section path before it) but keeps any other suffix.
func TestStripSiteName(t *testing.T) {
	for _, c := range []struct{ in, site, domain, want string }{
		{"Whale strandings worry tribes | Eleanor Ainge Roy", "the Guardian", "theguardian.com", "Whale strandings worry tribes | Eleanor Ainge Roy"},
		{"Chapter two: the wordchain - Super Supportive", "Royal Road", "royalroad.com", "Chapter two: the wordchain - Super Supportive"},
		{"The Great Big Lie - John C. Welch - Medium", "Medium", "medium.com", "The Great Big Lie - John C. Welch"},
		{"Anticorrupción decidirá si recurre la imputación » Local » Noticias » Ultima Hora Mallorca", "", "ultimahora.es", "Anticorrupción decidirá si recurre la imputación"},
		{"Council approves plan | The Daily Ledger", "The Daily Ledger", "dailyledger.example", "Council approves plan"},
		{"Newsroom - Apple announces results", "", "news.com", "Newsroom - Apple announces results"},
	} {
		if got := stripSiteName(c.in, c.site, c.domain); got != c.want {
			t.Errorf("stripSiteName(%q, %q, %q) = %q, want %q", c.in, c.site, c.domain, got, c.want)
		}
	}
}

func TestSplitNames(t *testing.T) {
	for in, want := range map[string]string{
		"By Maria Gonzalez and Tom Becker": "Maria Gonzalez|Tom Becker",
		"Von Anna Schmidt":                 "Anna Schmidt",
		"by admin":                         "",
		"Jane Doe, Staff Writer":           "Jane Doe",
		"https://www.facebook.com/x":       "",
	} {
		if got := strings.Join(splitNames(in), "|"); got != want {
			t.Errorf("splitNames(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSimHash(t *testing.T) {
	a := "The Coalition destroyed additional pro-Syrian regime forces that advanced inside the well-established deconfliction zone in southern Syria, said a statement."
	b := strings.Replace(a, "southern", "northern", 1)
	c := "Completely different text about the city council and its long debate on a transit plan for buses and trains."
	if SimHash("") != 0 {
		t.Error("empty text should hash to 0")
	}
	if SimHash(a) != SimHash(a) {
		t.Error("not deterministic")
	}
	near, far := bitsDiff(SimHash(a), SimHash(b)), bitsDiff(SimHash(a), SimHash(c))
	if near >= far || near > 16 {
		t.Errorf("near-duplicate differs in %d bits, unrelated in %d", near, far)
	}
}

func bitsDiff(a, b uint64) int {
	n := 0
	for x := a ^ b; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func FuzzArticle(f *testing.F) {
	for _, c := range goldenCases() {
		if b, err := os.ReadFile(filepath.Join(testdata, "pages", c.name+".html")); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{"", "<", "<title>x</title>", "<p>a<p>b", "<div><br><br>text</div>", "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"author\":[{}],\"datePublished\":5}</script><h1>T</h1>", "<table><td><p>" + strings.Repeat("x, ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		p := &events.Page{SchemaVersion: 1, ID: "x", URL: "https://www.example.com/a/b", FetchedAt: fetchedAt, HTML: h}
		a, err := Article(p)
		if err != nil {
			if !errors.Is(err, ErrNoContent) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("invalid article: %v", err)
		}
		if a.Text != "" && a.Lead == "" {
			t.Fatal("text without lead")
		}
	})
}

func BenchmarkArticle(b *testing.B) {
	type bench struct {
		name string
		page *events.Page
	}
	var benches []bench
	for _, c := range goldenCases()[:1] {
		benches = append(benches, bench{c.name, loadPage(b, c)})
	}
	files, _ := filepath.Glob(filepath.Join(testdata, "corpus", "*.html"))
	for _, f := range files {
		h, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		benches = append(benches, bench{name, &events.Page{SchemaVersion: 1, ID: "x", URL: "https://www.example.com/a", FetchedAt: fetchedAt, HTML: string(h)}})
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.page.HTML)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Article(bc.page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
