package hostlimit

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/servicetest"
)

func TestDelayHoldsAcrossReplicas(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	const delay = 80 * time.Millisecond
	a, err := Open(ctx, js, Options{Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, js, Options{Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range 6 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := l.Acquire(ctx, "News.Example", 0)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	slices.SortFunc(starts, func(x, y time.Time) int { return x.Compare(y) })
	// Reserved starts are a delay apart; a goroutine may wake late but
	// never early, so the k-th start comes at least k delays after t0
	// (comparing neighbours would trip on a late wake-up under load).
	for k, st := range starts {
		if d := st.Sub(t0); d < time.Duration(k)*delay {
			t.Errorf("start %d came %s after the first request, want ≥ %s", k, d, time.Duration(k)*delay)
		}
	}
	// Another host is not held up: free now, so even a tiny maximum wait
	// is enough (a held host would give ErrBusy).
	release, err := a.Acquire(ctx, "other.example", time.Millisecond)
	if err != nil {
		t.Fatalf("another host: %v", err)
	}
	release()
}

func TestBusy(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	l, err := Open(ctx, js, Options{Delay: time.Hour, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	release, err := l.Acquire(ctx, "h.example", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The local slot is taken: busy after maxWait.
	if _, err := l.Acquire(ctx, "h.example", 20*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Errorf("second acquire with the slot taken: %v", err)
	}
	release()
	// The slot is free but the next start is an hour away.
	var be *BusyError
	if _, err := l.Acquire(ctx, "h.example", time.Second); !errors.As(err, &be) || be.Wait < 59*time.Minute {
		t.Errorf("acquire within the delay: %v", err)
	}
	// And a replica that never saw the host learns it from the bucket.
	other, _ := Open(ctx, js, Options{Delay: time.Hour})
	if _, err := other.Acquire(ctx, "h.example", time.Second); !errors.Is(err, ErrBusy) {
		t.Errorf("other replica: %v", err)
	}
}

func TestNoLimitsNoBucket(t *testing.T) {
	l, err := Open(context.Background(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		r, err := l.Acquire(context.Background(), "x", time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		defer r()
	}
}

func TestConcurrencyLocal(t *testing.T) {
	js := servicetest.JetStream(t)
	l, err := Open(context.Background(), js, Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := l.Acquire(context.Background(), "x", 0)
	r2, _ := l.Acquire(context.Background(), "x", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, "x", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("third acquire at concurrency 2: %v", err)
	}
	r1()
	r1() // releasing twice is harmless
	r3, err := l.Acquire(context.Background(), "x", 0)
	if err != nil {
		t.Fatal(err)
	}
	r2()
	r3()
}

// TestConcurrencyHoldsAcrossReplicas runs requests to one host through
// three limiters (three replicas) sharing one bucket: never more than the
// limit at once in total, though each alone would allow the limit.
func TestConcurrencyHoldsAcrossReplicas(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	const limit = 2
	var ls []*Limiter
	for range 3 {
		l, err := Open(ctx, js, Options{Concurrency: limit, Hold: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	var inFlight, most atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := ls[i%len(ls)].Acquire(ctx, "slow.example", 0)
			if err != nil {
				t.Error(err)
				return
			}
			n := inFlight.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(30 * time.Millisecond) // the request being served
			inFlight.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if m := most.Load(); m > limit {
		t.Errorf("%d requests at once across replicas, want at most %d", m, limit)
	}
	// Every slot was given back: a fresh replica gets one at once.
	other, _ := Open(ctx, js, Options{Concurrency: 1})
	release, err := other.Acquire(ctx, "slow.example", time.Millisecond)
	if err != nil {
		t.Fatalf("after every release: %v", err)
	}
	release()
}

// TestDeadReplicaSlotExpires: a replica that dies holding a host's only
// slot blocks the others until the slot's hold runs out, not forever.
func TestDeadReplicaSlotExpires(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	const hold = 300 * time.Millisecond
	dead, err := Open(ctx, js, Options{Concurrency: 1, Hold: hold})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.Acquire(ctx, "h.example", 0); err != nil { // never released
		t.Fatal(err)
	}
	live, err := Open(ctx, js, Options{Concurrency: 1, Hold: hold})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Acquire(ctx, "h.example", 20*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("acquire while another replica holds the slot: %v, want ErrBusy", err)
	}
	t0 := time.Now()
	release, err := live.Acquire(ctx, "h.example", 10*time.Second)
	if err != nil {
		t.Fatalf("acquire after the dead replica's hold: %v", err)
	}
	release()
	if waited := time.Since(t0); waited > 5*time.Second {
		t.Errorf("waited %s for a slot whose hold is %s", waited, hold)
	}
}

// TestOldRecordFormat: a record written by an earlier version (the next
// free start alone, as a number) still holds requests back.
func TestOldRecordFormat(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	l, err := Open(ctx, js, Options{Delay: time.Hour, Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, Bucket)
	if err != nil {
		t.Fatal(err)
	}
	next := time.Now().Add(time.Hour).UnixNano()
	if _, err := kv.Put(ctx, key("old.example"), []byte(strconv.FormatInt(next, 10))); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(ctx, "old.example", time.Second); !errors.Is(err, ErrBusy) {
		t.Errorf("acquire against an old-format record an hour ahead: %v, want ErrBusy", err)
	}
	if _, err := kv.Put(ctx, key("bad.example"), []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	release, err := l.Acquire(ctx, "bad.example", time.Second)
	if err != nil {
		t.Errorf("a bad record must not block its host: %v", err)
	} else {
		release()
	}
}

// BenchmarkAcquire measures one turn (acquire and release) at one host
// against an embedded server: with the delay alone (one revision-checked
// write per request, the cost before slots were shared) and with the
// concurrency shared too (a second write to free the slot).
func BenchmarkAcquire(b *testing.B) {
	for _, bc := range []struct {
		name string
		o    Options
	}{
		{"delay", Options{Delay: time.Nanosecond}},
		{"delay+concurrency", Options{Delay: time.Nanosecond, Concurrency: 2}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			js := servicetest.JetStream(b)
			l, err := Open(context.Background(), js, bc.o)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				release, err := l.Acquire(context.Background(), "bench.example", 0)
				if err != nil {
					b.Fatal(err)
				}
				release()
			}
		})
	}
}
