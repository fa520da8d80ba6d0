package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// article builds a valid article at url. Optional fields are set by the caller.
func article(t testing.TB, url, title, text string) *events.Article {
	t.Helper()
	canon, err := events.CanonicalURL(url)
	if err != nil {
		t.Fatal(err)
	}
	id, err := events.ArticleID(canon)
	if err != nil {
		t.Fatal(err)
	}
	return &events.Article{
		SchemaVersion: events.SchemaVersion,
		ID:            id,
		URL:           url,
		CanonicalURL:  canon,
		Source:        events.Source{Name: "RT", Domain: "rt.com"},
		Title:         title,
		Text:          text,
		Language:      "en",
		FetchedAt:     time.Date(2026, 11, 5, 12, 0, 0, 0, time.UTC),
		WordCount:     len(strings.Fields(text)),
		ContentHash:   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		Extraction:    events.Extraction{Method: "dom", Version: "test"},
	}
}

func tp(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func openMem(t testing.TB) *Index {
	t.Helper()
	ix, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func count(t testing.TB, ix *Index) uint64 {
	t.Helper()
	n, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpsertRedeliveryKeepsOneDocument(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"memory", func(*testing.T) string { return "" }},
		{"disk", func(t *testing.T) string { return filepath.Join(t.TempDir(), "idx") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := Open(tc.dir(t))
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			a := article(t, "https://www.rt.com/news/1-a/", "First", "first body")
			b := article(t, "https://www.rt.com/news/2-b/", "Second", "second body")
			if err := ix.Upsert(ctx, a, b); err != nil {
				t.Fatal(err)
			}
			if n := count(t, ix); n != 2 {
				t.Fatalf("count after first upsert = %d, want 2", n)
			}
			// Redelivery: the same batch, then each one alone, then a batch with a duplicate.
			for _, batch := range [][]*events.Article{{a, b}, {a}, {b}, {b, b, a}} {
				if err := ix.Upsert(ctx, batch...); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, ix); n != 2 {
				t.Fatalf("count after redelivery = %d, want 2", n)
			}
		})
	}
}

func TestUpsertNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	const url = "https://www.rt.com/news/3-versions/"
	ver := func(title string, modified *time.Time, fetched string) *events.Article {
		a := article(t, url, title, "body of "+title)
		a.ModifiedAt = modified
		a.FetchedAt = *tp(fetched)
		return a
	}
	for _, tc := range []struct {
		name           string
		stored, update *events.Article
		want           string
	}{
		{"older modified does not replace",
			ver("new", tp("2026-11-02T00:00:00Z"), "2026-11-02T01:00:00Z"),
			ver("old", tp("2026-11-01T00:00:00Z"), "2026-11-03T00:00:00Z"), "new"},
		{"newer modified replaces",
			ver("old", tp("2026-11-01T00:00:00Z"), "2026-11-03T00:00:00Z"),
			ver("new", tp("2026-11-02T00:00:00Z"), "2026-11-02T00:00:00Z"), "new"},
		{"same modified, older fetch does not replace",
			ver("new", tp("2026-11-01T00:00:00Z"), "2026-11-03T00:00:00Z"),
			ver("old", tp("2026-11-01T00:00:00Z"), "2026-11-02T00:00:00Z"), "new"},
		{"same version replaces (re-parse)",
			ver("first parse", tp("2026-11-01T00:00:00Z"), "2026-11-02T00:00:00Z"),
			ver("re-parse", tp("2026-11-01T00:00:00Z"), "2026-11-02T00:00:00Z"), "re-parse"},
		{"no modified, newer fetch replaces",
			ver("old", tp("2026-11-01T00:00:00Z"), "2026-11-02T00:00:00Z"),
			ver("new", nil, "2026-11-03T00:00:00Z"), "new"},
		{"no modified, older fetch does not replace",
			ver("new", nil, "2026-11-03T00:00:00Z"),
			ver("old", nil, "2026-11-02T00:00:00Z"), "new"},
		{"modified in another zone compares by instant",
			ver("new", tp("2026-11-02T00:00:00Z"), "2026-11-02T00:00:00Z"),
			ver("old", tp("2026-11-02T00:30:00+01:00"), "2026-11-04T00:00:00Z"), "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix := openMem(t)
			if err := ix.Upsert(ctx, tc.stored); err != nil {
				t.Fatal(err)
			}
			if err := ix.Upsert(ctx, tc.update); err != nil {
				t.Fatal(err)
			}
			got, err := ix.Get(ctx, tc.stored.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != tc.want {
				t.Errorf("stored title = %q, want %q", got.Title, tc.want)
			}
			// The same two versions in one batch, either order, end the same
			// way (unless they are equal versions: then the later one wins).
			vs, vu := nfsearch.VersionOf(tc.stored), nfsearch.VersionOf(tc.update)
			if !vs.OlderThan(vu) && !vu.OlderThan(vs) {
				return
			}
			for _, batch := range [][]*events.Article{{tc.stored, tc.update}, {tc.update, tc.stored}} {
				ix := openMem(t)
				if err := ix.Upsert(ctx, batch...); err != nil {
					t.Fatal(err)
				}
				got, err := ix.Get(ctx, tc.stored.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Title != tc.want {
					t.Errorf("one batch %q,%q: stored title = %q, want %q", batch[0].Title, batch[1].Title, got.Title, tc.want)
				}
			}
		})
	}
}

func TestUpsertInvalidWritesNothing(t *testing.T) {
	ctx := context.Background()
	ix := openMem(t)
	good := article(t, "https://www.rt.com/news/4-good/", "Good", "good body")
	bad := article(t, "https://www.rt.com/news/5-bad/", "Bad", "bad body")
	bad.ID = "not-the-id-of-the-url"
	err := ix.Upsert(ctx, good, bad)
	if !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("Upsert = %v, want ErrInvalid", err)
	}
	if n := count(t, ix); n != 0 {
		t.Fatalf("count = %d, want 0", n)
	}
	if err := ix.Upsert(ctx, nil); !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("Upsert(nil) = %v, want ErrInvalid", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := ix.Upsert(cctx, good); !errors.Is(err, context.Canceled) {
		t.Fatalf("Upsert(canceled) = %v, want context.Canceled", err)
	}
}

// fullArticle sets every field, with times in a non-UTC zone.
func fullArticle(t testing.TB) *events.Article {
	zone := time.FixedZone("MSK", 3*3600)
	a := article(t, "https://www.rt.com/news/6-full/?utm_source=x", "Full <b>article</b> & more", "Para one.\n\nPara two with “quotes”.")
	pub := time.Date(2026, 11, 4, 9, 30, 15, 123456789, zone)
	mod := time.Date(2026, 11, 4, 10, 0, 0, 0, zone)
	a.FeedURL = "https://www.rt.com/rss/news/"
	a.Description = "A description."
	a.Authors = []string{"Jane Doe", "John Roe"}
	a.PublishedAt = &pub
	a.ModifiedAt = &mod
	a.FetchedAt = time.Date(2026, 11, 4, 11, 0, 0, 5, zone)
	a.Lead = "Para one."
	a.TopImage = "https://cdni.rt.com/top.jpg"
	a.Images = []string{"https://cdni.rt.com/1.jpg", "https://cdni.rt.com/2.jpg"}
	a.Tags = []string{"World News", "Russia"}
	a.SimHash = "0123456789abcdef"
	a.Extraction = events.Extraction{Method: "json-ld", Version: "1.2.3", NeedsJS: true}
	a.Quotes = []events.Quote{{Text: "We will see.", Speaker: "Someone"}}
	a.Entities = &events.Entities{Persons: []string{"Jane Doe"}, Orgs: []string{"UN"}, Places: []string{"Moscow"}}
	return a
}

func TestGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	ix := openMem(t)
	a := fullArticle(t)
	pubBefore := *a.PublishedAt
	if err := ix.Upsert(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.PublishedAt.Location() != pubBefore.Location() {
		t.Error("Upsert changed the caller's article")
	}
	got, err := ix.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly the input, with times in UTC (the wire form).
	want := *a
	pub, mod := a.PublishedAt.UTC(), a.ModifiedAt.UTC()
	want.PublishedAt, want.ModifiedAt, want.FetchedAt = &pub, &mod, a.FetchedAt.UTC()
	if !reflect.DeepEqual(got, &want) {
		t.Errorf("Get = %+v\nwant  %+v", got, &want)
	}
	gotJSON, err := events.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := events.Encode(&want)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("encoded Get = %s\nwant %s", gotJSON, wantJSON)
	}
}

func TestGetNotFound(t *testing.T) {
	ix := openMem(t)
	for _, id := range []string{"0123456789abcdef0123456789abcdef", "", "../../etc/passwd"} {
		if _, err := ix.Get(context.Background(), id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestReopenOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := fullArticle(t)
	b := article(t, "https://www.rt.com/news/7-lava/", "Lava flows", "Molten lava reached the sea.")
	if err := ix.Upsert(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix, err = Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer ix.Close()
	if n := count(t, ix); n != 2 {
		t.Fatalf("count after reopen = %d, want 2", n)
	}
	got, err := ix.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != a.Title || !got.PublishedAt.Equal(*a.PublishedAt) {
		t.Errorf("Get after reopen = %+v", got)
	}
	res, err := ix.Search(ctx, Query{Text: "molten"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || res.Hits[0].ID != b.ID {
		t.Errorf("search after reopen = %+v", res)
	}
	// Upserts after a reopen still see the stored versions.
	if err := ix.Upsert(ctx, a, b); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ix); n != 2 {
		t.Fatalf("count after redelivery = %d, want 2", n)
	}
}

func TestOpen(t *testing.T) {
	// An existing empty directory becomes an index.
	empty := t.TempDir()
	ix, err := Open(empty)
	if err != nil {
		t.Fatalf("Open(empty dir) = %v", err)
	}
	_ = ix.Close()

	// A directory with something else in it is not clobbered.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ix, err := Open(other); err == nil {
		_ = ix.Close()
		t.Fatal("Open(non-index dir) succeeded")
	}

	// An index of another mapping version is refused.
	dir := filepath.Join(t.TempDir(), "old")
	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.idx.SetInternal(mappingVersionKey, []byte("0")); err != nil {
		t.Fatal(err)
	}
	_ = ix.Close()
	if ix, err := Open(dir); err == nil || !strings.Contains(err.Error(), "mapping version") {
		if ix != nil {
			_ = ix.Close()
		}
		t.Fatalf("Open(old mapping) = %v, want a mapping version error", err)
	}
}

func TestUpsertConcurrentGroupCommit(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	arts := benchArticles(t, 42, 200)
	var wg sync.WaitGroup
	errs := make(chan error, len(arts)*2)
	for w := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker upserts its share one by one, twice (redelivery).
			for range 2 {
				for i := w; i < len(arts); i += 20 {
					errs <- ix.Upsert(ctx, arts[i])
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, ix); n != uint64(len(arts)) {
		t.Fatalf("count = %d, want %d", n, len(arts))
	}
	for _, a := range arts[:5] {
		if _, err := ix.Get(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEphemeralIndexLeavesNothing(t *testing.T) {
	ix, err := Open("")
	if err != nil {
		t.Fatal(err)
	}
	tmp := ix.tmp
	if err := ix.Upsert(context.Background(), fullArticle(t)); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("ephemeral directory %s still there: %v", tmp, err)
	}
}
