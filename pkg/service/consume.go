package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"go.uber.org/zap"
)

// ErrPermanent marks an error that no retry can fix (a malformed message, a
// page with no content): the message goes to the DLQ at once.
var ErrPermanent = errors.New("permanent failure")

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// IsPermanent reports whether retrying cannot help: the error is marked
// Permanent, or the message failed validation or has a schema version this
// build cannot read (it waits in the DLQ for a newer one).
func IsPermanent(err error) bool {
	return errors.Is(err, ErrPermanent) || errors.Is(err, events.ErrInvalid) || errors.Is(err, events.ErrSchemaVersion)
}

// Handler handles one message. It returns nil only after its output is
// stored (published with a JetStream ack, or committed to the index): the
// message is acked then. Any other return is retried with backoff up to
// MaxDeliver, unless it IsPermanent, and then dead-lettered.
type Handler func(ctx context.Context, msg jetstream.Msg) error

// ConsumerConfig says what a stage consumes and how hard it retries.
type ConsumerConfig struct {
	// Stage names the stage: the DLQ subject is news.dlq.<Stage>.
	Stage string
	// Stream and Durable name the stream and the durable pull consumer that
	// competing replicas share.
	Stream, Durable string
	// FilterSubject narrows the stream's subjects (empty: all).
	FilterSubject string
	// Workers is how many messages are handled at once.
	Workers int
	// MaxDeliver is how many times a message is tried before the DLQ.
	MaxDeliver int
	// Backoff is the delay before retry n (the last entry repeats).
	Backoff []time.Duration
	// AckWait is how long one try may take before JetStream redelivers.
	AckWait time.Duration
	// MaxAckPending bounds the messages handed out and not yet acked.
	MaxAckPending int
}

// Validate reports what is wrong with c.
func (c ConsumerConfig) Validate() error {
	var errs []error
	if c.Stage == "" || c.Stream == "" || c.Durable == "" {
		errs = append(errs, errors.New("consumer: stage, stream and durable are required"))
	}
	if c.Workers < 0 || c.MaxDeliver < 0 || c.MaxAckPending < 0 {
		errs = append(errs, errors.New("consumer: negative workers, max deliver or max ack pending"))
	}
	return errors.Join(errs...)
}

func (c ConsumerConfig) withDefaults() ConsumerConfig {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if len(c.Backoff) == 0 {
		c.Backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}
	}
	if c.AckWait <= 0 {
		c.AckWait = time.Minute
	}
	if c.MaxAckPending <= 0 {
		c.MaxAckPending = max(64, 4*c.Workers)
	}
	return c
}

func (c ConsumerConfig) backoff(delivered uint64) time.Duration {
	i := int(delivered) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(c.Backoff) {
		i = len(c.Backoff) - 1
	}
	return c.Backoff[i]
}

// EnsureConsumer creates or updates the durable pull consumer of c. The
// server's MaxDeliver is one more than c.MaxDeliver, so that a message whose
// last try crashed (no ack at all) is delivered once more and dead-lettered
// by the loop instead of silently stopping.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, c ConsumerConfig) (jetstream.Consumer, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	cfg := jetstream.ConsumerConfig{
		Durable:       c.Durable,
		Description:   "newsflow " + c.Stage,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver + 1,
		MaxAckPending: c.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if c.FilterSubject != "" {
		cfg.FilterSubject = c.FilterSubject
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, cfg)
	if err != nil {
		return nil, fmt.Errorf("ensure consumer %s on %s: %w", c.Durable, c.Stream, err)
	}
	return cons, nil
}

// Consume runs the stage's consume loop until ctx is done, then stops pulling
// and waits for the messages in hand to be handled and settled. Every
// outcome is decided in one place (settle): Ack, NakWithDelay, or DLQ + Term.
func Consume(ctx context.Context, js jetstream.JetStream, c ConsumerConfig, h Handler, log *zap.Logger, met *Metrics) error {
	l, it, err := openLoop(ctx, js, c, func(c ConsumerConfig) int { return c.Workers * 2 }, log, met)
	if err != nil {
		return err
	}
	l.handle = h
	c, log = l.cfg, l.log

	log.Info("consuming", zap.String("stream", c.Stream), zap.Int("workers", c.Workers))
	msgs := pull(ctx, it, log)
	var wg sync.WaitGroup
	for range c.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for msg := range msgs {
				l.process(ctx, msg)
			}
		}()
	}
	wg.Wait()
	log.Info("consumer stopped")
	return nil
}

// openLoop ensures the durable consumer of c, opens its message iterator
// with a pull buffer of pullMax(c) messages (c with its defaults) and returns
// the loop that settles what it hands out, for Consume and ConsumeBatch alike.
func openLoop(ctx context.Context, js jetstream.JetStream, c ConsumerConfig, pullMax func(ConsumerConfig) int, log *zap.Logger, met *Metrics) (*loop, jetstream.MessagesContext, error) {
	cons, err := EnsureConsumer(ctx, js, c)
	if err != nil {
		return nil, nil, err
	}
	c = c.withDefaults()
	if met == nil {
		met = NewMetrics(nil)
	}
	log = log.With(zap.String("stage", c.Stage), zap.String("consumer", c.Durable))
	it, err := cons.Messages(jetstream.PullMaxMessages(pullMax(c)), jetstream.PullHeartbeat(5*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("consume %s: %w", c.Durable, err)
	}
	return &loop{js: js, cfg: c, log: log, met: met}, it, nil
}

// pull reads the iterator in a goroutine and hands its messages out on the
// returned channel, which is closed when the iterator ends. When ctx is done
// the iterator is drained: what it already holds is still handed out, so
// in-flight work finishes instead of waiting for redelivery.
func pull(ctx context.Context, it jetstream.MessagesContext, log *zap.Logger) <-chan jetstream.Msg {
	msgs := make(chan jetstream.Msg)
	stop := context.AfterFunc(ctx, it.Drain)
	go func() {
		defer close(msgs)
		defer stop()
		for {
			msg, err := it.Next()
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				log.Warn("pull consumer", zap.Error(err))
				if ctx.Err() != nil {
					it.Stop()
					return
				}
				// Errors repeat while the server is away: pause instead of spinning.
				select {
				case <-ctx.Done():
				case <-time.After(250 * time.Millisecond):
				}
				continue
			}
			msgs <- msg
		}
	}()
	return msgs
}

type loop struct {
	js     jetstream.JetStream
	cfg    ConsumerConfig
	handle Handler
	log    *zap.Logger
	met    *Metrics
}

func (l *loop) process(ctx context.Context, msg jetstream.Msg) {
	stage := l.cfg.Stage
	l.met.InFlight.WithLabelValues(stage).Inc()
	defer l.met.InFlight.WithLabelValues(stage).Dec()
	delivered := uint64(1)
	if md, err := msg.Metadata(); err == nil {
		delivered = md.NumDelivered
	}
	// In-flight work finishes even when shutdown has begun: its context is
	// not the service's, only bounded by AckWait.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.cfg.AckWait)
	defer cancel()
	hctx, span := startConsumeSpan(hctx, l.cfg, msg, RefFromHeader(msg.Headers()), delivered)
	start := time.Now()
	var err error
	if delivered > uint64(l.cfg.MaxDeliver) {
		err = fmt.Errorf("delivered %d times without being settled (crash or timeout)", delivered)
	} else {
		err = l.safeHandle(hctx, msg)
	}
	l.met.Duration.WithLabelValues(stage).Observe(time.Since(start).Seconds())
	endSpan(span, l.settle(hctx, msg, delivered, err), err)
}

// safeHandle turns a handler panic into a permanent error: one poisoned
// message must not take the stage down.
func (l *loop) safeHandle(ctx context.Context, msg jetstream.Msg) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("handler panic: %v", r))
		}
	}()
	return l.handle(ctx, msg)
}

// settle maps a handler's result to the message's fate and returns it (the
// result label of newsflow_messages_total). Its log lines name the article
// and feed from the message's headers.
func (l *loop) settle(ctx context.Context, msg jetstream.Msg, delivered uint64, err error) string {
	stage := l.cfg.Stage
	log := l.log.With(append([]zap.Field{zap.String("subject", msg.Subject()), zap.Uint64("delivered", delivered)},
		RefFromHeader(msg.Headers()).LogFields()...)...)
	if err == nil {
		if aerr := msg.Ack(); aerr != nil {
			log.Warn("ack failed; the message will be redelivered", zap.Error(aerr))
		}
		l.met.Messages.WithLabelValues(stage, "ack").Inc()
		return "ack"
	}
	if !IsPermanent(err) && delivered < uint64(l.cfg.MaxDeliver) {
		d := l.cfg.backoff(delivered)
		log.Warn("handler failed; retrying", zap.Error(err), zap.Duration("delay", d))
		if nerr := msg.NakWithDelay(d); nerr != nil {
			log.Warn("nak failed", zap.Error(nerr))
		}
		l.met.Messages.WithLabelValues(stage, "retry").Inc()
		return "retry"
	}
	if derr := l.deadLetter(ctx, msg, delivered, err); derr != nil {
		// Never drop a message we could not park: try again later.
		log.Error("dead-letter publish failed; retrying", zap.Error(derr), zap.NamedError("cause", err))
		_ = msg.NakWithDelay(l.cfg.backoff(delivered))
		l.met.Messages.WithLabelValues(stage, "dlq_failed").Inc()
		return "dlq_failed"
	}
	log.Error("message dead-lettered", zap.Error(err), zap.String("dlq", events.DLQSubject(stage)))
	if terr := msg.TermWithReason(truncateHeader(err.Error())); terr != nil {
		log.Warn("term failed", zap.Error(terr))
	}
	l.met.Messages.WithLabelValues(stage, "dead_letter").Inc()
	return "dead_letter"
}

// deadLetter publishes the message to news.dlq.<stage> with its original
// headers and data, plus the error and where it came from.
func (l *loop) deadLetter(ctx context.Context, msg jetstream.Msg, delivered uint64, cause error) error {
	h := nats.Header{}
	for k, vs := range msg.Headers() {
		if k == events.HeaderMsgID {
			continue
		}
		h[k] = append([]string(nil), vs...)
	}
	stream, seq := l.cfg.Stream, uint64(0)
	if md, err := msg.Metadata(); err == nil {
		stream, seq = md.Stream, md.Sequence.Stream
	}
	h.Set(events.HeaderDLQError, truncateHeader(cause.Error()))
	h.Set(events.HeaderDLQStage, l.cfg.Stage)
	h.Set(events.HeaderDLQDeliveries, strconv.FormatUint(delivered, 10))
	h.Set(events.HeaderDLQSubject, msg.Subject())
	h.Set(events.HeaderDLQStream, stream)
	h.Set(events.HeaderDLQSequence, strconv.FormatUint(seq, 10))
	h.Set(events.HeaderDLQTime, time.Now().UTC().Format(time.RFC3339Nano))
	id := fmt.Sprintf("dlq.%s.%s.%d", l.cfg.Stage, stream, seq)
	out := &nats.Msg{Subject: events.DLQSubject(l.cfg.Stage), Header: h, Data: msg.Data()}
	if _, err := l.js.PublishMsg(ctx, out, jetstream.WithMsgID(id)); err != nil {
		return fmt.Errorf("dead-letter to %s: %w", out.Subject, err)
	}
	return nil
}

// truncateHeader makes an error fit a NATS header value: one line, bounded.
func truncateHeader(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	if len(s) > 1024 {
		s = s[:1024]
	}
	return s
}
