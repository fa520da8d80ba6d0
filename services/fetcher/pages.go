package fetcher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"go.uber.org/zap"
)

// pageHostWait bounds how long a page fetch waits for its host's turn
// before it is retried later; well inside the consumer's AckWait.
const pageHostWait = 20 * time.Second

func (f *Fetcher) fetchPages(ctx context.Context) error {
	return service.Consume(ctx, f.js, service.ConsumerConfig{
		Stage:      events.StageFetcher,
		Stream:     events.StreamItems,
		Durable:    Durable,
		Workers:    f.cfg.PageWorkers,
		MaxDeliver: f.cfg.MaxDeliver,
	}, f.handleItem, f.log, f.met)
}

// handleItem fetches the page of one feed item and publishes it. A page that
// is gone (4xx other than 429) is still published when the item carries its
// full content, so the parser can fall back to it; otherwise the failure is
// permanent. Network errors, 429 and 5xx are retried. A page robots.txt
// disallows is not fetched: published with the item's content when it has
// some, else dropped.
func (f *Fetcher) handleItem(ctx context.Context, msg jetstream.Msg) error {
	it, err := events.DecodeFeedItem(msg.Data())
	if err != nil {
		return err
	}
	page := &events.Page{
		SchemaVersion: events.SchemaVersion,
		ID:            it.ArticleID,
		URL:           it.URL,
		FeedURL:       it.FeedURL,
		Item:          it,
	}
	if f.robots != nil {
		ok, err := f.robots.Allowed(ctx, it.URL)
		if err != nil {
			f.m.pages.WithLabelValues("error").Inc()
			return fmt.Errorf("page %s: %w", it.URL, err)
		}
		if !ok {
			f.m.robots.Inc()
			f.m.pages.WithLabelValues("robots_refused").Inc()
			f.log.Info("page disallowed by robots.txt", zap.String("url", it.URL), zap.Bool("feed_content", it.Content != ""),
				zap.String("article_id", it.ArticleID), zap.String("feed_url", it.FeedURL))
			if it.Content == "" {
				return nil
			}
			page.FetchedAt = time.Now().UTC()
			return f.publishPage(ctx, msg, page)
		}
	}
	u, err := url.Parse(it.URL)
	if err != nil {
		return service.Permanent(fmt.Errorf("page %s: %w", it.URL, err))
	}
	release, err := f.hosts.Acquire(ctx, u.Hostname(), pageHostWait)
	if err != nil {
		return fmt.Errorf("page %s: %w", it.URL, err)
	}
	resp, err := f.client.Get(ctx, httpfetch.Request{URL: it.URL, MaxBytes: f.cfg.PageMaxBytes, AllowTruncate: true,
		Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	release() // the host's slot is for the request only, not the publish
	page.FetchedAt = time.Now().UTC()
	var se *httpfetch.StatusError
	switch {
	case err == nil:
		f.m.response("page", resp.StatusCode, len(resp.Body))
		page.StatusCode = resp.StatusCode
		page.ContentType = resp.ContentType
		page.HTML = string(resp.Body)
		page.Truncated = resp.Truncated
		if resp.FinalURL != "" && resp.FinalURL != it.URL {
			page.FinalURL = resp.FinalURL
		}
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests && se.Code != http.StatusRequestTimeout:
		f.m.response("page", se.Code, 0)
		if it.Content == "" {
			f.m.pages.WithLabelValues("error").Inc()
			return service.Permanent(err)
		}
		page.StatusCode = se.Code
		f.m.pages.WithLabelValues("feed_fallback").Inc()
	case errors.Is(err, httpfetch.ErrBlockedAddress):
		f.m.pages.WithLabelValues("error").Inc()
		return service.Permanent(err)
	default:
		if se != nil {
			f.m.response("page", se.Code, 0)
		}
		f.m.pages.WithLabelValues("error").Inc()
		return err
	}
	return f.publishPage(ctx, msg, page)
}

func (f *Fetcher) publishPage(ctx context.Context, msg jetstream.Msg, page *events.Page) error {
	it := page.Item
	if err := service.Publish(ctx, f.js, page, events.StageFetcher, nats.Header(msg.Headers()), f.met); err != nil {
		return fmt.Errorf("page %s: %w", it.URL, err)
	}
	result := "ok"
	if page.Truncated {
		result = "truncated"
	}
	if page.HTML != "" {
		f.m.pages.WithLabelValues(result).Inc()
	}
	f.log.Debug("page published", zap.String("url", it.URL), zap.String("article_id", page.ID), zap.String("feed_url", page.FeedURL),
		zap.Int("bytes", len(page.HTML)))
	return nil
}
