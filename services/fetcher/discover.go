package fetcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
)

// ErrNoFeed means a URL answered with an HTML page that neither is a feed
// nor announces one with <link rel="alternate">.
var ErrNoFeed = errors.New("no feed found")

// ErrBlockedAddress means a URL leads to a loopback, private or otherwise
// internal address, refused without AllowPrivate (SSRF defence).
var ErrBlockedAddress = httpfetch.ErrBlockedAddress

// DiscoverOptions configure DiscoverFeed; zero fields take the fetcher's
// defaults.
type DiscoverOptions struct {
	// AllowPrivate lets the URL be on loopback or a private network, as
	// the fetcher's --allow-private-networks does.
	AllowPrivate bool
	// UserAgent is sent with the request (empty: the fetcher's default).
	UserAgent string
	// Timeout bounds the whole request (0: 30s).
	Timeout time.Duration
	// MaxBytes bounds the body read after decompression (0: 5 MiB).
	MaxBytes int64
}

// Discovery is what DiscoverFeed found.
type Discovery struct {
	// URL is the feed to register: the URL given (or where its permanent
	// redirects led) when it is a feed, else the first feed the page
	// announces.
	URL string
	// Page is the page that announced URL; empty when the URL given is a
	// feed itself.
	Page string
}

// DiscoverFeed fetches rawURL with the fetcher's HTTP client (its
// timeouts, size limits and SSRF defence) and says which feed to register
// for it: the URL itself when it is a feed, or the feed an HTML page
// announces with <link rel="alternate">. It returns ErrNoFeed for an HTML
// page that announces none; any other error means the URL could not be
// fetched or read, and the caller may register it as given and leave the
// fetcher to find out.
func DiscoverFeed(ctx context.Context, rawURL string, o DiscoverOptions) (Discovery, error) {
	if o.Timeout <= 0 {
		o.Timeout = httpfetch.DefaultTotalTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = httpfetch.DefaultMaxBytes
	}
	client := httpfetch.New(httpfetch.Options{
		UserAgent: o.UserAgent, TotalTimeout: o.Timeout, MaxBytes: o.MaxBytes, AllowPrivate: o.AllowPrivate,
	})
	resp, err := client.Get(ctx, httpfetch.Request{URL: rawURL,
		// A page's <link> elements are in its head: a long page may be cut.
		AllowTruncate: true,
		Accept:        "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"})
	if err != nil {
		return Discovery{}, fmt.Errorf("discover feed %s: %w", rawURL, err)
	}
	feedURL := rawURL
	if resp.PermanentURL != "" {
		feedURL = resp.PermanentURL
	}
	_, perr := feed.Parse(resp.Body, feedURL, time.Now())
	if perr == nil && !resp.Truncated {
		return Discovery{URL: feedURL}, nil
	}
	if !isHTML(resp.ContentType) {
		if perr == nil {
			perr = errors.New("feed longer than the size limit")
		}
		return Discovery{}, fmt.Errorf("discover feed %s: %w", rawURL, perr)
	}
	base := resp.FinalURL
	if base == "" {
		base = rawURL
	}
	found := feed.DiscoverFeeds(resp.Body, base)
	if len(found) == 0 {
		return Discovery{}, fmt.Errorf("%s: an HTML page without <link rel=\"alternate\"> to a feed: %w", rawURL, ErrNoFeed)
	}
	return Discovery{URL: found[0], Page: base}, nil
}
