package indexer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/indexer"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/pgindex"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
	"github.com/newsflow/newsflow/services/indexer/internal/searchtest"
)

// ingest publishes the suite's corpus as the parser would, then a newer
// version of article 0 and a message that is not an article. It returns
// the corpus with article 0 replaced by its newer version.
func ingest(t *testing.T, js jetstream.JetStream) []*events.Article {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	arts := searchtest.Corpus(t)
	for _, a := range arts {
		if err := service.Publish(ctx, js, a, events.StageParser, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	newer := *arts[0]
	mod := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	newer.ModifiedAt = &mod
	newer.Title = "Volcano erupts in Iceland again"
	newer.ContentHash = strings.Repeat("cd", 32) // a new Nats-Msg-Id: not a duplicate publish
	if err := service.Publish(ctx, js, &newer, events.StageParser, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "news.articles.v1.broken_example", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	arts[0] = &newer
	return arts
}

// openIndex opens the bleve index in dir for the test.
func openIndex(t *testing.T, dir string) *index.Index {
	t.Helper()
	ix, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// stray is an article that the stream does not hold.
func stray(t *testing.T) *events.Article {
	return searchtest.Article(t, "https://stray.example/only-in-the-old-index", "stray.example", "en",
		"Stray", "Only the old index has it.", "2026-11-01T10:00:00Z")
}

// assertRebuilt checks that dir holds exactly the stream's articles, newest
// versions, searchable.
func assertRebuilt(t *testing.T, dir string, want []*events.Article) {
	t.Helper()
	ix := openIndex(t, dir)
	defer ix.Close()
	ctx := context.Background()
	n, err := ix.Count()
	if err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(want)) {
		t.Errorf("index has %d documents, want %d", n, len(want))
	}
	for _, a := range want {
		got, err := ix.Get(ctx, a.ID)
		if err != nil {
			t.Errorf("article %s: %v", a.URL, err)
			continue
		}
		if got.Title != a.Title {
			t.Errorf("article %s: title %q, want %q", a.URL, got.Title, a.Title)
		}
	}
	if _, err := ix.Get(ctx, stray(t).ID); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("the stray article of the old index survived: %v", err)
	}
	res, err := ix.Search(ctx, search.Query{Text: "grindavik", Expand: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 {
		t.Errorf("search grindavik: %d hits, want 3", res.Total)
	}
	if _, err := os.Stat(dir + ".reindex"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.reindex is left behind: %v", dir, err)
	}
}

func TestReindexBleve(t *testing.T) {
	js := servicetest.JetStream(t)
	want := ingest(t, js)

	tests := []struct {
		name string
		// old prepares the live directory; it returns what to do while
		// Reindex runs (or nil).
		old     func(t *testing.T, dir string) func(logs *observer.ObservedLogs)
		wait    time.Duration
		wantErr error
	}{
		{name: "no index yet", old: func(*testing.T, string) func(*observer.ObservedLogs) { return nil }, wait: time.Minute},
		{name: "replaces a stale index", wait: time.Minute, old: func(t *testing.T, dir string) func(*observer.ObservedLogs) {
			ix := openIndex(t, dir)
			if err := ix.Upsert(context.Background(), stray(t)); err != nil {
				t.Fatal(err)
			}
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
		{name: "waits for the indexer to stop", wait: time.Minute, old: func(t *testing.T, dir string) func(*observer.ObservedLogs) {
			ix := openIndex(t, dir)
			if err := ix.Upsert(context.Background(), stray(t)); err != nil {
				t.Fatal(err)
			}
			return func(logs *observer.ObservedLogs) {
				servicetest.WaitFor(t, 30*time.Second, "reindex waiting for the lock", func() bool {
					return logs.FilterMessageSnippet("waiting for the indexer").Len() > 0
				})
				if err := ix.Close(); err != nil {
					t.Error(err)
				}
			}
		}},
		{name: "index in use", wait: 0, wantErr: indexer.ErrIndexInUse, old: func(t *testing.T, dir string) func(*observer.ObservedLogs) {
			ix := openIndex(t, dir)
			t.Cleanup(func() { _ = ix.Close() })
			if err := ix.Upsert(context.Background(), stray(t)); err != nil {
				t.Fatal(err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			during := tt.old(t, dir)
			core, logs := observer.New(zap.InfoLevel)
			log := zap.New(core)
			done := make(chan struct{})
			if during != nil {
				go func() { defer close(done); during(logs) }()
			} else {
				close(done)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cfg := indexer.Config{IndexDir: dir, Durable: "indexer", BatchSize: 2}
			n, err := indexer.Reindex(ctx, js, cfg, log, indexer.WithSwapWait(tt.wait))
			<-done
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Reindex: %v, want %v", err, tt.wantErr)
				}
				// The live index is untouched, the fresh one removed.
				if _, err := os.Stat(dir + ".reindex"); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s.reindex is left behind: %v", dir, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Reindex: %v", err)
			}
			// Six articles (one id twice); the broken message is skipped.
			if n != 6 {
				t.Errorf("Reindex wrote %d articles, want 6", n)
			}
			if logs.FilterMessageSnippet("not a valid article").Len() != 1 {
				t.Errorf("the broken message was not logged once: %v", logs.All())
			}
			assertRebuilt(t, dir, want)
		})
	}
}

func TestReindexRefusesMemoryIndex(t *testing.T) {
	js := servicetest.JetStream(t)
	_, err := indexer.Reindex(context.Background(), js, indexer.Config{Durable: "indexer"}, zaptest.NewLogger(t))
	if err == nil || !strings.Contains(err.Error(), "in memory") {
		t.Fatalf("Reindex of an in-memory index: %v, want a clear error", err)
	}
}

func TestReindexEmptyStream(t *testing.T) {
	js := servicetest.JetStream(t)
	dir := filepath.Join(t.TempDir(), "index")
	n, err := indexer.Reindex(context.Background(), js, indexer.Config{IndexDir: dir, Durable: "indexer"}, zaptest.NewLogger(t))
	if err != nil || n != 0 {
		t.Fatalf("Reindex of an empty stream: %d, %v", n, err)
	}
	ix := openIndex(t, dir)
	defer ix.Close()
	if c, err := ix.Count(); err != nil || c != 0 {
		t.Fatalf("count %d, %v; want an empty index", c, err)
	}
}

// TestReindexPostgres replays the stream into the same table twice: the
// upserts by id leave one current row per article each time.
func TestReindexPostgres(t *testing.T) {
	dsn := os.Getenv("NEWSFLOW_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("NEWSFLOW_PG_DSN is unset in CI")
		}
		t.Skip("NEWSFLOW_PG_DSN is unset: run `export NEWSFLOW_PG_DSN=$(scripts/pg.sh)` to test against PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	schema := fmt.Sprintf("test_reindex_%d", time.Now().UnixNano())
	// The schema is created (and dropped) through pgindex; Reindex reaches
	// it through the DSN's search_path, as an operator's DSN would.
	ix, err := pgindex.Open(ctx, dsn, pgindex.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = ix.DropSchema(context.Background(), schema)
		_ = ix.Close()
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	if !strings.Contains(dsn, "://") {
		t.Skip("this test adds search_path to a URL DSN; NEWSFLOW_PG_DSN is a keyword DSN")
	}
	cfg := indexer.Config{Backend: indexer.BackendPostgres, PGDSN: dsn + sep + "search_path=" + schema, Durable: "indexer", BatchSize: 4}

	js := servicetest.JetStream(t)
	want := ingest(t, js)
	for run := 1; run <= 2; run++ {
		n, err := indexer.Reindex(ctx, js, cfg, zaptest.NewLogger(t))
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if n != 6 {
			t.Errorf("run %d: wrote %d articles, want 6", run, n)
		}
		u, err := ix.Usage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u.Documents != uint64(len(want)) || u.Bytes <= 0 {
			t.Errorf("run %d: %d rows, %d bytes; want %d rows", run, u.Documents, u.Bytes, len(want))
		}
		got, err := ix.Get(ctx, want[0].ID)
		if err != nil || got.Title != want[0].Title {
			t.Errorf("run %d: article 0 is %v, %v; want the newer version %q", run, got, err, want[0].Title)
		}
	}
}
