package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Deps are the connections and shared parts a service receives from its main.
type Deps struct {
	Log      *zap.Logger
	NC       *nats.Conn
	JS       jetstream.JetStream
	Registry *prometheus.Registry
	HTTP     *HTTPServer
	Metrics  *Metrics
}

// Program describes a service binary: its name, its own flags and how to run.
type Program struct {
	// Name is the binary's and the NATS connection's name.
	Name string
	// DefaultHTTP is the default of --http.
	DefaultHTTP string
	// Flags registers the service's own flags.
	Flags func(fs *flag.FlagSet)
	// Validate checks the service's configuration after parsing.
	Validate func() error
	// Run runs the service until ctx is done.
	Run func(ctx context.Context, d Deps) error
}

// Main is the whole main function of a service binary: flags and
// environment, logger, NATS connection, stream provisioning, the HTTP server
// and a graceful shutdown on SIGINT/SIGTERM. It exits the process.
func Main(p Program) {
	TuneGC()
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "healthcheck": // the container health check: exit 0 when ready
			if err := healthcheckCommand(p.Name, p.DefaultHTTP, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
				os.Exit(1)
			}
			os.Exit(0)
		case "version", "--version":
			fmt.Printf("%s %s (%s)\n", p.Name, Version, Commit)
			os.Exit(0)
		}
	}
	if err := run(p, os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", p.Name, err)
		os.Exit(1)
	}
}

func run(p Program, args []string) error {
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	var c Common
	c.RegisterFlags(fs, ":8080")
	if p.DefaultHTTP != "" {
		_ = fs.Set("http", p.DefaultHTTP)
	}
	if p.Flags != nil {
		p.Flags(fs)
	}
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if p.Validate != nil {
		if err := p.Validate(); err != nil {
			return err
		}
	}
	log, err := NewLogger(c.LogFormat, c.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log = log.Named(p.Name)

	ctx, stop := SignalContext(context.Background())
	defer stop()
	tracing, err := NewTracing(ctx, p.Name, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := tracing.Close(); err != nil {
			log.Warn("flushing traces", zap.Error(err))
		}
	}()
	ctx = ContextWithTracing(ctx, tracing)

	nc, err := Connect(c, p.Name, log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	if c.Provision {
		if err := EnsureStreams(ctx, js, c.StreamOptions()); err != nil {
			return err
		}
	}
	reg := NewRegistry()
	httpSrv := NewHTTPServer(reg, log)
	httpSrv.AddReadyCheck("nats", NATSReady(nc))
	d := Deps{Log: log, NC: nc, JS: js, Registry: reg, HTTP: httpSrv, Metrics: NewMetrics(reg)}
	fns := []func(context.Context) error{func(ctx context.Context) error { return p.Run(ctx, d) }}
	if c.HTTPAddr != "" {
		fns = append(fns, func(ctx context.Context) error { return httpSrv.ListenAndServe(ctx, c.HTTPAddr) })
	}
	log.Info("starting", zap.String("nats", nc.ConnectedUrlRedacted()))
	err = RunAll(ctx, fns...)
	log.Info("stopped", zap.Error(err))
	return err
}
