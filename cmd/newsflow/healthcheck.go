package main

import (
	"context"
	"flag"
	"io"

	"github.com/newsflow/newsflow/pkg/service"
)

// cmdHealthcheck asks the running `newsflow run` on --http (env
// NEWSFLOW_HTTP, the same variable run reads) for /readyz and fails unless it
// answers 200: the container health check of an image with no shell.
func cmdHealthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("http", "127.0.0.1:8080", "address newsflow run serves /healthz and /readyz on")
	path := fs.String("path", "/readyz", "path to ask: /healthz (alive) or /readyz (ready)")
	if err := service.ParseFlags(fs, args); err != nil {
		return err
	}
	url, err := service.HealthcheckURL(*addr, *path)
	if err != nil {
		return err
	}
	return service.Healthcheck(ctx, url)
}
