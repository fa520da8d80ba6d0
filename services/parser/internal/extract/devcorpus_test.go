package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

// TestDevCorpus runs the extractor over a scored corpus and writes one JSON
// line per page for shared/tools/score-extraction --predictions. It runs only
// when NEWSFLOW_DEV_CORPUS names the corpus directory (pages/ and
// truth.json); the output goes to NEWSFLOW_DEV_OUT (default dev.jsonl in the
// test's temp dir, logged).
func TestDevCorpus(t *testing.T) {
	dir := os.Getenv("NEWSFLOW_DEV_CORPUS")
	if dir == "" {
		t.Skip("NEWSFLOW_DEV_CORPUS not set")
	}
	out := os.Getenv("NEWSFLOW_DEV_OUT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "dev.jsonl")
	}
	var truth map[string]struct {
		URL string `json:"url"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "truth.json")); err == nil {
		_ = json.Unmarshal(b, &truth)
	}
	files, err := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no pages in %s: %v", dir, err)
	}
	sort.Strings(files)
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	start := time.Now()
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		id := strings.TrimSuffix(filepath.Base(path), ".html")
		u := truth[id].URL
		if u == "" {
			u = "http://fakehost/test/page.html"
		}
		page := &events.Page{SchemaVersion: events.SchemaVersion, URL: u, FetchedAt: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), HTML: string(b)}
		rec := map[string]any{"file": path}
		a, err := Article(page)
		if err != nil {
			t.Logf("%s: %v", id, err)
		} else {
			rec["text"] = a.Text
			rec["title"] = a.Title
			rec["authors"] = a.Authors
			if a.PublishedAt != nil {
				rec["published_at"] = a.PublishedAt.Format(time.RFC3339)
			}
		}
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d pages in %v; wrote %s", len(files), time.Since(start), out)
}

// BenchmarkDevCorpus extracts every page of the corpus NEWSFLOW_DEV_CORPUS
// names, for profiling on real pages:
//
//	NEWSFLOW_DEV_CORPUS=../shared/corpus/dev go test -run ^$ -bench DevCorpus -cpuprofile cpu.out
func BenchmarkDevCorpus(b *testing.B) {
	dir := os.Getenv("NEWSFLOW_DEV_CORPUS")
	if dir == "" {
		b.Skip("NEWSFLOW_DEV_CORPUS not set")
	}
	files, err := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no pages in %s: %v", dir, err)
	}
	var pages []*events.Page
	size := 0
	for _, path := range files {
		h, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		size += len(h)
		pages = append(pages, &events.Page{SchemaVersion: events.SchemaVersion, URL: "https://www.example.com/a", FetchedAt: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), HTML: string(h)})
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			_, _ = Article(p)
		}
	}
}
