// Package fetcher is the fetcher service, where the pipeline meets the open
// web: a poller reads feeds and publishes each new item on
// news.items.v1.<src>, and page workers (a competing durable consumer on
// NEWS_ITEMS) download each item's page and publish it on
// news.pages.v1.<src>. All outbound HTTP goes through one client with
// timeouts, size limits and SSRF defence.
package fetcher

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// SeenBucket is the key-value bucket of items already published, shared by
// every replica so that a re-poll publishes nothing new.
const SeenBucket = "newsflow_seen"

// Durable is the name of the page workers' durable consumer on NEWS_ITEMS.
const Durable = "fetcher-pages"

// Config configures the fetcher service.
type Config struct {
	// Feeds are the feed URLs to poll.
	Feeds []string
	// PollInterval is how often every feed is polled.
	PollInterval time.Duration
	// PageWorkers is how many pages are fetched at once.
	PageWorkers int
	// MaxDeliver is how many tries a page fetch gets before the DLQ.
	MaxDeliver int
	// UserAgent is sent with every request; it should carry a contact URL.
	UserAgent string
	// AllowPrivate lets feeds and pages on loopback or private addresses be
	// fetched; refused by default (SSRF defence).
	AllowPrivate bool
	// RequestTimeout bounds one whole request, body included.
	RequestTimeout time.Duration
	// FeedMaxBytes and PageMaxBytes bound a body after decompression.
	FeedMaxBytes, PageMaxBytes int64
	// SeenTTL is how long a published item is remembered.
	SeenTTL time.Duration
	// Resolve maps host names to host:port addresses to dial instead of
	// resolving them, like curl --resolve: for demos and tests that serve
	// real host names from loopback. Address checks still apply.
	Resolve map[string]string
}

// RegisterFlags defines the fetcher's flags on fs (the feed list is the
// caller's: a file, the registry, or arguments).
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.DurationVar(&c.PollInterval, "poll-interval", 5*time.Minute, "how often each feed is polled")
	fs.IntVar(&c.PageWorkers, "page-workers", 8, "pages fetched at once")
	fs.IntVar(&c.MaxDeliver, "fetcher-max-deliver", 5, "tries per page fetch before it goes to news.dlq.fetcher")
	fs.StringVar(&c.UserAgent, "user-agent", "newsflow/0.1 (+https://github.com/newsflow/newsflow)", "User-Agent of every request")
	fs.BoolVar(&c.AllowPrivate, "allow-private-networks", false, "allow fetching from loopback and private addresses")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", 30*time.Second, "total timeout of one request, body included")
	fs.Int64Var(&c.FeedMaxBytes, "feed-max-bytes", 5<<20, "largest feed body after decompression")
	fs.Int64Var(&c.PageMaxBytes, "page-max-bytes", 4<<20, "largest page body after decompression (longer is cut)")
	fs.DurationVar(&c.SeenTTL, "seen-ttl", 30*24*time.Hour, "how long a published item is remembered")
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	var errs []error
	if c.PollInterval < time.Second {
		errs = append(errs, errors.New("fetcher: poll-interval must be at least 1s"))
	}
	if c.PageWorkers < 0 || c.MaxDeliver < 0 {
		errs = append(errs, errors.New("fetcher: page-workers and max-deliver must not be negative"))
	}
	if c.FeedMaxBytes <= 0 || c.PageMaxBytes <= 0 {
		errs = append(errs, errors.New("fetcher: size limits must be positive"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("fetcher: request-timeout must be positive"))
	}
	return errors.Join(errs...)
}

// Fetcher is the fetcher service.
type Fetcher struct {
	cfg    Config
	js     jetstream.JetStream
	client *httpfetch.Client
	log    *zap.Logger
	met    *service.Metrics
	polls  *prometheus.CounterVec
	items  prometheus.Counter
	pages  *prometheus.CounterVec
}

// New returns a fetcher. reg receives its metrics (nil: unregistered).
func New(cfg Config, js jetstream.JetStream, log *zap.Logger, met *service.Metrics, reg prometheus.Registerer) (*Fetcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f := &Fetcher{
		cfg: cfg, js: js, log: log.Named("fetcher"), met: met,
		client: httpfetch.New(httpfetch.Options{
			UserAgent:    cfg.UserAgent,
			TotalTimeout: cfg.RequestTimeout,
			MaxBytes:     cfg.FeedMaxBytes,
			AllowPrivate: cfg.AllowPrivate,
			Resolve:      cfg.Resolve,
		}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsflow", Subsystem: "fetcher", Name: "feed_polls_total",
			Help: "Feed polls by result (ok, not_modified, error).",
		}, []string{"result"}),
		items: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "newsflow", Subsystem: "fetcher", Name: "new_items_total",
			Help: "New feed items published.",
		}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsflow", Subsystem: "fetcher", Name: "page_fetches_total",
			Help: "Page fetches by result (ok, truncated, feed_fallback, error).",
		}, []string{"result"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{f.polls, f.items, f.pages} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("fetcher metrics: %w", err)
			}
		}
	}
	return f, nil
}

// Run polls the feeds and fetches pages until ctx is done.
func (f *Fetcher) Run(ctx context.Context) error {
	seen, err := f.seenBucket(ctx)
	if err != nil {
		return err
	}
	return service.RunAll(ctx,
		func(ctx context.Context) error { return f.pollLoop(ctx, seen) },
		f.fetchPages,
	)
}

func (f *Fetcher) seenBucket(ctx context.Context) (jetstream.KeyValue, error) {
	return service.EnsureKV(ctx, f.js, jetstream.KeyValueConfig{
		Bucket:      SeenBucket,
		Description: "feed items already published (newsflow fetcher)",
		TTL:         f.cfg.SeenTTL,
		Storage:     jetstream.FileStorage,
		History:     1,
	})
}
