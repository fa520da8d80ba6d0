package service

import (
	"context"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Spans of the pipeline. One trace follows an article: the feed poll is the
// root ("fetcher poll", StartSpan), each publish is a producer span
// ("<stage> publish") whose context travels in the message's traceparent
// header, and each handled message is a consumer span ("<stage> process")
// child of that header. Without tracing in the context none of this runs,
// and traceparent is still carried on by ChildTraceParent.

// messagingSystem is the messaging.system attribute: semconv names no NATS
// value, "nats" is what the NATS instrumentations use.
var messagingSystem = semconv.MessagingSystemKey.String("nats")

// headerCarrier lets the W3C propagator read and write NATS headers (which
// are case-sensitive: traceparent and tracestate are lower case, as the
// propagator writes them).
type headerCarrier nats.Header

// Get returns the first value of key.
func (h headerCarrier) Get(key string) string { return nats.Header(h).Get(key) }

// Set replaces the values of key.
func (h headerCarrier) Set(key, value string) { nats.Header(h).Set(key, value) }

// Keys lists the header names.
func (h headerCarrier) Keys() []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	return keys
}

// noSpan is what the span functions return with tracing off: its methods do
// nothing.
var noSpan = trace.SpanFromContext(context.Background())

// startConsumeSpan starts the span of handling msg, child of the trace
// context in its headers (a new trace when it has none).
func startConsumeSpan(ctx context.Context, c ConsumerConfig, msg jetstream.Msg, ref MessageRef, delivered uint64) (context.Context, trace.Span) {
	tr := tracerFrom(ctx)
	if tr == nil {
		return ctx, noSpan
	}
	h := msg.Headers()
	ctx = propagation.TraceContext{}.Extract(ctx, headerCarrier(h))
	attrs := append([]attribute.KeyValue{
		messagingSystem,
		semconv.MessagingDestinationName(msg.Subject()),
		semconv.MessagingOperationTypeProcess,
		semconv.MessagingOperationName("process"),
		semconv.MessagingConsumerGroupName(c.Durable),
		attrDelivered.Int64(int64(delivered)),
	}, ref.attributes()...)
	if id := h.Get(events.HeaderID); id != "" {
		attrs = append(attrs, semconv.MessagingMessageID(id))
	}
	return tr.Start(ctx, c.Stage+" process", trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(attrs...))
}

// startPublishSpan starts the producer span of publishing a message with
// headers h, and writes its trace context into h's traceparent. Its parent
// is ctx's span (the message being handled, or the feed poll), else the
// trace context in parent, else none (a new trace).
func startPublishSpan(ctx context.Context, stage, subject string, h, parent nats.Header) (context.Context, trace.Span) {
	tr := tracerFrom(ctx)
	if tr == nil {
		return ctx, noSpan
	}
	if !trace.SpanContextFromContext(ctx).IsValid() && parent != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, headerCarrier(parent))
	}
	attrs := append([]attribute.KeyValue{
		messagingSystem,
		semconv.MessagingDestinationName(subject),
		semconv.MessagingOperationTypeSend,
		semconv.MessagingOperationName("publish"),
		semconv.MessagingMessageID(h.Get(events.HeaderID)),
	}, RefFromHeader(h).attributes()...)
	ctx, span := tr.Start(ctx, stage+" publish", trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	propagation.TraceContext{}.Inject(ctx, headerCarrier(h))
	return ctx, span
}

// endSpan records the outcome (and the error, if any) and ends span.
func endSpan(span trace.Span, outcome string, err error) {
	if span.IsRecording() {
		if outcome != "" {
			span.SetAttributes(attrOutcome.String(outcome))
		}
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}

// StartSpan starts a span named name under ctx's span, or as the root of a
// new trace when ctx has none (the fetcher's feed poll starts the trace of
// the items it publishes this way), with r's article id and feed URL as
// attributes. The returned end records err, if any, and ends the span.
// Without tracing in ctx it returns ctx and an end that does nothing.
func StartSpan(ctx context.Context, name string, r MessageRef) (context.Context, func(err error)) {
	tr := tracerFrom(ctx)
	if tr == nil {
		return ctx, func(error) {}
	}
	ctx, span := tr.Start(ctx, name, trace.WithAttributes(r.attributes()...))
	return ctx, func(err error) { endSpan(span, "", err) }
}
