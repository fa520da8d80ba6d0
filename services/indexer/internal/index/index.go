// Package index is the embedded article index: a bleve index keyed by article
// id, with per-language full-text fields, keyword filters and the whole
// article stored (once: doc_json) so that Get returns it exactly and hits
// and their snippets are made from it.
//
// Writes are idempotent upserts that never go back to an older version of an
// article, so at-least-once delivery from NEWS_ARTICLES leaves one current
// document per article.
package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsflow/newsflow/pkg/events"
	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// Sentinel errors, for errors.Is; the same values as package search's.
var (
	// ErrNotFound means no article with the requested id is stored.
	ErrNotFound = nfsearch.ErrNotFound
	// ErrBadQuery is wrapped by every rejected search Query; the message says why.
	ErrBadQuery = nfsearch.ErrBadQuery
)

// Index is an embedded bleve (scorch) index of articles. It is safe for
// concurrent use.
type Index struct {
	idx bleve.Index
	dir string
	// tmp is the directory to remove on Close (an ephemeral index), or "".
	tmp string

	// Concurrent Upserts are group-committed: each queues its articles, and
	// whoever holds wmu next writes everything queued in one bleve batch.
	qmu   sync.Mutex
	queue []*upsertReq
	// wmu serializes commits, so that the read of the stored versions and
	// the write of the batch are not interleaved with another commit.
	wmu sync.Mutex
}

// Open opens the index at dir, creating it with the news mapping when absent
// (a missing or empty directory). An index created with another mapping
// version is refused: remove it and rebuild it from the stream.
//
// dir == "" means an ephemeral index: nothing survives Close. It lives in a
// new temporary directory (removed by Close) without waiting for fsync,
// rather than in bleve's memory-only index, which is 10–20 times slower to
// write and whose in-memory scorch variant never merges segments.
func Open(dir string) (*Index, error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "newsflow-index-*")
		if err != nil {
			return nil, fmt.Errorf("index: ephemeral directory: %w", err)
		}
		ix, err := create(filepath.Join(tmp, "index"), scorchConfig(true))
		if err != nil {
			_ = os.RemoveAll(tmp)
			return nil, err
		}
		ix.tmp = tmp
		return ix, nil
	}

	idx, err := bleve.OpenUsing(dir, scorchConfig(false))
	switch {
	case err == nil:
		v, err := idx.GetInternal(mappingVersionKey)
		if err != nil {
			_ = idx.Close()
			return nil, fmt.Errorf("index %s: read mapping version: %w", dir, err)
		}
		if string(v) != mappingVersion {
			_ = idx.Close()
			return nil, fmt.Errorf("index %s: mapping version %q, want %q: remove it and rebuild it from the stream", dir, v, mappingVersion)
		}
		return &Index{idx: idx, dir: dir}, nil
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist), errors.Is(err, bleve.ErrorIndexMetaMissing) && dirEmpty(dir):
		return create(dir, scorchConfig(false))
	default:
		return nil, fmt.Errorf("index %s: open: %w", dir, err)
	}
}

// scorchConfig is the scorch configuration of every index: given when it
// is created, and again when it is opened (runtime settings override the
// stored ones), so that an index keeps up with this build's tuning.
//
// FloorSegmentSize: the merge planner counts a segment of fewer live
// articles than this as that big. bleve's default (2000) made each batch's
// segment (≤ 100 articles, --index-batch-size) look twenty times its size,
// so that a small index stayed within a budget of a handful of segments by
// merging the new small ones into the big one over and over: merging was
// a third of the CPU of an upsert. At 100 the tiers are 100, 1,000,
// 10,000... articles (10 segments each, merged 10 at a time), and an
// article is rewritten once per tier. More segments per tier or per merge,
// a lower floor, and persister naps (which only help unsafe batches) did
// not measurably save more. The price is more segments to search: at
// 100,000 articles (bench/querylat, batches of 100) searches took a
// median 30 ms against 24 ms with bleve's default policy, for indexing at
// 1,800 docs/s instead of 1,000.
func scorchConfig(ephemeral bool) map[string]interface{} {
	c := map[string]interface{}{
		"scorchMergePlanOptions": map[string]interface{}{
			"FloorSegmentSize": 100,
		},
	}
	if ephemeral {
		// No fsync: nothing of an ephemeral index survives anyway.
		c["unsafe_batch"] = true
	}
	return c
}

// create makes a new scorch index at dir and records the mapping version.
func create(dir string, config map[string]interface{}) (*Index, error) {
	m, err := newsMapping()
	if err != nil {
		return nil, err
	}
	idx, err := bleve.NewUsing(dir, m, scorch.Name, scorch.Name, config)
	if err != nil {
		return nil, fmt.Errorf("index %s: create: %w", dir, err)
	}
	if err := idx.SetInternal(mappingVersionKey, []byte(mappingVersion)); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("index %s: write mapping version: %w", dir, err)
	}
	return &Index{idx: idx, dir: dir}, nil
}

// dirEmpty reports whether dir is an existing, empty directory.
func dirEmpty(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err == nil && len(entries) == 0
}

// Close closes the index; on disk, everything Upsert returned for is already
// persisted.
func (ix *Index) Close() error {
	err := ix.idx.Close()
	if ix.tmp != "" {
		err = errors.Join(err, os.RemoveAll(ix.tmp))
	}
	if err != nil {
		return fmt.Errorf("index %s: close: %w", ix.dir, err)
	}
	return nil
}

// Upsert writes arts in one bleve batch, keyed by article id, and returns
// after the batch is committed (on disk: persisted and synced). A redelivered
// article replaces its document, so each id has one document. Concurrent
// calls are committed together in one batch (group commit), so callers of
// one article each share the cost of a commit (and its fsync).
//
// Upsert never goes back to an older version: an article whose ModifiedAt is
// older than the stored one's is skipped; when either lacks ModifiedAt, or
// both are equal, the one fetched earlier (FetchedAt) is skipped. Of several
// versions of one id in arts, the newest is written (the later one on a tie).
//
// Every article is validated first (events.Encode); if any is invalid the
// error wraps events.ErrInvalid and nothing is written. ctx is checked
// before the articles are queued; a commit under way is not interrupted.
func (ix *Index) Upsert(ctx context.Context, arts ...*events.Article) error {
	if len(arts) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("index upsert: %w", err)
	}
	r := &upsertReq{items: make([]pending, 0, len(arts)), done: make(chan struct{})}
	for i, a := range arts {
		if a == nil {
			return fmt.Errorf("index upsert: article %d is nil: %w", i, events.ErrInvalid)
		}
		c := nfsearch.CloneForEncode(a)
		data, err := events.Encode(c)
		if err != nil {
			return fmt.Errorf("index upsert: article %d (id %q): %w", i, a.ID, err)
		}
		r.items = append(r.items, pending{art: c, data: data, ver: nfsearch.VersionOf(c)})
	}

	ix.qmu.Lock()
	ix.queue = append(ix.queue, r)
	ix.qmu.Unlock()

	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	select {
	case <-r.done: // committed by another caller's group
		return r.err
	default:
	}
	ix.qmu.Lock()
	group := ix.queue
	ix.queue = nil
	ix.qmu.Unlock()

	err := ix.commit(group)
	for _, g := range group {
		g.err = err
		close(g.done)
	}
	return r.err
}

// upsertReq is one Upsert call waiting for its group commit.
type upsertReq struct {
	items []pending
	done  chan struct{} // closed once err is set
	err   error
}

// pending is one validated, encoded article.
type pending struct {
	art  *events.Article
	data []byte
	ver  nfsearch.Version
}

// commit writes the articles of group in one batch, skipping those older
// than what is stored or than another version in the group. The caller holds wmu.
func (ix *Index) commit(group []*upsertReq) error {
	byID := make(map[string]*pending)
	var order []string
	for _, r := range group {
		for i := range r.items {
			p := &r.items[i]
			prev, ok := byID[p.art.ID]
			if !ok {
				order = append(order, p.art.ID)
			}
			if !ok || !p.ver.OlderThan(prev.ver) {
				byID[p.art.ID] = p
			}
		}
	}
	// The commit is shared by every caller in the group, so no one caller's
	// context may cut it short.
	stored, err := ix.storedVersions(context.Background(), order)
	if err != nil {
		return err
	}
	b := ix.idx.NewBatch()
	for _, id := range order {
		p := byID[id]
		if sv, ok := stored[id]; ok && p.ver.OlderThan(sv) {
			continue
		}
		if err := b.Index(id, toDoc(p.art, p.data)); err != nil {
			return fmt.Errorf("index upsert: article %s: %w", id, err)
		}
	}
	if b.Size() == 0 {
		return nil
	}
	if err := ix.idx.Batch(b); err != nil {
		return fmt.Errorf("index upsert: batch of %d: %w", b.Size(), err)
	}
	return nil
}

// storedVersions returns the stored version of each of ids that is present,
// with one search.
func (ix *Index) storedVersions(ctx context.Context, ids []string) (map[string]nfsearch.Version, error) {
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{fieldVersion}
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index upsert: read stored versions: %w", err)
	}
	out := make(map[string]nfsearch.Version, len(res.Hits))
	for _, h := range res.Hits {
		s, _ := h.Fields[fieldVersion].(string)
		v, err := nfsearch.ParseVersion(s)
		if err != nil {
			return nil, fmt.Errorf("index upsert: stored article %s: %w", h.ID, err)
		}
		out[h.ID] = v
	}
	return out, nil
}

// Get returns the stored article with the given id, exactly as it was
// upserted (times in UTC); the error wraps ErrNotFound when there is none.
func (ix *Index) Get(ctx context.Context, id string) (*events.Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("index get %q: %w", id, err)
	}
	if id == "" {
		return nil, fmt.Errorf("index get: empty id: %w", ErrNotFound)
	}
	doc, err := ix.idx.Document(id)
	if err != nil {
		return nil, fmt.Errorf("index get %q: %w", id, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("index get %q: %w", id, ErrNotFound)
	}
	var data []byte
	doc.VisitFields(func(f bleveindex.Field) {
		if f.Name() == fieldDoc {
			data = append([]byte(nil), f.Value()...)
		}
	})
	if data == nil {
		return nil, fmt.Errorf("index get %q: document has no %s field", id, fieldDoc)
	}
	a, err := events.DecodeArticle(data)
	if err != nil {
		return nil, fmt.Errorf("index get %q: %w", id, err)
	}
	return a, nil
}

// Count returns the number of articles in the index.
func (ix *Index) Count() (uint64, error) {
	n, err := ix.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("index %s: count: %w", ix.dir, err)
	}
	return n, nil
}

// Usage returns the number of articles and the size of the index's files.
func (ix *Index) Usage(ctx context.Context) (nfsearch.Usage, error) {
	n, err := ix.Count()
	if err != nil {
		return nfsearch.Usage{}, err
	}
	u := nfsearch.Usage{Documents: n}
	// Scorch adds and removes segment files while merging: a file gone
	// between listing and stat is not an error.
	err = filepath.WalkDir(ix.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				u.Bytes += fi.Size()
			}
		}
		return nil
	})
	if err != nil {
		return nfsearch.Usage{}, fmt.Errorf("index %s: size: %w", ix.dir, err)
	}
	return u, nil
}

// Ping reports whether the index answers.
func (ix *Index) Ping(context.Context) error {
	_, err := ix.Count()
	return err
}
