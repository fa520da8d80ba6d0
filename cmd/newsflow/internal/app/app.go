// Package app wires the all-in-one newsflow: an embedded NATS server with
// JetStream and the fetcher, parser and indexer services in one process, with
// the search API, health and metrics on one HTTP address. It wires the same
// packages the service binaries run; nothing is written twice.
package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/indexer"
	"github.com/newsflow/newsflow/services/parser"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Config configures the all-in-one process.
type Config struct {
	// DataDir holds the JetStream store (nats/) and, unless the indexer's
	// IndexDir says otherwise, the index (index/).
	DataDir string
	// NATSListen is where the embedded server accepts outside clients such
	// as the nats CLI ("" accepts none).
	NATSListen string
	// HTTPAddr serves the search API, /healthz, /readyz and /metrics.
	HTTPAddr string
	// SyncInterval is how often JetStream fsyncs its files; SyncAlways
	// fsyncs every write. See BENCHMARKS.md "Durability" for the measured
	// cost: 1s bounds what a power loss can take at almost no cost, always
	// takes nothing but publishes about 11x slower.
	SyncInterval time.Duration
	SyncAlways   bool
	// StreamCompression is service.Common's: s2 (or empty) or none.
	StreamCompression string
	// Fetcher, Parser and Indexer configure the services.
	Fetcher fetcher.Config
	Parser  parser.Config
	Indexer indexer.Config
}

// StreamOptions are the streams the process provisions.
func (c *Config) StreamOptions() service.StreamOptions {
	return service.Common{StreamCompression: c.StreamCompression}.StreamOptions()
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data dir is empty"))
	}
	if c.HTTPAddr == "" {
		errs = append(errs, errors.New("http address is empty"))
	}
	if _, err := service.ParseCompression(c.StreamCompression); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.Fetcher.Validate(), c.Parser.Validate(), c.Indexer.Validate())
	return errors.Join(errs...)
}

// App is a running all-in-one newsflow.
type App struct {
	cfg      Config
	log      *zap.Logger
	srv      *embedded.Server
	nc       *nats.Conn
	js       jetstream.JetStream
	fetcher  *fetcher.Fetcher
	parser   *parser.Parser
	indexer  *indexer.Indexer
	http     *service.HTTPServer
	ln       net.Listener
	tracing  *service.Tracing // nil: trace export off
	Registry *prometheus.Registry
}

// New starts the embedded NATS server, provisions the streams, opens the
// index and binds the HTTP address. Run starts the work; Close releases all.
func New(ctx context.Context, cfg Config, log *zap.Logger) (a *App, err error) {
	if cfg.Indexer.IndexDir == "" {
		cfg.Indexer.IndexDir = filepath.Join(cfg.DataDir, "index")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a = &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	// OTEL_* environment variables turn trace export on; off by default.
	if a.tracing, err = service.NewTracing(ctx, "newsflow", log); err != nil {
		return nil, err
	}
	a.srv, err = embedded.Start(embedded.Options{
		StoreDir:     filepath.Join(cfg.DataDir, "nats"),
		Listen:       cfg.NATSListen,
		SyncInterval: cfg.SyncInterval,
		SyncAlways:   cfg.SyncAlways,
	})
	if err != nil {
		return nil, err
	}
	a.nc, err = service.Connect(service.Common{NATSURL: a.srv.ClientURL()}, "newsflow", log, a.srv.InProcess())
	if err != nil {
		return nil, err
	}
	if a.js, err = jetstream.New(a.nc); err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if err := service.EnsureStreams(ctx, a.js, cfg.StreamOptions()); err != nil {
		return nil, err
	}
	a.Registry = service.NewRegistry()
	met := service.NewMetrics(a.Registry)
	if a.fetcher, err = fetcher.New(cfg.Fetcher, a.js, log, met, a.Registry); err != nil {
		return nil, err
	}
	if a.parser, err = parser.New(cfg.Parser, a.js, log, met, parser.WithRegisterer(a.Registry)); err != nil {
		return nil, err
	}
	if a.indexer, err = indexer.New(cfg.Indexer, a.js, log, met, indexer.WithRegisterer(a.Registry)); err != nil {
		return nil, err
	}
	a.http = service.NewHTTPServer(a.Registry, log)
	a.http.AddReadyCheck("nats", service.NATSReady(a.nc))
	a.http.AddReadyCheck("index", a.indexer.Ready)
	a.http.Handle("/", a.indexer.Handler())
	if a.ln, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	}
	return a, nil
}

// HTTPAddr is the address the HTTP server listens on.
func (a *App) HTTPAddr() string { return a.ln.Addr().String() }

// NATSURL is the embedded server's client URL (for outside clients when
// NATSListen is set).
func (a *App) NATSURL() string { return a.srv.ClientURL() }

// JetStream is the app's JetStream context, for tests and the CLI.
func (a *App) JetStream() jetstream.JetStream { return a.js }

// Conn is the app's in-process NATS connection.
func (a *App) Conn() *nats.Conn { return a.nc }

// Run runs the three services and the HTTP server until ctx is done, then
// drains in-flight work. It does not close the app.
func (a *App) Run(ctx context.Context) error {
	a.log.Info("newsflow running", zap.String("http", a.HTTPAddr()), zap.String("nats", a.cfg.NATSListen),
		zap.Int("feeds", len(a.cfg.Fetcher.Feeds)), zap.String("data", a.cfg.DataDir))
	ctx = service.ContextWithTracing(ctx, a.tracing)
	return service.RunAll(ctx,
		a.fetcher.Run,
		a.parser.Run,
		a.indexer.Run,
		func(ctx context.Context) error { return a.http.Serve(ctx, a.ln) },
	)
}

// Close closes the index, the connection and the embedded server, and
// flushes the spans not yet exported.
func (a *App) Close() {
	if a.indexer != nil {
		if err := a.indexer.Close(); err != nil {
			a.log.Warn("close index", zap.Error(err))
		}
	}
	if a.ln != nil {
		_ = a.ln.Close()
	}
	if a.nc != nil {
		a.nc.Close()
	}
	if a.srv != nil {
		a.srv.Stop()
	}
	if err := a.tracing.Close(); err != nil {
		a.log.Warn("flushing traces", zap.Error(err))
	}
}
