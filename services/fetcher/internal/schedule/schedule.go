// Package schedule decides when a feed is polled next, from what its last
// poll found: the one place where a poll's outcome is written into the
// feed's registry record.
//
// Successful polls adapt the interval multiplicatively (halved when the
// feed had new items, grown by half when it had none), which converges on
// about one new item per poll, within the operator's bounds. The feed's own
// hints (RSS <ttl>, sy:updatePeriod, Cache-Control max-age, Expires) only
// ever lengthen the wait. Failures back off exponentially from the minimum
// interval with jitter, capped at the maximum; Retry-After is honoured.
package schedule

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/registry"
)

// DefaultMaxHint caps how long a server hint can silence a feed: a feed
// asking for a week between polls is more likely misconfigured than right.
const DefaultMaxHint = 24 * time.Hour

// Policy bounds the schedule.
type Policy struct {
	// Initial is a new feed's first interval.
	Initial time.Duration
	// Min and Max bound the adaptive interval and the error backoff.
	Min, Max time.Duration
	// DeadAfter is how long a feed may fail without a success before it
	// turns dead (0: never).
	DeadAfter time.Duration
	// MaxHint caps server hints and Retry-After (0: DefaultMaxHint).
	MaxHint time.Duration
	// Rand returns a number in [0,1) for jitter (nil: math/rand/v2).
	Rand func() float64
}

// Outcome is what one poll found.
type Outcome struct {
	// Result names the outcome for humans and metrics: new_items,
	// no_new_items, not_modified, discovered, or an error kind.
	Result string
	// Err is the failure, nil on success.
	Err error
	// Status is the HTTP status, 0 when no response came.
	Status int
	// NewItems counts the items published.
	NewItems int
	// NotModified is a 304.
	NotModified bool
	// Gone means the feed is gone for good (410): dead at once.
	Gone bool
	// RetryAfter is the server's Retry-After on 429 and 503.
	RetryAfter time.Duration
	// FeedHint is the feed's <ttl> or sy:updatePeriod from this parse.
	FeedHint time.Duration
	// CacheHint is the response's Cache-Control max-age or Expires.
	CacheHint time.Duration
	// ETag, LastModified and Bytes describe a full (200) response.
	ETag, LastModified string
	Bytes              int64
	// Defer means the poll did not happen (the host was busy): poll again
	// after this long, and change nothing else.
	Defer time.Duration
}

func (p Policy) rand() float64 {
	if p.Rand != nil {
		return p.Rand()
	}
	return rand.Float64()
}

func (p Policy) clamp(d time.Duration) time.Duration {
	return max(p.Min, min(p.Max, d))
}

// Apply writes o, a poll at now, into f: last result, counters, state,
// validators and the next due time. An operator's pause is kept.
func (p Policy) Apply(f *registry.Feed, o Outcome, now time.Time) {
	now = now.UTC()
	if o.Defer > 0 {
		f.NextDue = now.Add(o.Defer)
		return
	}
	maxHint := p.MaxHint
	if maxHint <= 0 {
		maxHint = DefaultMaxHint
	}
	if f.Interval <= 0 {
		f.Interval = p.clamp(p.Initial)
	}
	f.LastPoll = now
	f.LastResult = o.Result
	f.LastStatus = o.Status
	f.ItemsSeen += int64(o.NewItems)
	if o.Err == nil {
		f.LastError = ""
		f.Failures = 0
		f.FailingSince = time.Time{}
		if f.State == registry.Failing || f.State == "" {
			f.State = registry.Active
		}
		if !o.NotModified {
			f.ETag, f.LastModified = o.ETag, o.LastModified
			f.Hint = o.FeedHint
			if o.Bytes > 0 {
				f.LastBytes = o.Bytes
			}
		}
		if o.NewItems > 0 {
			f.Interval = p.clamp(f.Interval / 2)
		} else {
			f.Interval = p.clamp(f.Interval * 3 / 2)
		}
		wait := max(f.Interval, min(max(f.Hint, o.CacheHint), maxHint))
		// Up to 10% later, so feeds added together drift apart instead of
		// hitting their hosts in step.
		f.NextDue = now.Add(wait + time.Duration(p.rand()*0.1*float64(wait)))
		return
	}
	f.LastError = o.Err.Error()
	f.Failures++
	if f.FailingSince.IsZero() {
		f.FailingSince = now
	}
	switch {
	case f.State == registry.Paused:
	case o.Gone, p.DeadAfter > 0 && now.Sub(f.FailingSince) >= p.DeadAfter:
		f.State = registry.Dead
	default:
		f.State = registry.Failing
	}
	f.NextDue = now.Add(max(p.Backoff(f.Failures), min(o.RetryAfter, maxHint)))
}

// Backoff is the wait after the n-th consecutive failure: Min doubled n-1
// times, capped at Max, then jittered down by up to half so that feeds
// that failed together (one host down) do not retry together.
func (p Policy) Backoff(n int) time.Duration {
	d := p.Min
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + time.Duration(p.rand()*float64(d/2))
}

// CacheHint reads how long a response may be cached: Cache-Control max-age
// (s-maxage is for shared caches, which we are not), else Expires minus
// Date. 0 when absent, invalid or in the past; no-cache and no-store give 0.
func CacheHint(h http.Header, now time.Time) time.Duration {
	if cc := h.Get("Cache-Control"); cc != "" {
		for _, d := range strings.Split(cc, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
				if err != nil || n <= 0 {
					return 0
				}
				return time.Duration(min(n, int64(365*24*3600))) * time.Second
			}
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		t, err := http.ParseTime(exp)
		if err != nil {
			return 0
		}
		// Relative to the server's clock when it says what that is.
		base := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			base = d
		}
		if d := t.Sub(base); d > 0 {
			return d
		}
	}
	return 0
}
