// Package pgindex is the shared, server-backed article index: PostgreSQL
// full-text search with the same API as the embedded bleve index, for
// operators who run several indexer replicas on one store (competing
// consumers). Each article's tsvector is built in its language's text search
// configuration with weights A (title), B (description), C (body) and kept
// in a partial GIN index per configuration (so a match is answered by the
// index without reading the tsvectors); queries use websearch_to_tsquery
// per term, and one statement finds the matches once for the count, the
// facets and the ranked window.
//
// Upserts by id never go back to an older version: the rule (newer
// modified_at wins; else the later fetch) is in the SQL, so replicas racing
// on one article cannot undo each other.
package pgindex

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serializes migrations of
// replicas starting at once.
const migrationLock = 727_001

// Index is a PostgreSQL article index. It is safe for concurrent use.
type Index struct {
	pool *pgxpool.Pool
}

// Option configures Open.
type Option func(*options)

type options struct {
	schema string
}

// WithSchema keeps the tables in schema (created if missing) instead of the
// connection's default search_path: tests use one schema each.
func WithSchema(schema string) Option { return func(o *options) { o.schema = schema } }

// Open connects to dsn and applies the schema migrations this build has
// that the database lacks.
func Open(ctx context.Context, dsn string, opts ...Option) (*Index, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgindex: parse dsn: %w", err)
	}
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = o.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgindex: connect: %w", err)
	}
	ix := &Index{pool: pool}
	if o.schema != "" {
		if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{o.schema}.Sanitize()); err != nil {
			pool.Close()
			return nil, fmt.Errorf("pgindex: create schema: %w", err)
		}
	}
	if err := ix.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return ix, nil
}

// migrate applies every embedded migration newer than the database's
// version, each in its own transaction, under an advisory lock.
func (ix *Index) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("pgindex: migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("pgindex: migration %s: name must start with its version: %w", base, err)
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("pgindex: migration %s: %w", base, err)
		}
		err = pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return err
			}
			var done bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", v).Scan(&done); err != nil {
				return err
			}
			if done {
				return nil
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", v, base)
			return err
		})
		if err != nil {
			return fmt.Errorf("pgindex: migration %s: %w", base, err)
		}
	}
	return nil
}

// Close closes the connection pool.
func (ix *Index) Close() error {
	ix.pool.Close()
	return nil
}

// Ping reports whether the database answers.
func (ix *Index) Ping(ctx context.Context) error {
	if err := ix.pool.Ping(ctx); err != nil {
		return fmt.Errorf("pgindex: ping: %w", err)
	}
	return nil
}

// upsertSQL writes one article unless the stored version is newer: by
// modified_ns when both know it and they differ, else by fetched_ns. An
// equal version rewrites the row (a redelivery is harmless).
const upsertSQL = `
INSERT INTO articles (id, doc, url, title, description, body, source_domain, source_name, language,
    authors, tags, published_at, simhash, modified_ns, fetched_ns, cfg)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::regconfig)
ON CONFLICT (id) DO UPDATE SET
    doc = EXCLUDED.doc, url = EXCLUDED.url, title = EXCLUDED.title, description = EXCLUDED.description,
    body = EXCLUDED.body, source_domain = EXCLUDED.source_domain, source_name = EXCLUDED.source_name,
    language = EXCLUDED.language, authors = EXCLUDED.authors, tags = EXCLUDED.tags,
    published_at = EXCLUDED.published_at, simhash = EXCLUDED.simhash,
    modified_ns = EXCLUDED.modified_ns, fetched_ns = EXCLUDED.fetched_ns, cfg = EXCLUDED.cfg
WHERE NOT (CASE
    WHEN EXCLUDED.modified_ns <> 0 AND articles.modified_ns <> 0 AND EXCLUDED.modified_ns <> articles.modified_ns
    THEN EXCLUDED.modified_ns < articles.modified_ns
    ELSE EXCLUDED.fetched_ns < articles.fetched_ns END)`

// Upsert writes arts in one transaction, keyed by article id, and returns
// after it is committed. Of several versions of one id in arts the newest
// is written; an article older than the stored one is skipped. Every
// article is validated first; if any is invalid the error wraps
// events.ErrInvalid and nothing is written.
func (ix *Index) Upsert(ctx context.Context, arts ...*events.Article) error {
	if len(arts) == 0 {
		return nil
	}
	type row struct {
		a    *events.Article
		data []byte
		v    search.Version
	}
	byID := map[string]*row{}
	var order []string
	for i, a := range arts {
		if a == nil {
			return fmt.Errorf("pgindex upsert: article %d is nil: %w", i, events.ErrInvalid)
		}
		c := search.CloneForEncode(a)
		data, err := events.Encode(c)
		if err != nil {
			return fmt.Errorf("pgindex upsert: article %d (id %q): %w", i, a.ID, err)
		}
		r := &row{a: c, data: data, v: search.VersionOf(c)}
		prev, ok := byID[c.ID]
		if !ok {
			order = append(order, c.ID)
		}
		if !ok || !r.v.OlderThan(prev.v) {
			byID[c.ID] = r
		}
	}
	// A fixed order of ids keeps concurrent batches from deadlocking on rows.
	slices.Sort(order)
	err := pgx.BeginFunc(ctx, ix.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, id := range order {
			r := byID[id]
			a := r.a
			b.Queue(upsertSQL, a.ID, r.data, a.URL, a.Title, a.Description, a.Text,
				strings.ToLower(a.Source.Domain), a.Source.Name, search.NormLang(a.Language),
				lowerAll(a.Authors), lowerAll(a.Tags), a.PublishedAt, a.SimHash,
				r.v.Modified, r.v.Fetched, search.PGConfig(a.Language))
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("pgindex upsert: batch of %d: %w", len(order), err)
	}
	return nil
}

// Get returns the stored article with the given id; the error wraps
// search.ErrNotFound when there is none.
func (ix *Index) Get(ctx context.Context, id string) (*events.Article, error) {
	if id == "" {
		return nil, fmt.Errorf("pgindex get: empty id: %w", search.ErrNotFound)
	}
	var data []byte
	err := ix.pool.QueryRow(ctx, "SELECT doc FROM articles WHERE id = $1", id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgindex get %q: %w", id, search.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("pgindex get %q: %w", id, err)
	}
	a, err := events.DecodeArticle(data)
	if err != nil {
		return nil, fmt.Errorf("pgindex get %q: %w", id, err)
	}
	return a, nil
}

// Count returns the number of stored articles.
func (ix *Index) Count(ctx context.Context) (uint64, error) {
	var n int64
	if err := ix.pool.QueryRow(ctx, "SELECT count(*) FROM articles").Scan(&n); err != nil {
		return 0, fmt.Errorf("pgindex count: %w", err)
	}
	return uint64(n), nil
}

func lowerAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, strings.ToLower(strings.TrimSpace(s)))
	}
	return out
}

// Usage returns the number of stored articles and the size of the articles
// table with its indexes, in one round trip.
func (ix *Index) Usage(ctx context.Context) (search.Usage, error) {
	var u search.Usage
	var n int64
	err := ix.pool.QueryRow(ctx, "SELECT count(*), pg_total_relation_size('articles'::regclass) FROM articles").Scan(&n, &u.Bytes)
	if err != nil {
		return search.Usage{}, fmt.Errorf("pgindex usage: %w", err)
	}
	u.Documents = uint64(n)
	return u, nil
}

// DropSchema drops schema and everything in it: for tests that opened the
// index WithSchema.
func (ix *Index) DropSchema(ctx context.Context, schema string) error {
	if _, err := ix.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("pgindex: drop schema %s: %w", schema, err)
	}
	return nil
}
