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

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/services/indexer"
)

// cmdReindex rebuilds an index from the NEWS_ARTICLES stream (see
// indexer.Reindex): either through a running NATS server (--nats-url), for
// an indexer service's --index-dir or a shared PostgreSQL index, or from the
// JetStream store of a stopped all-in-one (--data).
func cmdReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: newsflow reindex [--data DIR | --nats-url URL --index-dir DIR] [flags]

Rebuilds the index from the NEWS_ARTICLES stream. bleve: a fresh index is
built next to the live one (DIR.reindex) and swapped in once it has caught
up; the indexer using the live index must stop for the swap (reindex waits
up to --swap-wait for it). postgres: the articles are upserted again into
the same table (idempotent; the indexer may keep running).

`)
		fs.PrintDefaults()
	}
	var c service.Common
	c.RegisterFlags(fs, "")
	var cfg indexer.Config
	cfg.RegisterFlags(fs)
	_ = fs.Set("index-dir", "")
	data := fs.String("data", "", "data directory of a stopped `newsflow run`: replay its JetStream store (DIR/nats) into DIR/index")
	swapWait := fs.Duration("swap-wait", 30*time.Minute, "once caught up, how long to wait for the indexer using the live index to stop")
	timeout := fs.Duration("timeout", 0, "give up after this long (0: no limit)")
	log, err := parseOperatorFlags(fs, &c, args)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}

	var nc *nats.Conn
	if *data != "" {
		if cfg.IndexDir == "" {
			cfg.IndexDir = filepath.Join(*data, "index")
		}
		srv, err := startStore(*data, cfg)
		if err != nil {
			return err
		}
		defer srv.Stop()
		if nc, err = service.Connect(service.Common{NATSURL: srv.ClientURL()}, "newsflow-reindex", log, srv.InProcess()); err != nil {
			return err
		}
		// Nobody else may have the index open: fail rather than wait.
		*swapWait = 0
	} else {
		if cfg.IndexDir == "" && cfg.Backend != indexer.BackendPostgres {
			return errors.New("--index-dir is required with --nats-url (the indexer service's index directory), or use --data DIR")
		}
		if nc, err = service.Connect(c, "newsflow-reindex", log); err != nil {
			return err
		}
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	start := time.Now()
	n, err := indexer.Reindex(ctx, js, cfg, log, indexer.WithSwapWait(*swapWait))
	if err != nil {
		return err
	}
	where := cfg.IndexDir
	if cfg.Backend == indexer.BackendPostgres {
		where = "postgres"
	}
	fmt.Fprintf(stdout, "reindexed %d articles into %s in %s\n", n, where, time.Since(start).Round(time.Millisecond))
	return nil
}

// startStore starts an embedded NATS server without a listener on the
// JetStream store in dir/nats. The all-in-one must be stopped: two servers
// on one store would corrupt it.
func startStore(dir string, cfg indexer.Config) (*embedded.Server, error) {
	store := filepath.Join(dir, "nats")
	if _, err := os.Stat(filepath.Join(store, "jetstream")); err != nil {
		return nil, fmt.Errorf("no JetStream store in %s (is --data the directory of `newsflow run`?): %w", store, err)
	}
	if cfg.Backend != indexer.BackendPostgres {
		inUse, err := indexer.IndexInUse(cfg.IndexDir)
		if err != nil {
			return nil, err
		}
		if inUse {
			return nil, fmt.Errorf("%s is open: `newsflow run` seems to be running on %s; stop it, or reindex through its NATS server with --nats-url", cfg.IndexDir, dir)
		}
	}
	return embedded.Start(embedded.Options{StoreDir: store})
}
