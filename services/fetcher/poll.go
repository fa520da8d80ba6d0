package fetcher

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/feed"
	"github.com/newsflow/newsflow/services/fetcher/internal/hostlimit"
	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
	"github.com/newsflow/newsflow/services/fetcher/internal/schedule"
	"github.com/newsflow/newsflow/services/fetcher/registry"
	"go.uber.org/zap"
)

// pollHostWait is how long a scheduled poll waits for its host's turn
// before it is deferred: a worker stuck behind one busy host would delay
// the feeds of every other host.
const pollHostWait = 5 * time.Second

// articleKeyPrefix marks the seen-bucket keys of article ids (canonical
// URLs), beside the item ids.
const articleKeyPrefix = "a."

// PollOnce polls one feed now, whatever its schedule, registering it when
// it is not yet in the registry, and returns how many new items it
// published. The result is recorded in the registry like any poll's.
func (f *Fetcher) PollOnce(ctx context.Context, feedURL string) (int, error) {
	if err := f.init(ctx); err != nil {
		return 0, err
	}
	now := time.Now()
	e, _, err := f.reg.Add(ctx, registry.Feed{URL: feedURL}, now)
	if err != nil {
		return 0, err
	}
	claimed, err := f.reg.Claim(ctx, e, f.id, now, f.cfg.LeaseTimeout)
	if err != nil {
		return 0, fmt.Errorf("poll %s: %w", feedURL, err)
	}
	return f.pollClaimed(ctx, claimed, 0)
}

// pollClaimed polls a feed whose lease this replica holds, records the
// outcome in the registry and releases the lease. hostWait bounds the wait
// for the host's turn (0: no bound).
func (f *Fetcher) pollClaimed(ctx context.Context, e registry.Entry, hostWait time.Duration) (int, error) {
	start := time.Now()
	// The poll is the root span of the trace of every item it publishes.
	pctx, endSpan := service.StartSpan(ctx, "fetcher poll", service.MessageRef{FeedURL: e.Feed.URL})
	o, movedTo := f.fetchFeed(pctx, e.Feed, hostWait)
	endSpan(o.Err)
	if ctx.Err() != nil {
		// Shutting down: not the feed's fault. Hand the feed back so that
		// another replica need not wait for the lease to run out.
		f.release(e)
		return o.NewItems, ctx.Err()
	}
	d := time.Since(start)
	f.m.polls.WithLabelValues(o.Result).Inc()
	f.m.pollSeconds.Observe(d.Seconds())
	fields := []zap.Field{zap.String("feed_url", e.Feed.URL), zap.String("result", o.Result), zap.Duration("duration", d),
		zap.Int("status", o.Status), zap.Int("new_items", o.NewItems)}
	if movedTo != "" {
		fields = append(fields, zap.String("moved_to", movedTo))
	}
	if o.Err != nil {
		f.log.Warn("feed polled", append(fields, zap.Error(o.Err))...)
	} else {
		f.log.Info("feed polled", fields...)
	}
	f.complete(ctx, e, o, movedTo)
	if o.Defer > 0 && o.Err == nil {
		return 0, fmt.Errorf("poll %s: deferred: %w", e.Feed.URL, hostlimit.ErrBusy)
	}
	return o.NewItems, o.Err
}

// complete writes the outcome into the feed's record and drops the lease.
// A conflicting write (the operator paused or renamed the feed meanwhile)
// is merged by applying the outcome to the newer record; a record whose
// lease another replica now holds is left to that replica.
func (f *Fetcher) complete(ctx context.Context, e registry.Entry, o schedule.Outcome, movedTo string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := time.Now()
	cur := e
	for range 10 {
		upd := cur
		f.policy.Apply(&upd.Feed, o, now)
		upd.Feed.Lease = nil
		saved, err := f.reg.Put(ctx, upd)
		if err == nil {
			f.noteEntry(saved)
			if movedTo != "" {
				if moved, err := f.reg.Move(ctx, saved, movedTo, now); err != nil {
					f.log.Warn("move feed", zap.String("feed_url", e.Feed.URL), zap.String("to", movedTo), zap.Error(err))
				} else {
					f.log.Info("feed moved", zap.String("from", e.Feed.URL), zap.String("to", moved.Feed.URL))
				}
			}
			return
		}
		if !errors.Is(err, registry.ErrConflict) {
			f.log.Error("record poll", zap.String("feed_url", e.Feed.URL), zap.Error(err))
			return
		}
		if cur, err = f.reg.Get(ctx, e.Key); err != nil {
			return // removed while we polled
		}
		if l := cur.Feed.Lease; l == nil || l.Owner != f.id {
			f.m.leaseLost.Inc()
			f.log.Warn("lease lost during poll; result dropped", zap.String("feed_url", e.Feed.URL))
			return
		}
	}
	f.log.Error("record poll: too many conflicts", zap.String("feed_url", e.Feed.URL))
}

// release drops this replica's lease on a feed without recording a poll.
func (f *Fetcher) release(e registry.Entry) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = f.reg.Update(ctx, e.Key, func(fd *registry.Feed) error {
		if fd.Lease == nil || fd.Lease.Owner != f.id {
			return errors.New("not ours")
		}
		fd.Lease = nil
		return nil
	})
}

// fetchFeed fetches, parses and publishes one feed. movedTo is the feed's
// new URL: where permanent redirects led, or the feed an HTML page
// announced.
func (f *Fetcher) fetchFeed(ctx context.Context, fd registry.Feed, hostWait time.Duration) (o schedule.Outcome, movedTo string) {
	u, err := url.Parse(fd.URL)
	if err != nil {
		return schedule.Outcome{Err: err, Result: "invalid_url"}, ""
	}
	release, err := f.hosts.Acquire(ctx, u.Hostname(), hostWait)
	if err != nil {
		var be *hostlimit.BusyError
		if errors.As(err, &be) {
			return schedule.Outcome{Result: "deferred", Defer: be.Wait}, ""
		}
		return schedule.Outcome{Err: err, Result: "host_limit"}, ""
	}
	resp, err := f.client.Get(ctx, httpfetch.Request{URL: fd.URL, MaxBytes: f.cfg.FeedMaxBytes,
		ETag: fd.ETag, LastModified: fd.LastModified,
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"})
	// The host's slot is for the request only: parsing and publishing
	// need not hold it.
	release()
	if err != nil {
		o = schedule.Outcome{Err: err, Result: errorKind(err)}
		var se *httpfetch.StatusError
		if errors.As(err, &se) {
			f.m.response("feed", se.Code, 0)
			o.Status = se.Code
			o.Gone = se.Code == http.StatusGone
			if se.Code == http.StatusTooManyRequests || se.Code == http.StatusServiceUnavailable {
				o.RetryAfter = se.RetryAfter
			}
		}
		return o, ""
	}
	f.m.response("feed", resp.StatusCode, len(resp.Body))
	now := time.Now().UTC()
	o = schedule.Outcome{Status: resp.StatusCode, CacheHint: schedule.CacheHint(resp.Header, now)}
	movedTo = resp.PermanentURL
	if resp.NotModified {
		o.NotModified = true
		o.Result = "not_modified"
		f.m.savedBytes.Add(float64(fd.LastBytes))
		return o, movedTo
	}
	o.ETag, o.LastModified, o.Bytes = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), int64(len(resp.Body))
	parsed, err := feed.Parse(resp.Body, fd.URL, now)
	if err != nil {
		if errors.Is(err, feed.ErrNotAFeed) && isHTML(resp.ContentType) {
			base := resp.FinalURL
			if base == "" {
				base = fd.URL
			}
			if found := feed.DiscoverFeeds(resp.Body, base); len(found) > 0 {
				o.Result = "discovered"
				return o, found[0]
			}
		}
		o.Err, o.Result = err, errorKind(err)
		return o, movedTo
	}
	o.FeedHint = max(parsed.TTL, parsed.UpdatePeriod)
	o.NewItems, err = f.publishItems(ctx, fd.URL, parsed)
	switch {
	case err != nil:
		o.Err, o.Result = err, "publish_error"
	case o.NewItems > 0:
		o.Result = "new_items"
	default:
		o.Result = "no_new_items"
	}
	return o, movedTo
}

func isHTML(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// errorKind names a poll error for metrics and the registry.
func errorKind(err error) string {
	var se *httpfetch.StatusError
	switch {
	case errors.As(err, &se):
		switch {
		case se.Code == http.StatusGone:
			return "gone"
		case se.Code == http.StatusNotFound:
			return "not_found"
		case se.Code == http.StatusTooManyRequests:
			return "rate_limited"
		case se.Code >= 500:
			return "http_5xx"
		default:
			return "http_4xx"
		}
	case errors.Is(err, httpfetch.ErrTimeout):
		return "timeout"
	case errors.Is(err, httpfetch.ErrBlockedAddress):
		return "blocked"
	case errors.Is(err, httpfetch.ErrTooLarge):
		return "too_large"
	case errors.Is(err, httpfetch.ErrTooManyRedirects):
		return "redirects"
	case errors.Is(err, httpfetch.ErrInvalidURL):
		return "invalid_url"
	case errors.Is(err, feed.ErrMalformed):
		return "malformed"
	case errors.Is(err, feed.ErrNotAFeed):
		return "not_a_feed"
	default:
		return "network"
	}
}

// publishItems publishes every item not seen before and returns how many.
// An item is seen when its id is known (its GUID, else canonical link, else
// title and date, within this feed) or, so that GUID churn, a moved feed or
// the same story in two feeds do not fetch a page twice, when its article
// id (canonical URL) is known. Both are marked only after the publish is
// acked, so a crash in between republishes (de-duplicated by Nats-Msg-Id
// and the sinks) rather than loses.
func (f *Fetcher) publishItems(ctx context.Context, feedURL string, parsed *feed.Feed) (int, error) {
	published := 0
	for i := range parsed.Items {
		it := &parsed.Items[i]
		known, err := f.isSeen(ctx, it.ID)
		if err != nil {
			return published, err
		}
		if known {
			f.m.duplicates.WithLabelValues("item").Inc()
			continue
		}
		if known, err = f.isSeen(ctx, articleKeyPrefix+it.ArticleID); err != nil {
			return published, err
		}
		if known {
			f.m.duplicates.WithLabelValues("article").Inc()
			if _, err := f.seen.Put(ctx, it.ID, []byte(it.URL)); err != nil {
				return published, fmt.Errorf("poll %s: mark %s seen: %w", feedURL, it.ID, err)
			}
			continue
		}
		h := nats.Header{events.HeaderTraceParent: {service.NewTraceParent()}}
		if err := service.Publish(ctx, f.js, it, events.StageFetcher, h, f.met); err != nil {
			return published, fmt.Errorf("poll %s: %w", feedURL, err)
		}
		for _, k := range []string{it.ID, articleKeyPrefix + it.ArticleID} {
			if _, err := f.seen.Put(ctx, k, []byte(it.URL)); err != nil {
				return published, fmt.Errorf("poll %s: mark %s seen: %w", feedURL, k, err)
			}
		}
		published++
		f.m.items.Inc()
		f.log.Debug("new item", zap.String("feed_url", feedURL), zap.String("url", it.URL), zap.String("article_id", it.ArticleID))
	}
	return published, nil
}

func (f *Fetcher) isSeen(ctx context.Context, key string) (bool, error) {
	_, err := f.seen.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("seen %s: %w", key, err)
	}
}
