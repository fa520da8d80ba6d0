// Package parser is the parser service: it consumes raw pages from
// NEWS_PAGES, extracts a normalized Article from each (pure CPU, no network)
// and publishes it on news.articles.v1.<src>. Replicas are competing
// consumers on one durable consumer, so the stage scales with cores.
package parser

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/parser/internal/extract"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Durable is the name of the parser's durable consumer on NEWS_PAGES.
const Durable = "parser"

// ErrNoContent is returned by Parse for a page that yields neither a title
// nor a body.
var ErrNoContent = extract.ErrNoContent

// Config configures the parser service.
type Config struct {
	// Workers is how many pages are parsed at once (default: the CPUs).
	// Parsing is pure CPU, so more would only hold more parse trees in
	// memory; InFlight messages are handled at once so that publish round
	// trips overlap with parsing.
	Workers int
	// InFlight is how many pages are being handled (decoded, parsed or
	// waiting for their article's publish ack) at once (0: 4 × Workers).
	InFlight int
	// AckWait is how long one try may take before JetStream redelivers the
	// message to another replica (after a crash, say).
	AckWait time.Duration
	// MaxDeliver is how many tries a page gets before the DLQ.
	MaxDeliver int
}

// RegisterFlags defines the parser's flags on fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&c.Workers, "parser-workers", runtime.GOMAXPROCS(0), "pages parsed at once (CPU-bound)")
	fs.IntVar(&c.InFlight, "parser-in-flight", 0, "pages handled at once, including those waiting for their article's publish ack (0: 4 × parser-workers)")
	fs.IntVar(&c.MaxDeliver, "parser-max-deliver", 5, "tries per page before it goes to news.dlq.parser")
	fs.DurationVar(&c.AckWait, "parser-ack-wait", 30*time.Second, "how long one try may take before the message is redelivered")
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	if c.Workers < 0 || c.InFlight < 0 || c.MaxDeliver < 0 || c.AckWait < 0 {
		return errors.New("parser: workers, in-flight, max deliver and ack wait must not be negative")
	}
	return nil
}

// Parser is the parser service.
type Parser struct {
	cfg Config
	js  jetstream.JetStream
	log *zap.Logger
	met *service.Metrics
	reg prometheus.Registerer
	own *metrics
	// slots holds one token per page being parsed: at most Workers.
	slots chan struct{}
}

// New returns a parser that consumes and publishes through js.
func New(cfg Config, js jetstream.JetStream, log *zap.Logger, met *service.Metrics, opts ...Option) (*Parser, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Parser{cfg: cfg, js: js, log: log.Named("parser"), met: met}
	for _, o := range opts {
		o(p)
	}
	p.own = newMetrics(p.reg)
	if p.cfg.Workers == 0 {
		p.cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if p.cfg.InFlight == 0 {
		p.cfg.InFlight = 4 * p.cfg.Workers
	}
	p.cfg.InFlight = max(p.cfg.InFlight, p.cfg.Workers)
	p.slots = make(chan struct{}, p.cfg.Workers)
	return p, nil
}

// Run consumes pages until ctx is done, then drains in-flight work.
func (p *Parser) Run(ctx context.Context) error {
	return service.Consume(ctx, p.js, service.ConsumerConfig{
		Stage:      events.StageParser,
		Stream:     events.StreamPages,
		Durable:    Durable,
		Workers:    p.cfg.InFlight,
		MaxDeliver: p.cfg.MaxDeliver,
		AckWait:    p.cfg.AckWait,
	}, p.handle, p.log, p.met)
}

func (p *Parser) handle(ctx context.Context, msg jetstream.Msg) error {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	page, art, err := decodeAndParse(msg.Data())
	<-p.slots
	if err != nil {
		return err
	}
	if art.Extraction.NeedsJS {
		p.own.needsJS.Inc()
		p.log.Info("page needs javascript", zap.String("url", art.URL), zap.String("article_id", art.ID), zap.String("feed_url", page.FeedURL),
			zap.String("method", art.Extraction.Method), zap.Int("words", art.WordCount))
	}
	if err := service.Publish(ctx, p.js, art, events.StageParser, nats.Header(msg.Headers()), p.met); err != nil {
		return err
	}
	p.log.Debug("article published", zap.String("article_id", art.ID), zap.String("feed_url", page.FeedURL), zap.String("url", art.URL),
		zap.Int("words", art.WordCount))
	return nil
}

// decodeAndParse is the CPU-bound part of handling a page message.
func decodeAndParse(data []byte) (*events.Page, *events.Article, error) {
	page, err := events.DecodePage(data)
	if err != nil {
		return nil, nil, err
	}
	art, err := Parse(page)
	return page, art, err
}

// Parse extracts the Article from a fetched page: the same code path the
// service runs, for the CLI and for tests. A page without content gives a
// permanent error wrapping ErrNoContent.
func Parse(page *events.Page) (*events.Article, error) {
	art, err := extract.Article(page)
	if err != nil {
		if errors.Is(err, extract.ErrNoContent) {
			return nil, service.Permanent(fmt.Errorf("parse %s: %w", page.URL, err))
		}
		return nil, fmt.Errorf("parse %s: %w", page.URL, err)
	}
	return art, nil
}
