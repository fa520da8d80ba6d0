package pgindex

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
	"github.com/newsflow/newsflow/services/indexer/internal/searchtest"
)

// dsn returns NEWSFLOW_PG_DSN. Without it the test is skipped locally and
// fails in CI (CI=true), where scripts/test.sh must have started a server.
func dsn(t *testing.T) string {
	t.Helper()
	d := os.Getenv("NEWSFLOW_PG_DSN")
	if d == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("NEWSFLOW_PG_DSN is unset in CI: scripts/test.sh should have started PostgreSQL with scripts/pg.sh")
		}
		t.Skip("NEWSFLOW_PG_DSN is unset: run `export NEWSFLOW_PG_DSN=$(scripts/pg.sh)` to test against PostgreSQL")
	}
	return d
}

// openTest opens an index in a fresh schema, dropped at cleanup.
func openTest(t *testing.T) (*Index, string) {
	t.Helper()
	d := dsn(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ix, err := Open(ctx, d, WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = ix.pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		_ = ix.Close()
	})
	return ix, schema
}

func TestAPIPostgres(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Store {
		ix, _ := openTest(t)
		return ix
	})
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	ix, schema := openTest(t)
	ctx := context.Background()
	again, err := Open(ctx, dsn(t), WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("embedded migrations = %v, %v; want at least 2", files, err)
	}
	var n int
	if err := ix.pool.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(files) {
		t.Fatalf("schema_migrations rows = %d, %v; want %d", n, err, len(files))
	}
}

// TestPartialIndexes checks that every analysed language has its partial
// GIN index (migration 002) and that a search's match is answered by them
// without re-reading tsvectors: the plan of the match has no Filter on the
// articles scan.
func TestPartialIndexes(t *testing.T) {
	ix, schema := openTest(t)
	ctx := context.Background()
	for _, l := range search.Languages {
		var ok bool
		err := ix.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND tablename = 'articles'
			AND indexdef LIKE '%USING gin (tsv)%' AND indexdef LIKE '%' || $2 || '%')`, schema, "'"+l.PGConfig+"'::regconfig").Scan(&ok)
		if err != nil || !ok {
			t.Errorf("language %s: no partial GIN index on tsv for cfg %s (%v): add one in a new migration", l.Code, l.PGConfig, err)
		}
	}
	q, err := search.Normalize(search.Query{Text: "minister"})
	if err != nil {
		t.Fatal(err)
	}
	s := compile(q)
	tx, err := ix.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// No rows: make the planner pick the indexes anyway.
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	var plan string
	rows, err := tx.Query(ctx, "EXPLAIN SELECT id FROM articles WHERE "+s.where, s.args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan += line + "\n"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "articles_tsv_english") || strings.Contains(plan, "Filter:") {
		t.Errorf("match plan should use the per-language indexes and need no Filter:\n%s", plan)
	}
}

func TestUpsertNeverGoesBack(t *testing.T) {
	ctx := context.Background()
	at := func(s string) *time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &tm
	}
	version := func(title string, modified *time.Time, fetched string) *events.Article {
		a := searchtest.Article(t, "https://www.rt.com/news/1/", "rt.com", "en", title, "Some text.", "2026-11-01T10:00:00Z")
		a.ModifiedAt = modified
		a.FetchedAt = *at(fetched)
		return a
	}
	for _, tc := range []struct {
		name  string
		first []*events.Article // upserted first, one call each
		then  []*events.Article // upserted together
		want  string
	}{
		{"newer modified replaces", []*events.Article{version("old", at("2026-11-01T00:00:00Z"), "2026-11-05T00:00:00Z")},
			[]*events.Article{version("new", at("2026-11-02T00:00:00Z"), "2026-11-04T00:00:00Z")}, "new"},
		{"older modified is skipped", []*events.Article{version("new", at("2026-11-02T00:00:00Z"), "2026-11-01T00:00:00Z")},
			[]*events.Article{version("old", at("2026-11-01T00:00:00Z"), "2026-11-09T00:00:00Z")}, "new"},
		{"without modified, the later fetch wins", []*events.Article{version("later", nil, "2026-11-05T00:00:00Z")},
			[]*events.Article{version("earlier", nil, "2026-11-04T00:00:00Z")}, "later"},
		{"redelivery rewrites", []*events.Article{version("same", nil, "2026-11-05T00:00:00Z")},
			[]*events.Article{version("same", nil, "2026-11-05T00:00:00Z")}, "same"},
		{"newest of one batch", nil, []*events.Article{
			version("b", at("2026-11-03T00:00:00Z"), "2026-11-05T00:00:00Z"),
			version("a", at("2026-11-02T00:00:00Z"), "2026-11-05T00:00:00Z")}, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, _ := openTest(t)
			for _, a := range tc.first {
				if err := ix.Upsert(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			if err := ix.Upsert(ctx, tc.then...); err != nil {
				t.Fatal(err)
			}
			got, err := ix.Get(ctx, tc.then[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != tc.want {
				t.Errorf("title %q, want %q", got.Title, tc.want)
			}
			if n, err := ix.Count(ctx); err != nil || n != 1 {
				t.Errorf("count %d, %v; want 1", n, err)
			}
		})
	}
}

// TestCompetingReplicas writes versions of the same articles from two
// stores on one schema at once (two indexer replicas): the newest version
// of each survives, whatever the interleaving.
func TestCompetingReplicas(t *testing.T) {
	ix, schema := openTest(t)
	other, err := Open(context.Background(), dsn(t), WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	const n, versions = 20, 6
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, 2*versions)
	for r, st := range []*Index{ix, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := versions - 1 - r; v >= 0; v -= 2 { // one replica writes odd versions, the other even, newest first
				var batch []*events.Article
				for i := range n {
					a := searchtest.Article(t, "https://www.rt.com/news/"+string(rune('a'+i))+"/", "rt.com", "en",
						"v"+string(rune('0'+v)), "Text.", "2026-11-01T10:00:00Z")
					m := base.Add(time.Duration(v) * time.Hour)
					a.ModifiedAt = &m
					batch = append(batch, a)
				}
				errs <- st.Upsert(context.Background(), batch...)
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
	var wrong int
	if err := ix.pool.QueryRow(context.Background(), "SELECT count(*) FROM articles WHERE title <> $1", "v"+string(rune('0'+versions-1))).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if c, _ := ix.Count(context.Background()); c != n || wrong != 0 {
		t.Errorf("count %d (want %d), %d not at the newest version", c, n, wrong)
	}
}
