package index

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

// corpus is a small set of articles with known words, sources, languages and dates.
type corpus struct {
	titleVolcano, bodyVolcano, undated, french, other *events.Article
}

func newCorpus(t testing.TB) corpus {
	var c corpus
	c.titleVolcano = article(t, "https://www.rt.com/news/10-volcano/", "Volcano erupts in Iceland",
		"An eruption began on the Reykjanes peninsula overnight. Residents of Grindavik were evacuated as lava fountains rose.")
	c.titleVolcano.PublishedAt = tp("2026-11-01T10:00:00Z")
	c.titleVolcano.Description = "Lava fountains near Grindavik."
	c.titleVolcano.Tags = []string{"Iceland"}

	c.bodyVolcano = article(t, "https://www.bbc.co.uk/news/business-11", "Markets rally on rate hopes",
		"Stocks rose sharply on Tuesday. Airlines fell early after reports that a volcano in Iceland could disrupt flights, but recovered by the close.\n\nAnalysts said <script>alert(1)</script> rate cuts were likely.")
	c.bodyVolcano.Source = events.Source{Name: "BBC News", Domain: "bbc.co.uk"}
	c.bodyVolcano.Language = "en-GB"
	c.bodyVolcano.PublishedAt = tp("2026-11-03T08:00:00Z")

	c.undated = article(t, "https://www.rt.com/news/12-ash/", "Ash cloud over the Atlantic",
		"Ash from the volcano drifted south. Flights were rerouted.")

	c.french = article(t, "https://www.lemonde.fr/planete/article/13", "Le volcan islandais se réveille",
		"Une éruption volcanique a commencé dans la péninsule de Reykjanes.")
	c.french.Source = events.Source{Name: "Le Monde", Domain: "lemonde.fr"}
	c.french.Language = "fr"
	c.french.PublishedAt = tp("2026-10-20T12:00:00+02:00")

	c.other = article(t, "https://www.rt.com/news/14-chess/", "Chess final goes to tiebreaks",
		"The world championship final will be decided by rapid games.")
	c.other.PublishedAt = tp("2026-11-02T18:30:00Z")
	return c
}

func (c corpus) all() []*events.Article {
	return []*events.Article{c.titleVolcano, c.bodyVolcano, c.undated, c.french, c.other}
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	ix := openMem(t)
	c := newCorpus(t)
	if err := ix.Upsert(ctx, c.all()...); err != nil {
		t.Fatal(err)
	}
	name := map[string]string{}
	for n, a := range map[string]*events.Article{"titleVolcano": c.titleVolcano, "bodyVolcano": c.bodyVolcano,
		"undated": c.undated, "french": c.french, "other": c.other} {
		name[a.ID] = n
	}
	names := func(hits []Hit) []string {
		out := make([]string, len(hits))
		for i, id := range ids(hits) {
			out[i] = name[id]
		}
		return out
	}

	for _, tc := range []struct {
		name  string
		q     Query
		want  []string // hit names, in order
		total uint64   // when different from len(want)
		check func(t *testing.T, r *Result)
	}{
		{name: "title match ranks above body-only match", q: Query{Text: "volcano", Lang: "en"},
			want: []string{"titleVolcano", "undated", "bodyVolcano"}},
		{name: "body word found with highlighted snippet", q: Query{Text: "airlines"},
			want: []string{"bodyVolcano"},
			check: func(t *testing.T, r *Result) {
				h := r.Hits[0]
				if !strings.Contains(h.Snippet, "<mark>Airlines</mark>") {
					t.Errorf("snippet %q lacks <mark>Airlines</mark>", h.Snippet)
				}
				if h.Title != "Markets rally on rate hopes" || h.URL != c.bodyVolcano.URL ||
					h.Source != (events.Source{Name: "BBC News", Domain: "bbc.co.uk"}) ||
					h.PublishedAt == nil || !h.PublishedAt.Equal(*c.bodyVolcano.PublishedAt) || h.Score <= 0 {
					t.Errorf("hit = %+v", h)
				}
			}},
		{name: "snippet escapes HTML of the text", q: Query{Text: "analysts cuts"},
			want: []string{"bodyVolcano"},
			check: func(t *testing.T, r *Result) {
				s := r.Hits[0].Snippet
				if strings.Contains(s, "<script>") || !strings.Contains(s, "&lt;script&gt;") {
					t.Errorf("snippet %q is not escaped", s)
				}
			}},
		{name: "english stemming", q: Query{Text: "erupting fountain"}, want: []string{"titleVolcano"}},
		{name: "all words must match", q: Query{Text: "volcano chess"}, want: []string{}},
		{name: "words may match in different fields", q: Query{Text: "iceland rates"}, want: []string{"bodyVolcano"}},
		{name: "only stop words match nothing", q: Query{Text: "the and of"}, want: []string{}},
		{name: "exclusion", q: Query{Text: `volcano -airlines`, Lang: "en"}, want: []string{"titleVolcano", "undated"}},
		{name: "excluded phrase", q: Query{Text: `volcano -"lava fountains"`, Lang: "en"}, want: []string{"undated", "bodyVolcano"}},
		{name: "phrase must be in order", q: Query{Text: `"fountains lava"`}, want: []string{}},
		{name: "phrase", q: Query{Text: `"lava fountains"`}, want: []string{"titleVolcano"}},
		{name: "OR", q: Query{Text: `chess OR airlines`, Sort: SortNewest}, want: []string{"bodyVolcano", "other"}},
		{name: "field filters in the query", q: Query{Text: `source:bbc.co.uk volcano`}, want: []string{"bodyVolcano"}},
		{name: "tag filter", q: Query{Text: `tag:iceland`}, want: []string{"titleVolcano"}},
		{name: "title field", q: Query{Text: `title:volcano`}, want: []string{"titleVolcano"}},
		{name: "french analysis", q: Query{Text: "volcaniques", Lang: "fr"}, want: []string{"french"}},
		{name: "AND and + mean a space", q: Query{Text: `+chess AND final`}, want: []string{"other"}},
		{name: "source by domain", q: Query{Text: "volcano", Source: "bbc.co.uk"}, want: []string{"bodyVolcano"}},
		{name: "source by name, any case", q: Query{Source: "le monde"}, want: []string{"french"}},
		{name: "lang prefix", q: Query{Lang: "EN_gb"}, want: []string{"bodyVolcano"}},
		{name: "lang primary tag matches regions", q: Query{Text: "volcano", Lang: "en", Sort: SortNewest},
			want: []string{"bodyVolcano", "titleVolcano", "undated"}},
		{name: "from inclusive", q: Query{From: *tp("2026-11-02T18:30:00Z"), Sort: SortNewest},
			want: []string{"bodyVolcano", "other"}},
		{name: "to exclusive", q: Query{To: *tp("2026-11-02T18:30:00Z"), Sort: SortNewest},
			want: []string{"titleVolcano", "french"}},
		{name: "from and to", q: Query{From: *tp("2026-11-01T00:00:00Z"), To: *tp("2026-11-02T00:00:00Z")},
			want: []string{"titleVolcano"}},
		{name: "sort newest, undated last", q: Query{Sort: SortNewest},
			want: []string{"bodyVolcano", "other", "titleVolcano", "french", "undated"}},
		{name: "match all with filter", q: Query{Source: "rt.com", Sort: SortNewest},
			want: []string{"other", "titleVolcano", "undated"}},
		{name: "paging", q: Query{Sort: SortNewest, Page: 2, Size: 2},
			want: []string{"titleVolcano", "french"}, total: 5},
		{name: "snippet without a text query is the start of the body", q: Query{Source: "lemonde.fr"},
			want: []string{"french"},
			check: func(t *testing.T, r *Result) {
				if s := r.Hits[0].Snippet; !strings.HasPrefix(s, "Une éruption") || strings.Contains(s, "<mark>") {
					t.Errorf("snippet = %q", s)
				}
			}},
		{name: "title-only match snippets the title", q: Query{Text: "tiebreaks"}, want: []string{"other"},
			check: func(t *testing.T, r *Result) {
				if s := r.Hits[0].Snippet; s != "Chess final goes to <mark>tiebreaks</mark>" {
					t.Errorf("snippet = %q", s)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ix.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := names(r.Hits)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("hits = %v, want %v", got, tc.want)
			}
			total := tc.total
			if total == 0 {
				total = uint64(len(tc.want))
			}
			if r.Total != total {
				t.Errorf("total = %d, want %d", r.Total, total)
			}
			if r.Hits == nil {
				t.Error("hits is nil, want an empty slice")
			}
			if tc.check != nil && len(r.Hits) > 0 {
				tc.check(t, r)
			}
		})
	}
}

func TestSearchBadQuery(t *testing.T) {
	ix := openMem(t)
	now := time.Now()
	for _, tc := range []struct {
		name string
		q    Query
	}{
		{"size too big", Query{Size: MaxSize + 1}},
		{"negative size", Query{Size: -1}},
		{"negative page", Query{Page: -1}},
		{"too deep", Query{Page: MaxWindow/DefaultSize + 1}},
		{"text too long", Query{Text: strings.Repeat("a", MaxTextLen+1)}},
		{"too many words", Query{Text: strings.Repeat("word ", MaxWords+1)}},
		{"invalid utf-8", Query{Text: "caf\xe9"}},
		{"unknown sort", Query{Sort: "oldest"}},
		{"from after to", Query{From: now, To: now.Add(-time.Hour)}},
		{"from equals to", Query{From: now, To: now}},
		{"source too long", Query{Source: strings.Repeat("x", MaxFilterLen+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ix.Search(context.Background(), tc.q)
			if !errors.Is(err, ErrBadQuery) {
				t.Fatalf("Search = %v, want ErrBadQuery", err)
			}
		})
	}
	// The deepest allowed page is fine.
	if _, err := ix.Search(context.Background(), Query{Page: MaxWindow / MaxSize, Size: MaxSize}); err != nil {
		t.Fatalf("deepest page: %v", err)
	}
}

func TestSearchCanceled(t *testing.T) {
	ix := openMem(t)
	if err := ix.Upsert(context.Background(), newCorpus(t).all()...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Search(ctx, Query{Text: "volcano"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Search(canceled) = %v, want context.Canceled", err)
	}
}
