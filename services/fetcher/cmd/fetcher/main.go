// Command fetcher runs the fetcher service (feed poller and page workers)
// against a NATS server.
package main

import (
	"context"
	"flag"
	"strings"

	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher"
)

func main() {
	var cfg fetcher.Config
	var feedsFile, feeds string
	service.Main(service.Program{
		Name:        "fetcher",
		DefaultHTTP: ":8081",
		Flags: func(fs *flag.FlagSet) {
			cfg.RegisterFlags(fs)
			fs.StringVar(&feedsFile, "feeds", "", "file with one feed URL a line (# comments)")
			fs.StringVar(&feeds, "feed", "", "feed URLs, comma-separated")
		},
		Validate: func() error {
			list, err := fetcher.LoadFeeds(feedsFile)
			if err != nil {
				return err
			}
			for _, u := range strings.Split(feeds, ",") {
				if u = strings.TrimSpace(u); u != "" {
					list = append(list, u)
				}
			}
			cfg.Feeds = list
			return cfg.Validate()
		},
		Run: func(ctx context.Context, d service.Deps) error {
			f, err := fetcher.New(cfg, d.JS, d.Log, d.Metrics, d.Registry)
			if err != nil {
				return err
			}
			return f.Run(ctx)
		},
	})
}
