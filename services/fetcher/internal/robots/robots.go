// Package robots answers whether a page may be fetched under its host's
// robots.txt (RFC 9309), fetching each host's file once per TTL through the
// fetcher's own HTTP client and parsing it with github.com/temoto/robotstxt.
package robots

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"github.com/temoto/robotstxt"
)

// MaxBytes is how much of a robots.txt is read: RFC 9309 asks parsers to
// read at least 500 KiB, and more is not worth holding.
const MaxBytes = 500 << 10

// retryAfterError is how long an unreachable robots.txt is remembered
// before it is tried again.
const retryAfterError = time.Minute

// ErrUnavailable means the host's robots.txt could not be fetched (network
// error or 5xx): the page should be tried later, not fetched blind.
var ErrUnavailable = errors.New("robots.txt unavailable")

// Getter fetches a URL; *httpfetch.Client is one.
type Getter interface {
	Get(ctx context.Context, r httpfetch.Request) (*httpfetch.Response, error)
}

// Checker caches robots.txt per origin.
type Checker struct {
	get   Getter
	agent string
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	cache map[string]*entry
}

type entry struct {
	done    chan struct{} // closed when data/err are set
	group   *robotstxt.Group
	err     error
	expires time.Time
}

// New returns a Checker that matches rules for userAgent's product token
// ("newsflow" in "newsflow/0.1 (+https://...)") and keeps each file for ttl.
func New(get Getter, userAgent string, ttl time.Duration) *Checker {
	return &Checker{get: get, agent: ProductToken(userAgent), ttl: ttl, now: time.Now, cache: map[string]*entry{}}
}

// ProductToken is the first product name of a User-Agent: what robots.txt
// user-agent lines match.
func ProductToken(ua string) string {
	ua = strings.TrimSpace(ua)
	if i := strings.IndexAny(ua, "/ ("); i > 0 {
		ua = ua[:i]
	}
	if ua == "" {
		return "*"
	}
	return ua
}

// Allowed reports whether pageURL may be fetched. The error matches
// ErrUnavailable when the host's robots.txt could not be read.
func (c *Checker) Allowed(ctx context.Context, pageURL string) (bool, error) {
	u, err := url.Parse(pageURL)
	if err != nil || u.Host == "" {
		return false, fmt.Errorf("robots: bad URL %q", pageURL)
	}
	origin := strings.ToLower(u.Scheme + "://" + u.Host)
	e := c.entry(ctx, origin)
	select {
	case <-e.done:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	if e.err != nil {
		return false, e.err
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return e.group.Test(path), nil
}

// entry returns origin's cache entry, starting its fetch when it is absent
// or expired; concurrent callers share one fetch.
func (c *Checker) entry(ctx context.Context, origin string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.cache[origin]; e != nil {
		select {
		case <-e.done:
			if c.now().Before(e.expires) {
				return e
			}
		default:
			return e // in flight
		}
	}
	e := &entry{done: make(chan struct{})}
	c.cache[origin] = e
	// The fetch outlives one caller's cancellation: others may wait on it.
	go c.fetch(context.WithoutCancel(ctx), origin, e)
	return e
}

func (c *Checker) fetch(ctx context.Context, origin string, e *entry) {
	defer close(e.done)
	e.expires = c.now().Add(c.ttl)
	resp, err := c.get.Get(ctx, httpfetch.Request{URL: origin + "/robots.txt", MaxBytes: MaxBytes, AllowTruncate: true, Accept: "text/plain"})
	var se *httpfetch.StatusError
	switch {
	case err == nil:
		data, perr := robotstxt.FromStatusAndBytes(resp.StatusCode, resp.Body)
		if perr != nil {
			// An unparseable file says nothing: RFC 9309 treats it as
			// allowing all, and so does an empty one.
			data, _ = robotstxt.FromStatusAndBytes(404, nil)
		}
		e.group = data.FindGroup(c.agent)
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		// 4xx: no rules (RFC 9309 2.3.1.3).
		data, _ := robotstxt.FromStatusAndBytes(se.Code, nil)
		e.group = data.FindGroup(c.agent)
	default:
		// 5xx and network errors: unreachable. The RFC says assume all is
		// disallowed; we say "try later", which is the same for now.
		e.err = fmt.Errorf("%w: %s: %w", ErrUnavailable, origin, err)
		e.expires = c.now().Add(min(c.ttl, retryAfterError))
	}
}
