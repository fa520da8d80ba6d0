package schedule

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/registry"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func policy(r float64) Policy {
	return Policy{Initial: 10 * time.Minute, Min: 5 * time.Minute, Max: 4 * time.Hour, DeadAfter: 72 * time.Hour,
		Rand: func() float64 { return r }}
}

func TestApply(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name         string
		feed         registry.Feed
		out          Outcome
		rand         float64
		wantState    registry.State
		wantInterval time.Duration
		wantDueIn    time.Duration
		wantFailures int
		wantETag     string
	}{
		{name: "first poll, new items halve the interval",
			feed: registry.Feed{State: registry.Active}, out: Outcome{Result: "new_items", NewItems: 3, ETag: `"a"`},
			wantState: registry.Active, wantInterval: 5 * time.Minute, wantDueIn: 5 * time.Minute, wantETag: `"a"`},
		{name: "no new items grow it by half",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour}, out: Outcome{Result: "no_new_items"},
			wantState: registry.Active, wantInterval: 90 * time.Minute, wantDueIn: 90 * time.Minute},
		{name: "growth is capped at max",
			feed: registry.Feed{State: registry.Active, Interval: 3 * time.Hour}, out: Outcome{NotModified: true},
			wantState: registry.Active, wantInterval: 4 * time.Hour, wantDueIn: 4 * time.Hour},
		{name: "a 304 keeps the validators",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour, ETag: `"old"`}, out: Outcome{NotModified: true},
			wantState: registry.Active, wantInterval: 90 * time.Minute, wantDueIn: 90 * time.Minute, wantETag: `"old"`},
		{name: "jitter adds up to 10%",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour}, out: Outcome{}, rand: 0.5,
			wantState: registry.Active, wantInterval: 90 * time.Minute, wantDueIn: 90*time.Minute + 4*time.Minute + 30*time.Second},
		{name: "rss ttl lengthens the wait, not the interval",
			feed: registry.Feed{State: registry.Active, Interval: 10 * time.Minute}, out: Outcome{NewItems: 1, FeedHint: 2 * time.Hour},
			wantState: registry.Active, wantInterval: 5 * time.Minute, wantDueIn: 2 * time.Hour},
		{name: "the stored feed hint holds on a 304",
			feed: registry.Feed{State: registry.Active, Interval: 10 * time.Minute, Hint: 2 * time.Hour}, out: Outcome{NotModified: true},
			wantState: registry.Active, wantInterval: 15 * time.Minute, wantDueIn: 2 * time.Hour},
		{name: "cache-control max-age, capped at a day",
			feed: registry.Feed{State: registry.Active, Interval: 10 * time.Minute}, out: Outcome{NotModified: true, CacheHint: 30 * 24 * time.Hour},
			wantState: registry.Active, wantInterval: 15 * time.Minute, wantDueIn: 24 * time.Hour},
		{name: "first failure backs off from min",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour}, out: Outcome{Err: errBoom, Status: 500}, rand: 0.5,
			wantState: registry.Failing, wantInterval: time.Hour, wantDueIn: 225 * time.Second, wantFailures: 1},
		{name: "fourth failure: 8x min, jittered down to half",
			feed: registry.Feed{State: registry.Failing, Interval: time.Hour, Failures: 3, FailingSince: t0.Add(-time.Hour)}, out: Outcome{Err: errBoom}, rand: 0,
			wantState: registry.Failing, wantInterval: time.Hour, wantDueIn: 20 * time.Minute, wantFailures: 4},
		{name: "backoff capped at max",
			feed: registry.Feed{State: registry.Failing, Interval: time.Hour, Failures: 30, FailingSince: t0.Add(-time.Hour)}, out: Outcome{Err: errBoom}, rand: 0.5,
			wantState: registry.Failing, wantInterval: time.Hour, wantDueIn: 3 * time.Hour, wantFailures: 31},
		{name: "retry-after beats a shorter backoff",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour}, out: Outcome{Err: errBoom, Status: 429, RetryAfter: 3 * time.Hour}, rand: 0,
			wantState: registry.Failing, wantInterval: time.Hour, wantDueIn: 3 * time.Hour, wantFailures: 1},
		{name: "410 gone is dead at once",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour}, out: Outcome{Err: errBoom, Status: 410, Gone: true}, rand: 0,
			wantState: registry.Dead, wantInterval: time.Hour, wantDueIn: 150 * time.Second, wantFailures: 1},
		{name: "failing for longer than dead-after",
			feed: registry.Feed{State: registry.Failing, Interval: time.Hour, Failures: 9, FailingSince: t0.Add(-73 * time.Hour)}, out: Outcome{Err: errBoom}, rand: 0,
			wantState: registry.Dead, wantInterval: time.Hour, wantDueIn: 2 * time.Hour, wantFailures: 10},
		{name: "success revives a failing feed",
			feed: registry.Feed{State: registry.Failing, Interval: time.Hour, Failures: 9, FailingSince: t0.Add(-time.Hour)}, out: Outcome{NewItems: 1},
			wantState: registry.Active, wantInterval: 30 * time.Minute, wantDueIn: 30 * time.Minute},
		{name: "a pause during the poll is kept",
			feed: registry.Feed{State: registry.Paused, Interval: time.Hour}, out: Outcome{Err: errBoom, Gone: true}, rand: 0,
			wantState: registry.Paused, wantInterval: time.Hour, wantDueIn: 150 * time.Second, wantFailures: 1},
		{name: "a deferred poll only moves the due time",
			feed: registry.Feed{State: registry.Active, Interval: time.Hour, Failures: 2}, out: Outcome{Defer: 7 * time.Second},
			wantState: registry.Active, wantInterval: time.Hour, wantDueIn: 7 * time.Second, wantFailures: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.feed
			policy(tt.rand).Apply(&f, tt.out, t0)
			if f.State != tt.wantState || f.Interval != tt.wantInterval || f.NextDue.Sub(t0) != tt.wantDueIn ||
				f.Failures != tt.wantFailures || f.ETag != tt.wantETag {
				t.Errorf("state=%s interval=%s due in %s failures=%d etag=%q; want %s %s %s %d %q",
					f.State, f.Interval, f.NextDue.Sub(t0), f.Failures, f.ETag,
					tt.wantState, tt.wantInterval, tt.wantDueIn, tt.wantFailures, tt.wantETag)
			}
			if (tt.out.Err != nil) != (f.LastError != "") {
				t.Errorf("LastError = %q", f.LastError)
			}
		})
	}
}

func TestCacheHint(t *testing.T) {
	date := t0.Format(http.TimeFormat)
	tests := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=600"}}, 10 * time.Minute},
		{"no-cache wins", http.Header{"Cache-Control": {"no-cache, max-age=600"}}, 0},
		{"garbage max-age", http.Header{"Cache-Control": {"max-age=soon"}}, 0},
		{"expires", http.Header{"Expires": {t0.Add(time.Hour).Format(http.TimeFormat)}, "Date": {date}}, time.Hour},
		{"expires in the past", http.Header{"Expires": {"0"}}, 0},
		{"max-age beats expires", http.Header{"Cache-Control": {"max-age=60"}, "Expires": {t0.Add(time.Hour).Format(http.TimeFormat)}}, time.Minute},
	}
	for _, tt := range tests {
		if got := CacheHint(tt.h, t0); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
