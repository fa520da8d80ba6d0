// Package indexer is the indexer service: it consumes articles from
// NEWS_ARTICLES, upserts them by id into the search index (embedded bleve by
// default) and serves the search API. Each replica with an embedded index
// keeps a full copy (read scale-out).
package indexer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/searchapi"
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
	// MaxDeliver is how many tries an article gets before the DLQ.
	MaxDeliver int
}

// RegisterFlags defines the indexer's flags on fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.IndexDir, "index-dir", "./data/index", "directory of the embedded bleve index (empty: in memory)")
	fs.StringVar(&c.Durable, "indexer-durable", "indexer", "durable consumer name on NEWS_ARTICLES (one per full-copy replica)")
	fs.IntVar(&c.Workers, "indexer-workers", 32, "articles indexed at once (concurrent writes share one index commit)")
	fs.IntVar(&c.MaxDeliver, "indexer-max-deliver", 5, "tries per article before it goes to news.dlq.indexer")
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	if c.Durable == "" {
		return errors.New("indexer: durable is empty")
	}
	if c.Workers < 0 || c.MaxDeliver < 0 {
		return errors.New("indexer: workers and max deliver must not be negative")
	}
	return nil
}

// Indexer is the indexer service.
type Indexer struct {
	cfg Config
	js  jetstream.JetStream
	ix  *index.Index
	log *zap.Logger
	met *service.Metrics
}

// New opens the index and returns the service. Close releases the index.
func New(cfg Config, js jetstream.JetStream, log *zap.Logger, met *service.Metrics) (*Indexer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ix, err := index.Open(cfg.IndexDir)
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	return &Indexer{cfg: cfg, js: js, ix: ix, log: log.Named("indexer"), met: met}, nil
}

// Run consumes articles until ctx is done, then drains in-flight work.
func (x *Indexer) Run(ctx context.Context) error {
	return service.Consume(ctx, x.js, service.ConsumerConfig{
		Stage:      events.StageIndexer,
		Stream:     events.StreamArticles,
		Durable:    x.cfg.Durable,
		Workers:    x.cfg.Workers,
		MaxDeliver: x.cfg.MaxDeliver,
	}, x.handle, x.log, x.met)
}

func (x *Indexer) handle(ctx context.Context, msg jetstream.Msg) error {
	art, err := events.DecodeArticle(msg.Data())
	if err != nil {
		return err
	}
	if err := x.ix.Upsert(ctx, art); err != nil {
		return fmt.Errorf("index %s: %w", art.ID, err)
	}
	x.log.Debug("article indexed", zap.String("article_id", art.ID), zap.String("url", art.URL))
	return nil
}

// Handler is the search API: GET /v1/search and GET /v1/articles/{id}.
func (x *Indexer) Handler() http.Handler { return searchapi.Handler(x.ix, x.log) }

// Ready is a readiness check: the index answers.
func (x *Indexer) Ready(context.Context) error {
	_, err := x.ix.Count()
	return err
}

// Close closes the index. Call it after Run has returned.
func (x *Indexer) Close() error { return x.ix.Close() }
