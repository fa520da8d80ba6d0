// Command indexer runs the indexer service and its search API against a
// NATS server.
package main

import (
	"context"

	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/indexer"
)

func main() {
	var cfg indexer.Config
	service.Main(service.Program{
		Name:        "indexer",
		DefaultHTTP: ":8080",
		Flags:       cfg.RegisterFlags,
		Validate:    cfg.Validate,
		Run: func(ctx context.Context, d service.Deps) error {
			x, err := indexer.New(cfg, d.JS, d.Log, d.Metrics, indexer.WithRegisterer(d.Registry))
			if err != nil {
				return err
			}
			defer x.Close()
			d.HTTP.Handle("/", x.Handler())
			d.HTTP.AddReadyCheck("index", x.Ready)
			return x.Run(ctx)
		},
	})
}
