package fetcher

import (
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/registry"
)

func TestDueCount(t *testing.T) {
	now := time.Now()
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	feeds := []struct {
		key  string
		feed registry.Feed
		due  bool
	}{
		{"due", registry.Feed{State: registry.Active, NextDue: past}, true},
		{"failing-due", registry.Feed{State: registry.Failing, NextDue: now}, true},
		{"not-yet", registry.Feed{State: registry.Active, NextDue: future}, false},
		{"paused", registry.Feed{State: registry.Paused, NextDue: past}, false},
		{"dead", registry.Feed{State: registry.Dead, NextDue: past}, false},
		{"being-polled", registry.Feed{State: registry.Active, NextDue: past, Lease: &registry.Lease{Owner: "r", Until: future}}, false},
		{"lease-ran-out", registry.Feed{State: registry.Active, NextDue: past, Lease: &registry.Lease{Owner: "r", Until: past}}, true},
	}
	s := newScheduler(newMetrics())
	want := 0
	for i, f := range feeds {
		e := registry.Entry{Key: f.key, Revision: uint64(i + 1), Feed: f.feed}
		s.set(f.key, &e, e.Revision)
		if f.due {
			want++
		}
	}
	if got := s.dueCount(now); got != want {
		t.Errorf("dueCount = %d, want %d", got, want)
	}
}
