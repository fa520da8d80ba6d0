package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/newsflow/newsflow/cmd/newsflow/internal/app"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher"
	"go.uber.org/zap"
)

// runFlags are the flags of `newsflow run`, shared with `newsflow demo`.
type runFlags struct {
	app       app.Config
	logs      service.Common
	feedsFile string
	fs        *flag.FlagSet
}

func newRunFlags(name, defaultHTTP, defaultNATS string, stderr io.Writer) *runFlags {
	r := &runFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	fs := r.fs
	fs.SetOutput(stderr)
	fs.StringVar(&r.app.DataDir, "data", "./data", "directory for the JetStream store and the index")
	fs.StringVar(&r.app.HTTPAddr, "http", defaultHTTP, "address of the search API, /healthz, /readyz and /metrics")
	fs.StringVar(&r.app.NATSListen, "nats-listen", defaultNATS, "where the embedded NATS server accepts clients (empty: in-process only)")
	fs.StringVar(&r.feedsFile, "feeds", "", "file with one feed URL a line (# comments)")
	fs.Func("nats-sync", "how often JetStream fsyncs: a duration (default 1s), or always (every write)", func(v string) error {
		if v == "always" {
			r.app.SyncAlways, r.app.SyncInterval = true, 0
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a positive duration or always, got %q", v)
		}
		r.app.SyncAlways, r.app.SyncInterval = false, d
		return nil
	})
	r.app.SyncInterval = time.Second
	fs.StringVar(&r.app.StreamCompression, "stream-compression", service.CompressionS2, service.CompressionUsage)
	r.logs.RegisterLogFlags(fs)
	r.app.Fetcher.RegisterFlags(fs)
	r.app.Parser.RegisterFlags(fs)
	r.app.Indexer.RegisterFlags(fs)
	// The index lives under --data unless --index-dir says otherwise.
	_ = fs.Set("index-dir", "")
	return r
}

// parse parses args (after the environment) and rejects stray arguments.
func (r *runFlags) parse(args []string) error {
	if err := service.ParseFlags(r.fs, args); err != nil {
		return err
	}
	if r.fs.NArg() > 0 {
		return errors.New("unexpected arguments: " + r.fs.Arg(0))
	}
	return nil
}

// tempData gives the run a temporary --data directory when none was set;
// the returned cleanup removes it.
func (r *runFlags) tempData(prefix string) (cleanup func(), err error) {
	if r.app.DataDir != "" {
		return func() {}, nil
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	r.app.DataDir = dir
	return func() { _ = os.RemoveAll(dir) }, nil
}

// open loads the feeds file, validates the configuration and opens the
// all-in-one app with its logger. The caller closes both.
func (r *runFlags) open(ctx context.Context) (*app.App, *zap.Logger, error) {
	feeds, err := fetcher.LoadFeeds(r.feedsFile)
	if err != nil {
		return nil, nil, err
	}
	r.app.Fetcher.Feeds = append(r.app.Fetcher.Feeds, feeds...)
	if r.app.Indexer.IndexDir == "" {
		r.app.Indexer.IndexDir = filepath.Join(r.app.DataDir, "index")
	}
	if err := r.app.Validate(); err != nil {
		return nil, nil, err
	}
	log, err := r.logger()
	if err != nil {
		return nil, nil, err
	}
	a, err := app.New(ctx, r.app, log)
	if err != nil {
		_ = log.Sync()
		return nil, nil, err
	}
	return a, log, nil
}

// runInBackground runs a until the returned stop is called; stop returns
// Run's error.
func runInBackground(ctx context.Context, a *app.App) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

func (r *runFlags) logger() (*zap.Logger, error) {
	return service.NewLogger(r.logs.LogFormat, r.logs.LogLevel)
}

func cmdRun(ctx context.Context, args []string, stderr io.Writer) error {
	r := newRunFlags("run", "127.0.0.1:8080", "127.0.0.1:4222", stderr)
	if err := r.parse(args); err != nil {
		return err
	}
	ctx, stop := service.SignalContext(ctx)
	defer stop()
	a, log, err := r.open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	defer a.Close()
	return a.Run(ctx)
}
