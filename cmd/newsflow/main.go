// Command newsflow is the all-in-one newsflow: `newsflow run` starts an
// embedded NATS server with JetStream, the fetcher, parser and indexer, and
// the search API in one process; `newsflow demo` ingests a bundled site and
// searches it; `newsflow extract` runs the parser on files.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/newsflow/newsflow/pkg/service"
	"io"
	"os"
)

const usage = `newsflow — event-driven news ingestion on NATS JetStream

Usage:
  newsflow run     [flags]          embedded NATS + fetcher + parser + indexer + search API
  newsflow demo    [--once] [flags] serve a bundled site, ingest it, search "deconfliction"
  newsflow extract [--dir DIR] FILE...  print one Article JSON a line for HTML files
  newsflow feeds   add|rm|list|pause|resume|import|export  manage the feed registry
  newsflow provision [flags]        create the streams and buckets on a NATS cluster (admin user)
  newsflow healthcheck [--path P]   exit 0 when the local server's /readyz answers 200
  newsflow bench   [--bench-feeds N] [--bench-per-feed K]  pipeline vs parser alone, profiles
  newsflow reindex [--data DIR | --nats-url URL --index-dir DIR]  rebuild the index from NEWS_ARTICLES
  newsflow version

Run "newsflow COMMAND -h" for a command's flags. Every flag can also be set
with an environment variable: --poll-interval is NEWSFLOW_POLL_INTERVAL.
`

func main() {
	service.TuneGC()
	os.Exit(cli(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs one command and returns the exit code.
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = cmdRun(ctx, args[1:], stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		err = cmdHealthcheck(ctx, args[1:], stderr)
	case "provision":
		err = cmdProvision(ctx, args[1:], stdout, stderr)
	case "feeds":
		err = cmdFeeds(ctx, args[1:], stdout, stderr)
	case "bench":
		err = cmdBench(ctx, args[1:], stdout, stderr)
	case "reindex":
		err = cmdReindex(ctx, args[1:], stdout, stderr)
	case "extract":
		err = cmdExtract(args[1:], stdout)
	case "version", "--version":
		fmt.Fprintf(stdout, "newsflow %s (%s)\n", version, commit)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "newsflow: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "newsflow %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = "none"
)
