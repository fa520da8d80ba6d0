// Package hostlimit keeps the fetcher polite to each host: at most N
// requests at once per replica, and a minimum delay between the starts of
// requests to one host across every replica.
//
// The delay is shared through a JetStream key-value bucket: each host has a
// "next free start" timestamp, and a request reserves its start by a
// revision-checked update (compare-and-swap) that moves the timestamp on by
// the delay, then sleeps until its reserved start. Reservations queue up
// without any replica holding a lock, a crashed replica leaves nothing
// behind, and the cost is one KV update per request (plus a read when
// another replica moved the timestamp first).
//
// The trade-off: concurrency is limited per replica, not globally. A
// global semaphore would need leases with expiry in the bucket and several
// KV round trips per request; with the delay in place the requests to one
// host are started at most one per delay anyway, so the concurrency across
// replicas stays near replicas × limit only for hosts slower than the delay
// times that number.
package hostlimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
)

// Bucket holds each host's next free start time.
const Bucket = "newsflow_hosts"

// ErrBusy matches every *BusyError.
var ErrBusy = errors.New("host busy")

// BusyError means the host would not be free within the caller's maximum
// wait; Wait is about how long until it is.
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
	// Concurrency is the most requests to one host at once from this
	// replica (0: unlimited).
	Concurrency int
	// Delay is the least time between the starts of two requests to one
	// host, across replicas (0: none, and no bucket is used).
	Delay time.Duration
}

// Limiter limits requests per host.
type Limiter struct {
	kv    jetstream.KeyValue
	o     Options
	mu    sync.Mutex
	hosts map[string]*host
}

type host struct {
	sem  chan struct{}
	rev  uint64    // last revision of the host's record we know of
	next time.Time // its value at rev
}

// Open returns a Limiter, creating the bucket when Delay is set.
func Open(ctx context.Context, js jetstream.JetStream, o Options) (*Limiter, error) {
	l := &Limiter{o: o, hosts: map[string]*host{}}
	if o.Delay > 0 {
		kv, err := service.EnsureKV(ctx, js, jetstream.KeyValueConfig{
			Bucket:      Bucket,
			Description: "next free request time per host (newsflow fetcher politeness)",
			// A host's record only matters for one delay; an hour keeps
			// the bucket small without racing the delay.
			TTL:     time.Hour,
			History: 1,
			Storage: jetstream.MemoryStorage,
		})
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
		h = &host{}
		if l.o.Concurrency > 0 {
			h.sem = make(chan struct{}, l.o.Concurrency)
		}
		l.hosts[name] = h
	}
	return h
}

// Acquire waits for a turn at hostname and returns the function that ends
// it. When the turn would come later than maxWait from now it returns a
// *BusyError at once instead of waiting (maxWait 0: wait as long as ctx
// allows), so a caller with other work can come back later.
func (l *Limiter) Acquire(ctx context.Context, hostname string, maxWait time.Duration) (release func(), err error) {
	hostname = strings.ToLower(hostname)
	h := l.host(hostname)
	release = func() {}
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
		var once sync.Once
		release = func() { once.Do(func() { <-h.sem }) }
	}
	if l.kv == nil {
		return release, nil
	}
	start, err := l.reserve(ctx, hostname, h, maxWait)
	if err != nil {
		release()
		return nil, err
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

// reserve books the host's next free start and moves it on by the delay.
func (l *Limiter) reserve(ctx context.Context, hostname string, h *host, maxWait time.Duration) (time.Time, error) {
	key := key(hostname)
	l.mu.Lock()
	rev, next := h.rev, h.next
	l.mu.Unlock()
	fresh := false
	for range 20 {
		now := time.Now()
		start := next
		if start.Before(now) {
			start = now
		}
		if wait := start.Sub(now); maxWait > 0 && wait > maxWait {
			if fresh {
				return time.Time{}, &BusyError{Host: hostname, Wait: wait}
			}
			// Our copy may be old: look before refusing.
		} else {
			val := []byte(strconv.FormatInt(start.Add(l.o.Delay).UnixNano(), 10))
			var newRev uint64
			var err error
			if rev == 0 {
				newRev, err = l.kv.Create(ctx, key, val)
			} else {
				newRev, err = l.kv.Update(ctx, key, val, rev)
			}
			if err == nil {
				l.mu.Lock()
				h.rev, h.next = newRev, start.Add(l.o.Delay)
				l.mu.Unlock()
				return start, nil
			}
			if ctx.Err() != nil {
				return time.Time{}, ctx.Err()
			}
			var apiErr *jetstream.APIError
			if !errors.Is(err, jetstream.ErrKeyExists) && !(errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence) {
				return time.Time{}, fmt.Errorf("host limit %s: %w", hostname, err)
			}
		}
		// Someone else moved it (or it expired): read and try again.
		e, err := l.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			rev, next = 0, time.Time{}
		case err != nil:
			return time.Time{}, fmt.Errorf("host limit %s: %w", hostname, err)
		default:
			rev = e.Revision()
			n, perr := strconv.ParseInt(string(e.Value()), 10, 64)
			if perr != nil {
				n = 0 // a bad record only costs one delay
			}
			next = time.Unix(0, n)
		}
		fresh = true
	}
	return time.Time{}, fmt.Errorf("host limit %s: too much contention", hostname)
}

func key(hostname string) string {
	sum := sha256.Sum256([]byte(hostname))
	return hex.EncodeToString(sum[:16])
}
