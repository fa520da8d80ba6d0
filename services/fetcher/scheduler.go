package fetcher

import (
	"container/heap"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/registry"
	"go.uber.org/zap"
)

// maxSleep bounds the scheduler's sleep, so a clock jump or a missed wake
// costs at most this much.
const maxSleep = 30 * time.Second

// scheduler keeps this replica's view of the registry (fed by a KV watch,
// so changes apply live) and a heap of when each feed becomes eligible.
// Heap entries are never updated in place: a new revision pushes a new
// entry and stale ones are skipped when popped.
type scheduler struct {
	mu     sync.Mutex
	feeds  map[string]registry.Entry
	due    dueHeap
	wake   chan struct{}
	states map[registry.State]int
	m      *metrics
}

type dueItem struct {
	at  time.Time
	key string
	rev uint64
}

type dueHeap []dueItem

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)        { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

func newScheduler(m *metrics) *scheduler {
	return &scheduler{feeds: map[string]registry.Entry{}, wake: make(chan struct{}, 1), states: map[registry.State]int{}, m: m}
}

// eligibleAt is when a replica may try to claim e: when it is due, or when
// another replica's lease runs out.
func eligibleAt(f registry.Feed) time.Time {
	if f.Lease != nil && f.Lease.Until.After(f.NextDue) {
		return f.Lease.Until
	}
	return f.NextDue
}

// set records a new revision of a feed (nil: deleted at revision rev). A
// revision older than the one known is ignored: the poller hands its own
// writes in directly, ahead of the watch, so that a watch that lags (after
// a NATS reconnect, say) does not hold back this replica's schedule.
func (s *scheduler) set(key string, e *registry.Entry, rev uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.feeds[key]; ok {
		if old.Revision >= rev {
			return
		}
		s.states[old.Feed.State]--
		delete(s.feeds, key)
	}
	if e != nil {
		s.feeds[key] = *e
		s.states[e.Feed.State]++
		if e.Feed.State.Pollable() {
			heap.Push(&s.due, dueItem{at: eligibleAt(e.Feed), key: key, rev: e.Revision})
		}
	}
	for _, st := range registry.States {
		s.m.feeds.WithLabelValues(string(st)).Set(float64(s.states[st]))
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// next pops the next feed due at now, or says how long until one is.
func (s *scheduler) next(now time.Time) (registry.Entry, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.due.Len() > 0 {
		top := s.due[0]
		cur, ok := s.feeds[top.key]
		if !ok || cur.Revision != top.rev || !cur.Feed.State.Pollable() {
			heap.Pop(&s.due) // stale
			continue
		}
		if wait := top.at.Sub(now); wait > 0 {
			return registry.Entry{}, min(wait, maxSleep), false
		}
		heap.Pop(&s.due)
		return cur, 0, true
	}
	return registry.Entry{}, maxSleep, false
}

// schedule polls the registry's feeds as they fall due, at most
// PollWorkers at once, until ctx is done; then waits for polls in flight.
func (f *Fetcher) schedule(ctx context.Context) error {
	w, err := f.reg.Watch(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	s := newScheduler(f.m)
	f.sched.Store(s)
	defer f.sched.Store(nil)
	return service.RunAll(ctx,
		func(ctx context.Context) error { return f.watch(ctx, w, s) },
		func(ctx context.Context) error { return f.dispatch(ctx, s) },
	)
}

func (f *Fetcher) watch(ctx context.Context, w jetstream.KeyWatcher, s *scheduler) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case kve, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("feed registry watch ended")
			}
			if kve == nil {
				continue // end of the initial values
			}
			if kve.Operation() != jetstream.KeyValuePut {
				s.set(kve.Key(), nil, kve.Revision())
				continue
			}
			e, err := registry.Decode(kve)
			if err != nil {
				f.log.Error("bad feed record", zap.String("key", kve.Key()), zap.Error(err))
				continue
			}
			s.set(kve.Key(), &e, e.Revision)
		}
	}
}

func (f *Fetcher) dispatch(ctx context.Context, s *scheduler) error {
	sem := make(chan struct{}, f.cfg.PollWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		e, wait, ok := s.next(time.Now())
		if ok {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				f.claimAndPoll(ctx, e)
			}()
			continue
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// claimAndPoll takes the feed's lease and polls it; losing the race for
// the lease to another replica is the normal case with several replicas.
func (f *Fetcher) claimAndPoll(ctx context.Context, e registry.Entry) {
	claimed, err := f.reg.Claim(ctx, e, f.id, time.Now(), f.cfg.LeaseTimeout)
	switch {
	case err == nil:
	case errors.Is(err, registry.ErrConflict):
		// Another replica (or the operator) wrote first: its write reaches
		// this replica's schedule through the watch.
		f.m.claims.WithLabelValues("lost").Inc()
		f.log.Debug("claim feed: another writer was first", zap.String("feed_url", e.Feed.URL), zap.Error(err))
		return
	case ctx.Err() != nil:
		return
	default:
		f.m.claims.WithLabelValues("error").Inc()
		f.log.Warn("claim feed", zap.String("feed_url", e.Feed.URL), zap.Error(err))
		return
	}
	f.m.claims.WithLabelValues("won").Inc()
	_, _ = f.pollClaimed(ctx, claimed, pollHostWait)
}

// noteEntry hands a record this replica wrote to its scheduler.
func (f *Fetcher) noteEntry(e registry.Entry) {
	if s := f.sched.Load(); s != nil {
		s.set(e.Key, &e, e.Revision)
	}
}
