// Package fetcher is the fetcher service, where the pipeline meets the open
// web: a poller reads feeds and publishes each new item on
// news.items.v1.<src>, and page workers (a competing durable consumer on
// NEWS_ITEMS) download each item's page and publish it on
// news.pages.v1.<src>. All outbound HTTP goes through one client with
// timeouts, size limits and SSRF defence.
package fetcher

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/hostlimit"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/robots"
	"github.com/newsflow/newsflow/services/fetcher/internal/schedule"
	"github.com/newsflow/newsflow/services/fetcher/registry"
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
	// Feeds are registered in the feed registry at start (those already
	// there are left as they are); the registry decides what is polled.
	Feeds []string
	// PollInterval is a new feed's first polling interval; the schedule
	// then adapts it between MinInterval and MaxInterval.
	PollInterval time.Duration
	// MinInterval and MaxInterval bound each feed's adaptive interval and
	// its error backoff (0: PollInterval, and the larger of PollInterval
	// and 4h).
	MinInterval, MaxInterval time.Duration
	// DeadAfter is how long a feed may fail without a success before it
	// is marked dead and no longer polled (0: 72h).
	DeadAfter time.Duration
	// LeaseTimeout is how long a replica may hold a feed while it polls
	// it; after that another replica takes over (0: 2×RequestTimeout+30s).
	LeaseTimeout time.Duration
	// PollWorkers is how many feeds are polled at once (0: 16).
	PollWorkers int
	// HostConcurrency is the most requests at once to one host across
	// every replica (0: unlimited); HostDelay the least time between the
	// starts of two requests to one host across replicas (0: none).
	HostConcurrency int
	HostDelay       time.Duration
	// RobotsTTL is how long a host's robots.txt is kept (0: robots.txt is
	// not consulted).
	RobotsTTL time.Duration
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
	fs.DurationVar(&c.PollInterval, "poll-interval", 5*time.Minute, "first polling interval of a new feed (then adapted between --min-interval and --max-interval)")
	fs.DurationVar(&c.MinInterval, "min-interval", 5*time.Minute, "shortest interval between two polls of one feed")
	fs.DurationVar(&c.MaxInterval, "max-interval", 4*time.Hour, "longest interval between two polls of one feed, and the cap of the error backoff")
	fs.DurationVar(&c.DeadAfter, "dead-after", 72*time.Hour, "a feed failing this long without a success is marked dead")
	fs.DurationVar(&c.LeaseTimeout, "lease-timeout", 0, "how long a replica may hold a feed while polling it (0: 2×request-timeout+30s)")
	fs.IntVar(&c.PollWorkers, "poll-workers", 16, "feeds polled at once")
	fs.IntVar(&c.HostConcurrency, "host-concurrency", 2, "most requests at once to one host, across replicas")
	fs.DurationVar(&c.HostDelay, "host-delay", time.Second, "least time between the starts of two requests to one host, across replicas")
	fs.DurationVar(&c.RobotsTTL, "robots-ttl", time.Hour, "how long a host's robots.txt is cached (0: ignore robots.txt)")
	fs.IntVar(&c.PageWorkers, "page-workers", 32, "pages fetched at once (network-bound; per-host limits still apply)")
	fs.IntVar(&c.MaxDeliver, "fetcher-max-deliver", 5, "tries per page fetch before it goes to news.dlq.fetcher")
	fs.StringVar(&c.UserAgent, "user-agent", "newsflow/0.1 (+https://github.com/newsflow/newsflow)", "User-Agent of every request: a product token robots.txt rules can name, and a contact URL")
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
	if (c.MinInterval != 0 && c.MinInterval < time.Second) || c.MaxInterval < 0 {
		errs = append(errs, errors.New("fetcher: min-interval must be at least 1s"))
	}
	if c.MinInterval > 0 && c.MaxInterval > 0 && c.MinInterval > c.MaxInterval {
		errs = append(errs, errors.New("fetcher: min-interval exceeds max-interval"))
	}
	if c.PageWorkers < 0 || c.MaxDeliver < 0 || c.PollWorkers < 0 || c.HostConcurrency < 0 {
		errs = append(errs, errors.New("fetcher: page-workers, poll-workers, host-concurrency and max-deliver must not be negative"))
	}
	if c.HostDelay < 0 || c.DeadAfter < 0 || c.LeaseTimeout < 0 || c.RobotsTTL < 0 {
		errs = append(errs, errors.New("fetcher: host-delay, dead-after, lease-timeout and robots-ttl must not be negative"))
	}
	if c.FeedMaxBytes <= 0 || c.PageMaxBytes <= 0 {
		errs = append(errs, errors.New("fetcher: size limits must be positive"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("fetcher: request-timeout must be positive"))
	}
	for _, u := range c.Feeds {
		if _, err := registry.NormalizeURL(u); err != nil {
			errs = append(errs, fmt.Errorf("fetcher: feed: %w", err))
		}
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields a Config literal may leave out.
func (c Config) withDefaults() Config {
	if c.MinInterval == 0 {
		c.MinInterval = c.PollInterval
	}
	if c.MaxInterval == 0 {
		c.MaxInterval = max(c.PollInterval, 4*time.Hour)
	}
	c.MaxInterval = max(c.MaxInterval, c.MinInterval)
	if c.DeadAfter == 0 {
		c.DeadAfter = 72 * time.Hour
	}
	if c.LeaseTimeout == 0 {
		c.LeaseTimeout = 2*c.RequestTimeout + 30*time.Second
	}
	if c.PollWorkers == 0 {
		c.PollWorkers = 16
	}
	return c
}

// Fetcher is the fetcher service.
type Fetcher struct {
	cfg    Config
	id     string // this replica's lease owner name
	js     jetstream.JetStream
	client *httpfetch.Client
	log    *zap.Logger
	met    *service.Metrics
	m      *metrics
	policy schedule.Policy
	robots *robots.Checker

	initOnce sync.Once
	initErr  error
	reg      *registry.Registry
	seen     jetstream.KeyValue
	hosts    *hostlimit.Limiter
	sched    atomic.Pointer[scheduler] // set while Run runs
}

// New returns a fetcher. reg receives its metrics (nil: unregistered).
func New(cfg Config, js jetstream.JetStream, log *zap.Logger, met *service.Metrics, reg prometheus.Registerer) (*Fetcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	f := &Fetcher{
		cfg: cfg, js: js, met: met,
		id: replicaID(),
		client: httpfetch.New(httpfetch.Options{
			UserAgent:    cfg.UserAgent,
			TotalTimeout: cfg.RequestTimeout,
			MaxBytes:     cfg.FeedMaxBytes,
			AllowPrivate: cfg.AllowPrivate,
			Resolve:      cfg.Resolve,
			// As many idle connections to a host as requests to it at once
			// (all the workers when per-host concurrency is unlimited).
			IdleConnsPerHost: idleConnsPerHost(cfg),
		}),
		m: newMetrics(),
		policy: schedule.Policy{
			Initial: cfg.PollInterval, Min: cfg.MinInterval, Max: cfg.MaxInterval, DeadAfter: cfg.DeadAfter,
		},
	}
	f.log = log.Named("fetcher").With(zap.String("replica", f.id))
	if cfg.RobotsTTL > 0 {
		f.robots = robots.New(f.client, cfg.UserAgent, cfg.RobotsTTL)
	}
	if reg != nil {
		if err := f.m.register(reg); err != nil {
			return nil, fmt.Errorf("fetcher metrics: %w", err)
		}
	}
	return f, nil
}

// replicaID names this replica in leases: the host name for operators,
// and a random suffix so two replicas on one host differ.
func replicaID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%x", host, b)
}

// init opens the buckets once; Run and PollOnce need them.
func (f *Fetcher) init(ctx context.Context) error {
	f.initOnce.Do(func() {
		var err error
		if f.reg, err = registry.Open(ctx, f.js); err != nil {
			f.initErr = err
			return
		}
		if f.seen, err = service.EnsureKV(ctx, f.js, seenBucket(1, f.cfg.SeenTTL)); err != nil {
			f.initErr = err
			return
		}
		f.hosts, f.initErr = hostlimit.Open(ctx, f.js, hostlimit.Options{
			Concurrency: f.cfg.HostConcurrency, Delay: f.cfg.HostDelay,
			// Slots are released when the request ends, which its total
			// timeout bounds; the margin covers a slow release.
			Hold:  f.cfg.RequestTimeout + 30*time.Second,
			Owner: f.id,
		})
	})
	return f.initErr
}

// Run registers the configured feeds, then polls the registry's feeds as
// they fall due and fetches pages until ctx is done.
func (f *Fetcher) Run(ctx context.Context) error {
	if err := f.init(ctx); err != nil {
		return err
	}
	now := time.Now()
	for _, u := range f.cfg.Feeds {
		e, created, err := f.reg.Add(ctx, registry.Feed{URL: u}, now)
		if err != nil {
			return err
		}
		if created {
			f.log.Info("feed registered", zap.String("feed_url", e.Feed.URL), zap.String("key", e.Key))
		}
	}
	return service.RunAll(ctx, f.schedule, f.fetchPages, f.sampleQueues)
}

// idleConnsPerHost is how many connections to one host the fetcher keeps
// open for reuse: its per-host concurrency, or every worker when that is
// unlimited.
func idleConnsPerHost(cfg Config) int {
	if cfg.HostConcurrency > 0 {
		return max(cfg.HostConcurrency, 4)
	}
	return max(cfg.PageWorkers+cfg.PollWorkers, 4)
}
