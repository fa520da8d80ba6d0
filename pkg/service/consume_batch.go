package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// BatchHandler handles a batch of messages at once (one index commit for
// all). It returns one error per message, in order, or nil when every
// message is stored: each message is settled after the handler returns,
// exactly as a Handler's result is (ack, retry with backoff, or DLQ).
type BatchHandler func(ctx context.Context, msgs []jetstream.Msg) []error

// BatchConfig bounds a batch by size and by time.
type BatchConfig struct {
	// MaxSize is the most messages in one batch (default 100).
	MaxSize int
	// MaxWait is the longest the first message of a batch waits for the
	// batch to fill (default 200ms).
	MaxWait time.Duration
	// Concurrency is how many batches are handled at once (default 2: one
	// fills while the other commits).
	Concurrency int
}

func (b BatchConfig) withDefaults() BatchConfig {
	if b.MaxSize <= 0 {
		b.MaxSize = 100
	}
	if b.MaxWait <= 0 {
		b.MaxWait = 200 * time.Millisecond
	}
	if b.Concurrency <= 0 {
		b.Concurrency = 2
	}
	return b
}

// ConsumeBatch is Consume for sinks that write in batches: messages are
// gathered into batches of at most b.MaxSize, waiting at most b.MaxWait
// after the first, handed to h, and each message is acked only after h
// returned nil for it. c.Workers is ignored; MaxAckPending is raised to hold
// every batch in hand. On ctx done it stops pulling, handles the partial
// batch and what is in flight, then returns.
func ConsumeBatch(ctx context.Context, js jetstream.JetStream, c ConsumerConfig, b BatchConfig, h BatchHandler, log *zap.Logger, met *Metrics) error {
	b = b.withDefaults()
	c.Workers = b.Concurrency
	c.MaxAckPending = max(c.MaxAckPending, b.MaxSize*(b.Concurrency+1))
	l, it, err := openLoop(ctx, js, c, func(ConsumerConfig) int { return b.MaxSize }, log, met)
	if err != nil {
		return err
	}
	c, log = l.cfg, l.log

	// The iterator blocks, so pull feeds a channel that the batcher can
	// select on together with the batch timer.
	msgs := pull(ctx, it, log)

	batches := make(chan []jetstream.Msg)
	var wg sync.WaitGroup
	for range b.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range batches {
				l.processBatch(ctx, batch, h)
			}
		}()
	}
	log.Info("consuming in batches", zap.String("stream", c.Stream), zap.Int("max_size", b.MaxSize),
		zap.Duration("max_wait", b.MaxWait), zap.Int("concurrency", b.Concurrency))
	var batch []jetstream.Msg
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 {
			batches <- batch
			batch = nil
		}
	}
	for done := false; !done; {
		select {
		case msg, ok := <-msgs:
			if !ok {
				done = true
				break
			}
			batch = append(batch, msg)
			if len(batch) == 1 {
				timer.Reset(b.MaxWait)
			}
			if len(batch) >= b.MaxSize {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
	flush()
	close(batches)
	wg.Wait()
	log.Info("consumer stopped")
	return nil
}

// processBatch hands the batch's deliverable messages to h and settles each.
func (l *loop) processBatch(ctx context.Context, batch []jetstream.Msg, h BatchHandler) {
	stage := l.cfg.Stage
	l.met.InFlight.WithLabelValues(stage).Add(float64(len(batch)))
	defer l.met.InFlight.WithLabelValues(stage).Sub(float64(len(batch)))
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.AckWait)
	defer cancel()
	delivered := make([]uint64, len(batch))
	errs := make([]error, len(batch))
	spans := make([]trace.Span, len(batch))
	var todo []jetstream.Msg
	var todoIdx []int
	for i, msg := range batch {
		delivered[i] = 1
		if md, err := msg.Metadata(); err == nil {
			delivered[i] = md.NumDelivered
		}
		// One span per message (each has its own trace), not passed to h:
		// the batch's work is shared.
		_, spans[i] = startConsumeSpan(hctx, l.cfg, msg, RefFromHeader(msg.Headers()), delivered[i])
		if delivered[i] > uint64(l.cfg.MaxDeliver) {
			errs[i] = fmt.Errorf("delivered %d times without being settled (crash or timeout)", delivered[i])
			continue
		}
		todo = append(todo, msg)
		todoIdx = append(todoIdx, i)
	}
	if len(todo) > 0 {
		start := time.Now()
		herrs := l.safeHandleBatch(hctx, todo, h)
		per := time.Since(start).Seconds() / float64(len(todo))
		for j, i := range todoIdx {
			l.met.Duration.WithLabelValues(stage).Observe(per)
			if herrs != nil {
				errs[i] = herrs[j]
			}
		}
	}
	for i, msg := range batch {
		endSpan(spans[i], l.settle(hctx, msg, delivered[i], errs[i]), errs[i])
	}
}

// safeHandleBatch turns a panic into a retryable error for every message
// (which one poisoned the batch is unknown; retries and the DLQ sort it
// out), and a wrong-length answer into an error for all.
func (l *loop) safeHandleBatch(ctx context.Context, msgs []jetstream.Msg, h BatchHandler) (errs []error) {
	all := func(err error) []error {
		out := make([]error, len(msgs))
		for i := range out {
			out[i] = err
		}
		return out
	}
	defer func() {
		if r := recover(); r != nil {
			errs = all(fmt.Errorf("batch handler panic: %v", r))
		}
	}()
	errs = h(ctx, msgs)
	if errs != nil && len(errs) != len(msgs) {
		return all(fmt.Errorf("batch handler returned %d errors for %d messages", len(errs), len(msgs)))
	}
	return errs
}
