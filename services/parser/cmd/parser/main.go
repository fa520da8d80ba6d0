// Command parser runs the parser service against a NATS server.
package main

import (
	"context"

	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/parser"
)

func main() {
	var cfg parser.Config
	service.Main(service.Program{
		Name:        "parser",
		DefaultHTTP: ":8082",
		Flags:       cfg.RegisterFlags,
		Validate:    cfg.Validate,
		Run: func(ctx context.Context, d service.Deps) error {
			p, err := parser.New(cfg, d.JS, d.Log, d.Metrics, parser.WithRegisterer(d.Registry))
			if err != nil {
				return err
			}
			return p.Run(ctx)
		},
	})
}
