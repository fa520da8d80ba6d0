// Package indexer is the indexer service: it consumes articles from
// NEWS_ARTICLES in batches, upserts them by id into the search index
// (embedded bleve by default, or PostgreSQL) and serves the search API and
// the search page. Each replica with an embedded index keeps a full copy
// (read scale-out); replicas on PostgreSQL share one store and one durable
// consumer (write scale-out).
package indexer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/pgindex"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
	"github.com/newsflow/newsflow/services/indexer/internal/searchapi"
	"github.com/newsflow/newsflow/services/indexer/internal/webui"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Config configures the indexer service.
type Config struct {
	// IndexDir is where the bleve index lives ("" keeps it in memory).
	IndexDir string
	// Durable names the durable consumer. Replicas that each keep a full
	// embedded index need a durable each (e.g. indexer-<hostname>).
	Durable string
	// Workers is how many articles are indexed at once.
	Workers int
	// AckWait is how long one try may take before JetStream redelivers the
	// message to another replica (after a crash, say).
	AckWait time.Duration
	// MaxDeliver is how many tries an article gets before the DLQ.
	MaxDeliver int
	// BatchSize is the most articles written in one index commit (0: 100).
	BatchSize int
	// BatchWait is the longest an article waits for its batch to fill (0: 200ms).
	BatchWait time.Duration
	// Backend is BackendBleve (the default when empty) or BackendPostgres.
	Backend string
	// PGDSN is the PostgreSQL connection string of BackendPostgres.
	PGDSN string
}

// Index backends.
const (
	// BackendBleve is the embedded index in IndexDir: one full copy per replica.
	BackendBleve = "bleve"
	// BackendPostgres is a PostgreSQL database shared by every replica.
	BackendPostgres = "postgres"
)

// RegisterFlags defines the indexer's flags on fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.IndexDir, "index-dir", "./data/index", "directory of the embedded bleve index (empty: in memory)")
	fs.StringVar(&c.Durable, "indexer-durable", "indexer", "durable consumer name on NEWS_ARTICLES (one per full-copy replica)")
	fs.IntVar(&c.Workers, "indexer-workers", 32, "articles indexed at once (concurrent writes share one index commit)")
	fs.IntVar(&c.MaxDeliver, "indexer-max-deliver", 5, "tries per article before it goes to news.dlq.indexer")
	fs.DurationVar(&c.AckWait, "indexer-ack-wait", 30*time.Second, "how long one try may take before the message is redelivered")
	fs.IntVar(&c.BatchSize, "index-batch-size", 100, "most articles written in one index commit")
	fs.DurationVar(&c.BatchWait, "index-batch-wait", 200*time.Millisecond, "longest an article waits for its batch to fill")
	fs.StringVar(&c.Backend, "index-backend", BackendBleve, "index backend: bleve (embedded, --index-dir) or postgres (--pg-dsn, shared by replicas)")
	fs.StringVar(&c.PGDSN, "pg-dsn", "", "PostgreSQL connection string for --index-backend postgres (env NEWSFLOW_PG_DSN)")
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	if c.Durable == "" {
		return errors.New("indexer: durable is empty")
	}
	if c.Workers < 0 || c.MaxDeliver < 0 || c.AckWait < 0 {
		return errors.New("indexer: workers and max deliver must not be negative")
	}
	if c.BatchSize < 0 || c.BatchWait < 0 {
		return errors.New("indexer: batch size and batch wait must not be negative")
	}
	switch c.Backend {
	case "", BackendBleve:
	case BackendPostgres:
		if c.pgDSN() == "" {
			return errors.New("indexer: --index-backend postgres needs --pg-dsn (or NEWSFLOW_PG_DSN)")
		}
	default:
		return fmt.Errorf("indexer: unknown index backend %q (bleve or postgres)", c.Backend)
	}
	return nil
}

// store is what the service needs from an index backend.
type store interface {
	searchapi.Searcher
	Upsert(ctx context.Context, arts ...*events.Article) error
	Usage(ctx context.Context) (search.Usage, error)
	Ping(ctx context.Context) error
	Close() error
}

// Indexer is the indexer service.
type Indexer struct {
	cfg  Config
	js   jetstream.JetStream
	ix   store
	log  *zap.Logger
	met  *service.Metrics
	imet *metrics
}

// Option configures New.
type Option func(*options)

type options struct {
	reg prometheus.Registerer
}

// WithRegisterer registers the indexer's own metrics (newsflow_indexer_*:
// documents, index size, batches, commit latency, last commit) on reg,
// usually the registry that /metrics serves. Without it they are kept but
// not exported.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(o *options) { o.reg = reg }
}

// New opens the index and returns the service. Close releases the index.
func New(cfg Config, js jetstream.JetStream, log *zap.Logger, met *service.Metrics, opts ...Option) (*Indexer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, f := range opts {
		f(&o)
	}
	log = log.Named("indexer")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ix, err := openStore(ctx, cfg, cfg.IndexDir)
	if err != nil {
		return nil, err
	}
	backend := cfg.Backend
	if backend == "" {
		backend = BackendBleve
	}
	x := &Indexer{cfg: cfg, js: js, ix: ix, log: log, met: met, imet: newMetrics(backend, ix, log)}
	if o.reg != nil {
		if err := x.imet.register(o.reg); err != nil {
			_ = ix.Close()
			return nil, fmt.Errorf("indexer: register metrics: %w", err)
		}
	}
	return x, nil
}

// openStore opens cfg's backend; a bleve index lives in dir.
func openStore(ctx context.Context, cfg Config, dir string) (store, error) {
	var ix store
	var err error
	switch cfg.Backend {
	case BackendPostgres:
		ix, err = pgindex.Open(ctx, cfg.pgDSN())
	default:
		ix, err = index.Open(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	return ix, nil
}

// pgDSN is --pg-dsn, else NEWSFLOW_PG_DSN.
func (c *Config) pgDSN() string {
	if c.PGDSN != "" {
		return c.PGDSN
	}
	return os.Getenv("NEWSFLOW_PG_DSN")
}

// Run consumes articles in batches until ctx is done, then drains
// in-flight work. Workers is how many batches are written at once (at most
// 4: more only queue on the index).
func (x *Indexer) Run(ctx context.Context) error {
	return service.ConsumeBatch(ctx, x.js, service.ConsumerConfig{
		Stage:      events.StageIndexer,
		Stream:     events.StreamArticles,
		Durable:    x.cfg.Durable,
		MaxDeliver: x.cfg.MaxDeliver,
		AckWait:    x.cfg.AckWait,
	}, service.BatchConfig{MaxSize: x.cfg.BatchSize, MaxWait: x.cfg.BatchWait, Concurrency: min(max(x.cfg.Workers, 1), 4)},
		x.handleBatch, x.log, x.met)
}

// handleBatch decodes the batch and writes every valid article in one
// upsert: a malformed message fails alone (to the DLQ), a failed commit
// fails the whole batch (retried).
func (x *Indexer) handleBatch(ctx context.Context, msgs []jetstream.Msg) []error {
	errs := make([]error, len(msgs))
	arts := make([]*events.Article, 0, len(msgs))
	idx := make([]int, 0, len(msgs))
	for i, msg := range msgs {
		art, err := events.DecodeArticle(msg.Data())
		if err != nil {
			errs[i] = err
			continue
		}
		arts = append(arts, art)
		idx = append(idx, i)
	}
	if len(arts) == 0 {
		return errs
	}
	start := time.Now()
	err := x.ix.Upsert(ctx, arts...)
	end := time.Now()
	if err != nil {
		x.imet.failed(end.Sub(start))
		for _, i := range idx {
			errs[i] = fmt.Errorf("index batch of %d: %w", len(arts), err)
		}
		return errs
	}
	x.imet.committed(arts, end.Sub(start), end)
	x.log.Debug("articles indexed", zap.Int("count", len(arts)), zap.Duration("commit", end.Sub(start)))
	return errs
}

// Handler serves the search API under /v1/ (search, articles, stats) and
// the search page at /.
func (x *Indexer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/v1/", searchapi.Handler(x.ix, x.log))
	mux.Handle("/", webui.Handler())
	return mux
}

// Ready is a readiness check: the index answers.
func (x *Indexer) Ready(ctx context.Context) error { return x.ix.Ping(ctx) }

// Close closes the index. Call it after Run has returned.
func (x *Indexer) Close() error { return x.ix.Close() }
