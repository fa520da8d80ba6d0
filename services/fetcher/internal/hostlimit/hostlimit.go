// Package hostlimit keeps the fetcher polite to each host, across every
// replica: at most N requests to one host at once, and a minimum delay
// between the starts of two requests to one host.
//
// Both limits live in one record per host in a JetStream key-value bucket:
// the host's "next free start" time and its held slots, each slot an owner
// id and an expiry. A request books its turn with one revision-checked
// update (compare-and-swap) that takes a slot and moves the next free start
// on by the delay, then sleeps until its booked start; when it ends it
// removes its slot with another. No replica holds a lock: a lost race costs
// a read and a retry, and a replica that dies with slots held leaves them
// to expire (Options.Hold after the booked start), so it cannot starve a
// host for longer than that.
//
// A replica also keeps a local semaphore of the same size per host, so its
// own workers queue in memory rather than polling the bucket, and a release
// wakes its local waiters at once; waiters on another replica's slots poll
// the record with a jittered backoff.
package hostlimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/kvcas"
)

// Bucket holds each host's record.
const Bucket = "newsflow_hosts"

// DefaultHold is Options.Hold when zero.
const DefaultHold = 2 * time.Minute

// Poll backoff while every slot of a host is held by other replicas.
const (
	minPoll = 20 * time.Millisecond
	maxPoll = 500 * time.Millisecond
)

// BucketConfig is the configuration of Bucket with the given replica count
// (0: 1). A host's record matters for one delay or one Hold; an hour's TTL
// keeps the bucket small without racing either. Memory storage: losing the
// records in a restart costs at most one delay per host.
func BucketConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "per-host request slots and next free start (newsflow fetcher politeness)",
		TTL:         time.Hour,
		History:     1,
		Storage:     jetstream.MemoryStorage,
		Replicas:    max(replicas, 1),
	}
}

// ErrBusy matches every *BusyError.
var ErrBusy = errors.New("host busy")

// BusyError means the host would not be free within the caller's maximum
// wait; Wait is about how long until it is worth asking again.
type BusyError struct {
	Host string
	Wait time.Duration
}

// Error implements error.
func (e *BusyError) Error() string {
	return fmt.Sprintf("host %s busy for %s", e.Host, e.Wait.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Options configure a Limiter.
type Options struct {
	// Concurrency is the most requests to one host at once across every
	// replica sharing the bucket (0: unlimited).
	Concurrency int
	// Delay is the least time between the starts of two requests to one
	// host, across replicas (0: none).
	Delay time.Duration
	// Hold is the longest a slot is held, counted from the request's
	// booked start: a slot whose owner died (or never released it) frees
	// itself after this. Make it longer than any request can take
	// (0: DefaultHold).
	Hold time.Duration
	// Owner names this replica in slots, for operators reading the bucket
	// (empty: random).
	Owner string
}

// Limiter limits requests per host. With neither a concurrency nor a
// delay it lets everything through and uses no bucket.
type Limiter struct {
	kv    jetstream.KeyValue
	o     Options
	seq   atomic.Uint64
	mu    sync.Mutex
	hosts map[string]*host
}

type host struct {
	sem  chan struct{}
	key  string
	rev  uint64 // last revision of the host's record we know of (0: none)
	rec  record // its value at rev
	wake chan struct{}
}

// record is a host's value in the bucket. Times are Unix nanoseconds.
type record struct {
	Next  int64  `json:"next,omitempty"`
	Slots []slot `json:"slots,omitempty"`
}

type slot struct {
	ID    string `json:"id"`
	Until int64  `json:"until"`
}

// decodeRecord reads a record; an earlier version stored the next free
// start alone as a decimal number, which is still understood. A bad record
// decodes as empty: it costs at most one delay, never a stuck host.
func decodeRecord(b []byte) record {
	var r record
	if len(b) > 0 && b[0] == '{' {
		if json.Unmarshal(b, &r) != nil {
			return record{}
		}
		return r
	}
	r.Next, _ = strconv.ParseInt(string(b), 10, 64)
	return r
}

// live returns the slots not expired at now.
func (r record) live(now int64) []slot {
	out := make([]slot, 0, len(r.Slots))
	for _, s := range r.Slots {
		if s.Until > now {
			out = append(out, s)
		}
	}
	return out
}

// Open returns a Limiter, opening (or creating) the bucket when a limit is
// set.
func Open(ctx context.Context, js jetstream.JetStream, o Options) (*Limiter, error) {
	if o.Hold <= 0 {
		o.Hold = DefaultHold
	}
	if o.Owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		o.Owner = hex.EncodeToString(b[:])
	}
	l := &Limiter{o: o, hosts: map[string]*host{}}
	if o.Delay > 0 || o.Concurrency > 0 {
		kv, err := service.EnsureKV(ctx, js, BucketConfig(1))
		if err != nil {
			return nil, err
		}
		l.kv = kv
	}
	return l, nil
}

func (l *Limiter) host(name string) *host {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.hosts[name]
	if h == nil {
		h = &host{key: key(name), wake: make(chan struct{})}
		if l.o.Concurrency > 0 {
			h.sem = make(chan struct{}, l.o.Concurrency)
		}
		l.hosts[name] = h
	}
	return h
}

// Acquire waits for a turn at hostname and returns the function that ends
// it; call it as soon as the request is done. When the turn would come
// later than maxWait from now it returns a *BusyError instead of waiting
// longer (maxWait 0: wait as long as ctx allows), so a caller with other
// work can come back later.
func (l *Limiter) Acquire(ctx context.Context, hostname string, maxWait time.Duration) (release func(), err error) {
	hostname = strings.ToLower(hostname)
	h := l.host(hostname)
	var deadline time.Time
	if maxWait > 0 {
		deadline = time.Now().Add(maxWait)
	}
	releaseLocal := func() {}
	if h.sem != nil {
		var timeout <-chan time.Time
		if maxWait > 0 {
			t := time.NewTimer(maxWait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case h.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout:
			return nil, &BusyError{Host: hostname, Wait: maxWait}
		}
		releaseLocal = func() { <-h.sem }
	}
	if l.kv == nil {
		var once sync.Once
		return func() { once.Do(releaseLocal) }, nil
	}
	start, id, err := l.book(ctx, hostname, h, deadline, maxWait)
	if err != nil {
		releaseLocal()
		return nil, err
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if id != "" {
				l.free(hostname, h, id)
			}
			releaseLocal()
		})
	}
	if d := time.Until(start); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}

// book takes a slot (when concurrency is limited) and the host's next free
// start (when a delay is set), waiting while every slot is held, and
// returns the start and the slot's id.
func (l *Limiter) book(ctx context.Context, hostname string, h *host, deadline time.Time, maxWait time.Duration) (time.Time, string, error) {
	poll := minPoll
	for {
		l.mu.Lock()
		wake := h.wake
		l.mu.Unlock()
		start, id, err := l.tryBook(ctx, hostname, h, deadline, maxWait)
		if !errors.Is(err, errFull) {
			return start, id, err
		}
		// Every slot is held: wait for a local release, or look again.
		wait := poll/2 + mrand.N(poll/2+1)
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return time.Time{}, "", &BusyError{Host: hostname, Wait: maxWait}
			}
			wait = min(wait, left)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Time{}, "", ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
		poll = min(poll*3/2, maxPoll)
	}
}

// errFull means every slot of the host is held, as of a fresh read.
var errFull = errors.New("every slot held")

// tryBook makes one booking attempt: a few compare-and-swap rounds, first
// from the record this replica last saw and then from fresh reads.
func (l *Limiter) tryBook(ctx context.Context, hostname string, h *host, deadline time.Time, maxWait time.Duration) (time.Time, string, error) {
	l.mu.Lock()
	rev, rec := h.rev, h.rec
	l.mu.Unlock()
	fresh := false
	for range 20 {
		now := time.Now()
		slots := rec.live(now.UnixNano())
		start := now
		if l.o.Delay > 0 && rec.Next > now.UnixNano() {
			start = time.Unix(0, rec.Next)
		}
		switch {
		case l.o.Concurrency > 0 && len(slots) >= l.o.Concurrency:
			if fresh {
				return time.Time{}, "", errFull
			}
		case !deadline.IsZero() && start.After(deadline) && start.After(now):
			// (A turn that is free now is taken even when the round trips
			// to get here used up maxWait.)
			if fresh {
				return time.Time{}, "", &BusyError{Host: hostname, Wait: start.Sub(now)}
			}
		default:
			upd := record{Next: rec.Next, Slots: slots}
			if l.o.Delay > 0 {
				upd.Next = start.Add(l.o.Delay).UnixNano()
			}
			var id string
			if l.o.Concurrency > 0 {
				id = l.o.Owner + "-" + strconv.FormatUint(l.seq.Add(1), 36)
				upd.Slots = append(upd.Slots, slot{ID: id, Until: start.Add(l.o.Hold).UnixNano()})
			}
			newRev, err := l.put(ctx, h.key, rev, upd)
			if err == nil {
				l.remember(h, newRev, upd)
				return start, id, nil
			}
			if ctx.Err() != nil {
				return time.Time{}, "", ctx.Err()
			}
			if !kvcas.Conflict(err) {
				return time.Time{}, "", fmt.Errorf("host limit %s: %w", hostname, err)
			}
		}
		// Our copy is old, or someone else wrote first: read and retry.
		var err error
		if rev, rec, err = l.get(ctx, h.key); err != nil {
			return time.Time{}, "", fmt.Errorf("host limit %s: %w", hostname, err)
		}
		l.remember(h, rev, rec)
		fresh = true
	}
	return time.Time{}, "", fmt.Errorf("host limit %s: too much contention", hostname)
}

// free removes slot id from the host's record and wakes local waiters. It
// uses its own short timeout: a release must happen even when the caller's
// context is done, and a failed one only leaves the slot to expire.
func (l *Limiter) free(hostname string, h *host, id string) {
	defer func() {
		l.mu.Lock()
		close(h.wake)
		h.wake = make(chan struct{})
		l.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l.mu.Lock()
	rev, rec := h.rev, h.rec
	l.mu.Unlock()
	fresh := false
	for range 20 {
		kept := make([]slot, 0, len(rec.Slots))
		for _, s := range rec.Slots {
			if s.ID != id {
				kept = append(kept, s)
			}
		}
		switch {
		case len(kept) == len(rec.Slots):
			if fresh {
				return // not there: it expired and another writer dropped it
			}
		default:
			upd := record{Next: rec.Next, Slots: kept}
			newRev, err := l.put(ctx, h.key, rev, upd)
			if err == nil {
				l.remember(h, newRev, upd)
				return
			}
			if !kvcas.Conflict(err) {
				return // the slot expires
			}
		}
		var err error
		if rev, rec, err = l.get(ctx, h.key); err != nil || rev == 0 {
			return // unreadable, or the record itself expired
		}
		l.remember(h, rev, rec)
		fresh = true
	}
}

func (l *Limiter) remember(h *host, rev uint64, rec record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Keep the newest: concurrent acquires may finish out of order.
	if rev >= h.rev || rev == 0 {
		h.rev, h.rec = rev, rec
	}
}

// put writes rec if the key is still at rev (0: does not exist).
func (l *Limiter) put(ctx context.Context, key string, rev uint64, rec record) (uint64, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	if rev == 0 {
		return l.kv.Create(ctx, key, b)
	}
	return l.kv.Update(ctx, key, b, rev)
}

// get reads a host's record; rev 0 when there is none.
func (l *Limiter) get(ctx context.Context, key string) (uint64, record, error) {
	e, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return 0, record{}, nil
	case err != nil:
		return 0, record{}, err
	}
	return e.Revision(), decodeRecord(e.Value()), nil
}

func key(hostname string) string {
	sum := sha256.Sum256([]byte(hostname))
	return hex.EncodeToString(sum[:16])
}
