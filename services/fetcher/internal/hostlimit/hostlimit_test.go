package hostlimit

import (
	"context"
	"errors"
	"slices"
	"sync"
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

func TestNoDelayNoBucket(t *testing.T) {
	l, err := Open(context.Background(), nil, Options{Concurrency: 2})
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
