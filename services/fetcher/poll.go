package fetcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"go.uber.org/zap"
)

func (f *Fetcher) pollLoop(ctx context.Context, seen jetstream.KeyValue) error {
	t := time.NewTicker(f.cfg.PollInterval)
	defer t.Stop()
	for {
		for _, u := range f.cfg.Feeds {
			if ctx.Err() != nil {
				return nil
			}
			if _, err := f.poll(ctx, seen, u); err != nil {
				f.log.Warn("feed poll failed", zap.String("feed_url", u), zap.Error(err))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// PollOnce polls one feed now and returns how many new items it published.
func (f *Fetcher) PollOnce(ctx context.Context, feedURL string) (int, error) {
	seen, err := f.seenBucket(ctx)
	if err != nil {
		return 0, err
	}
	return f.poll(ctx, seen, feedURL)
}

// poll fetches and parses one feed and publishes every item not yet seen.
// An item is marked seen only after its publish is acked, so a crash in
// between republishes it (de-duplicated by Nats-Msg-Id and the sinks) rather
// than losing it.
func (f *Fetcher) poll(ctx context.Context, seen jetstream.KeyValue, feedURL string) (int, error) {
	resp, err := f.client.Get(ctx, httpfetch.Request{URL: feedURL, MaxBytes: f.cfg.FeedMaxBytes,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"})
	if err != nil {
		f.polls.WithLabelValues("error").Inc()
		return 0, err
	}
	if resp.NotModified {
		f.polls.WithLabelValues("not_modified").Inc()
		return 0, nil
	}
	parsed, err := feed.Parse(resp.Body, feedURL, time.Now().UTC())
	if err != nil {
		f.polls.WithLabelValues("error").Inc()
		return 0, fmt.Errorf("poll %s: %w", feedURL, err)
	}
	f.polls.WithLabelValues("ok").Inc()
	published := 0
	for i := range parsed.Items {
		it := &parsed.Items[i]
		if _, err := seen.Get(ctx, it.ID); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return published, fmt.Errorf("poll %s: seen %s: %w", feedURL, it.ID, err)
		}
		h := nats.Header{events.HeaderTraceParent: {service.NewTraceParent()}}
		if err := service.Publish(ctx, f.js, it, events.StageFetcher, h, f.met); err != nil {
			return published, fmt.Errorf("poll %s: %w", feedURL, err)
		}
		if _, err := seen.Put(ctx, it.ID, []byte(it.URL)); err != nil {
			return published, fmt.Errorf("poll %s: mark %s seen: %w", feedURL, it.ID, err)
		}
		published++
		f.items.Inc()
		f.log.Info("new item", zap.String("feed_url", feedURL), zap.String("url", it.URL), zap.String("article_id", it.ArticleID))
	}
	return published, nil
}
