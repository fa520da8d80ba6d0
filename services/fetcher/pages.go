package fetcher

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"go.uber.org/zap"
)

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
// permanent. Network errors, 429 and 5xx are retried.
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
	resp, err := f.client.Get(ctx, httpfetch.Request{URL: it.URL, MaxBytes: f.cfg.PageMaxBytes, AllowTruncate: true,
		Accept: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"})
	page.FetchedAt = time.Now().UTC()
	var se *httpfetch.StatusError
	switch {
	case err == nil:
		page.StatusCode = resp.StatusCode
		page.ContentType = resp.ContentType
		page.HTML = string(resp.Body)
		page.Truncated = resp.Truncated
		if resp.FinalURL != "" && resp.FinalURL != it.URL {
			page.FinalURL = resp.FinalURL
		}
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 && se.Code != http.StatusTooManyRequests && se.Code != http.StatusRequestTimeout:
		if it.Content == "" {
			f.pages.WithLabelValues("error").Inc()
			return service.Permanent(err)
		}
		page.StatusCode = se.Code
		f.pages.WithLabelValues("feed_fallback").Inc()
	case errors.Is(err, httpfetch.ErrBlockedAddress):
		f.pages.WithLabelValues("error").Inc()
		return service.Permanent(err)
	default:
		f.pages.WithLabelValues("error").Inc()
		return err
	}
	if err := service.Publish(ctx, f.js, page, events.StageFetcher, nats.Header(msg.Headers()), f.met); err != nil {
		return fmt.Errorf("page %s: %w", it.URL, err)
	}
	result := "ok"
	if page.Truncated {
		result = "truncated"
	}
	if page.HTML != "" {
		f.pages.WithLabelValues(result).Inc()
	}
	f.log.Debug("page published", zap.String("url", it.URL), zap.String("article_id", page.ID), zap.Int("bytes", len(page.HTML)))
	return nil
}
