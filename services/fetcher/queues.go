package fetcher

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"go.uber.org/zap"
)

// queueSampleEvery is how often the queue-depth gauges are refreshed: one
// consumer-info request per replica each time, cheap against a scrape
// interval of 15s or more.
const queueSampleEvery = 5 * time.Second

// sampleQueues keeps the queue-depth gauges current until ctx is done.
func (f *Fetcher) sampleQueues(ctx context.Context) error {
	t := time.NewTicker(queueSampleEvery)
	defer t.Stop()
	for {
		f.sampleQueuesOnce(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// sampleQueuesOnce sets the due-feeds gauge from this replica's schedule,
// and the items-pending gauges from the page consumer's info (the same on
// every replica: aggregate them with max, not sum).
func (f *Fetcher) sampleQueuesOnce(ctx context.Context) {
	if s := f.sched.Load(); s != nil {
		f.m.feedsDue.Set(float64(s.dueCount(time.Now())))
	}
	ctx, cancel := context.WithTimeout(ctx, queueSampleEvery)
	defer cancel()
	c, err := f.js.Consumer(ctx, events.StreamItems, Durable)
	switch {
	case err == nil:
		info := c.CachedInfo()
		f.m.itemsPending.Set(float64(info.NumPending))
		f.m.itemsAckPending.Set(float64(info.NumAckPending))
	case errors.Is(err, jetstream.ErrConsumerNotFound), ctx.Err() != nil:
		// Not created yet (the page workers create it as they start), or
		// shutting down: the gauges keep their last values.
	default:
		f.log.Debug("sample page queue", zap.Error(err))
	}
}

// dueCount counts the pollable feeds whose due time has passed and that no
// replica holds: the feeds waiting for a poll worker.
func (s *scheduler) dueCount(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.feeds {
		if e.Feed.State.Pollable() && !eligibleAt(e.Feed).After(now) {
			n++
		}
	}
	return n
}
