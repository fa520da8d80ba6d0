package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
)

// ErrIndexInUse is returned by Reindex when the live bleve index stayed
// open (an indexer still running on it) for longer than the swap wait.
var ErrIndexInUse = index.ErrInUse

// ReindexOption configures Reindex.
type ReindexOption func(*reindexOptions)

type reindexOptions struct {
	swapWait time.Duration
	progress time.Duration
}

// WithSwapWait is how long Reindex waits, once the fresh index has caught
// up, for the indexer that has the live index open to stop (default 30
// minutes; 0 fails at once with ErrIndexInUse).
func WithSwapWait(d time.Duration) ReindexOption {
	return func(o *reindexOptions) { o.swapWait = d }
}

// The fetch of one replay batch waits at most this long for messages.
const replayFetchWait = 2 * time.Second

// Reindex rebuilds the index of cfg from the NEWS_ARTICLES stream, replayed
// from its first message by an ordered (ephemeral, unacknowledged) consumer,
// and returns the number of articles written. Articles that no longer
// decode are logged and skipped. Only what the stream still retains is
// rebuilt.
//
// bleve: the new index is built in cfg.IndexDir+".reindex" next to the
// live one while the indexer keeps running; once it has caught up with the
// stream, Reindex waits for the live index to be closed (stop the indexer:
// see WithSwapWait), catches up with what arrived meanwhile, and swaps the
// two directories atomically; the old index is removed. The indexer then
// restarts on the new index; its durable consumer re-delivers nothing it
// lacks, because the new index holds everything up to the stream's end at
// the swap.
//
// PostgreSQL: the articles are upserted again into the same table, which
// the indexer may keep writing meanwhile. Upserts by id that never go back
// to an older version make this idempotent: it repairs and refreshes rows
// (a new mapping of columns, say), but does not delete rows whose articles
// the stream no longer holds.
func Reindex(ctx context.Context, js jetstream.JetStream, cfg Config, log *zap.Logger, opts ...ReindexOption) (int, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	o := reindexOptions{swapWait: 30 * time.Minute, progress: 10 * time.Second}
	for _, f := range opts {
		f(&o)
	}
	log = log.Named("reindex")
	if cfg.Backend == BackendPostgres {
		ix, err := openStore(ctx, cfg, "")
		if err != nil {
			return 0, err
		}
		defer ix.Close()
		r, err := newReplay(ctx, js, ix, cfg, o, log)
		if err != nil {
			return 0, err
		}
		err = r.catchUp(ctx)
		return r.n, err
	}
	return reindexBleve(ctx, js, cfg, o, log)
}

// reindexBleve builds a fresh bleve index next to the live one and swaps.
func reindexBleve(ctx context.Context, js jetstream.JetStream, cfg Config, o reindexOptions, log *zap.Logger) (n int, err error) {
	if cfg.IndexDir == "" {
		return 0, errors.New("reindex: the index is in memory (--index-dir is empty): nothing to rebuild")
	}
	live := filepath.Clean(cfg.IndexDir)
	fresh := live + ".reindex"
	// A leftover of an interrupted reindex is ours to discard.
	if err := os.RemoveAll(fresh); err != nil {
		return 0, fmt.Errorf("reindex: remove %s: %w", fresh, err)
	}
	ix, err := openStore(ctx, cfg, fresh)
	if err != nil {
		return 0, err
	}
	closed := false
	defer func() {
		if !closed {
			_ = ix.Close()
		}
		if err != nil {
			_ = os.RemoveAll(fresh)
		}
	}()
	r, err := newReplay(ctx, js, ix, cfg, o, log)
	if err != nil {
		return 0, err
	}
	log.Info("rebuilding the index", zap.String("live", live), zap.String("fresh", fresh), zap.Uint64("stream_last_seq", r.target))
	if err := r.catchUp(ctx); err != nil {
		return r.n, err
	}
	unlock, err := waitLock(ctx, live, o.swapWait, log)
	if err != nil {
		return r.n, err
	}
	defer unlock()
	// What was published while the indexer was stopping is not yet in
	// fresh: catch up again, now that nobody else writes the live index.
	if err := r.retarget(ctx); err != nil {
		return r.n, err
	}
	if err := r.catchUp(ctx); err != nil {
		return r.n, err
	}
	closed = true
	if err := ix.Close(); err != nil {
		return r.n, fmt.Errorf("reindex: %w", err)
	}
	if err := index.Replace(live, fresh); err != nil {
		return r.n, fmt.Errorf("reindex: %w", err)
	}
	log.Info("index rebuilt and swapped in", zap.String("dir", live), zap.Int("articles", r.n),
		zap.Int("skipped", r.skipped), zap.Uint64("stream_seq", r.last))
	return r.n, nil
}

// waitLock takes the live index's lock, polling until wait has passed.
func waitLock(ctx context.Context, live string, wait time.Duration, log *zap.Logger) (func(), error) {
	deadline := time.Now().Add(wait)
	logged := false
	for {
		unlock, err := index.Lock(live)
		if !errors.Is(err, index.ErrInUse) {
			if err != nil {
				return nil, fmt.Errorf("reindex: %w", err)
			}
			return unlock, nil
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("reindex: caught up, but %s is still open after %s: stop the indexer using it, then run reindex again: %w",
				live, wait, ErrIndexInUse)
		}
		if !logged {
			log.Info("caught up; waiting for the indexer using the live index to stop, to swap it",
				zap.String("dir", live), zap.Duration("wait", wait))
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("reindex: waiting for %s: %w", live, ctx.Err())
		case <-time.After(min(250*time.Millisecond, time.Until(deadline))):
		}
	}
}

// replay reads NEWS_ARTICLES in order and upserts the articles in batches.
type replay struct {
	js     jetstream.JetStream
	cons   jetstream.Consumer
	ix     store
	batch  int
	log    *zap.Logger
	every  time.Duration
	target uint64 // the stream sequence to reach
	last   uint64 // the last stream sequence read
	n      int    // articles written
	// skipped counts messages that do not decode into a valid article.
	skipped int
}

func newReplay(ctx context.Context, js jetstream.JetStream, ix store, cfg Config, o reindexOptions, log *zap.Logger) (*replay, error) {
	cons, err := js.OrderedConsumer(ctx, events.StreamArticles, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("reindex: consumer on %s: %w", events.StreamArticles, err)
	}
	batch := cfg.BatchSize
	if batch <= 0 {
		batch = 100
	}
	r := &replay{js: js, cons: cons, ix: ix, batch: batch, log: log, every: o.progress}
	return r, r.retarget(ctx)
}

// retarget sets the target to the stream's last sequence now.
func (r *replay) retarget(ctx context.Context) error {
	last, err := r.streamLast(ctx)
	if err != nil {
		return err
	}
	r.target = last
	return nil
}

func (r *replay) streamLast(ctx context.Context) (uint64, error) {
	s, err := r.js.Stream(ctx, events.StreamArticles)
	if err != nil {
		return 0, fmt.Errorf("reindex: stream %s: %w", events.StreamArticles, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reindex: stream %s: %w", events.StreamArticles, err)
	}
	return info.State.LastSeq, nil
}

// catchUp reads and writes until the target sequence has been read.
func (r *replay) catchUp(ctx context.Context) error {
	lastLog := time.Now()
	empty := 0
	for r.last < r.target {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		// Ask for no more than remains, or the last fetch waits out its
		// timeout for messages that are not there.
		b, err := r.cons.Fetch(int(min(uint64(r.batch), r.target-r.last)), jetstream.FetchMaxWait(replayFetchWait))
		if err != nil {
			return fmt.Errorf("reindex: fetch: %w", err)
		}
		arts := make([]*events.Article, 0, r.batch)
		got := 0
		for msg := range b.Messages() {
			got++
			md, err := msg.Metadata()
			if err != nil {
				return fmt.Errorf("reindex: message metadata: %w", err)
			}
			r.last = md.Sequence.Stream
			art, err := events.DecodeArticle(msg.Data())
			if err != nil {
				r.skipped++
				r.log.Warn("skipping a message that is not a valid article",
					zap.Uint64("seq", r.last), zap.String("subject", msg.Subject()), zap.Error(err))
				continue
			}
			arts = append(arts, art)
		}
		if err := b.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return fmt.Errorf("reindex: fetch: %w", err)
		}
		if err := r.write(ctx, arts); err != nil {
			return err
		}
		if got > 0 {
			empty = 0
		} else {
			// Nothing came: the messages up to the target may have been
			// deleted meanwhile (limits, purge). Stop when the stream has
			// nothing after what was read.
			last, err := r.streamLast(ctx)
			if err != nil {
				return err
			}
			if last <= r.last {
				return nil
			}
			if empty++; empty >= 5 {
				return fmt.Errorf("reindex: no message for %s at stream sequence %d of %d", 5*replayFetchWait, r.last, last)
			}
		}
		if time.Since(lastLog) >= r.every {
			r.log.Info("reindex progress", zap.Int("articles", r.n), zap.Uint64("seq", r.last), zap.Uint64("target", r.target))
			lastLog = time.Now()
		}
	}
	return nil
}

// write upserts arts in one batch. If one of them is refused as invalid,
// the batch is written one by one so that only that one is skipped.
func (r *replay) write(ctx context.Context, arts []*events.Article) error {
	if len(arts) == 0 {
		return nil
	}
	err := r.ix.Upsert(ctx, arts...)
	if err == nil {
		r.n += len(arts)
		return nil
	}
	if !errors.Is(err, events.ErrInvalid) {
		return fmt.Errorf("reindex: %w", err)
	}
	for _, a := range arts {
		if err := r.ix.Upsert(ctx, a); err != nil {
			if errors.Is(err, events.ErrInvalid) {
				r.skipped++
				r.log.Warn("skipping an invalid article", zap.String("id", a.ID), zap.Error(err))
				continue
			}
			return fmt.Errorf("reindex: %w", err)
		}
		r.n++
	}
	return nil
}

// IndexInUse reports whether the bleve index in dir is open, by an indexer
// or by `newsflow run` (false when there is no index there).
func IndexInUse(dir string) (bool, error) {
	unlock, err := index.Lock(dir)
	if errors.Is(err, index.ErrInUse) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	unlock()
	return false, nil
}
