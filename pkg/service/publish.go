package service

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
)

// Publisher is the part of jetstream.JetStream that publishing needs.
type Publisher interface {
	PublishMsg(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error)
}

// Publish encodes and validates m and publishes it on its subject with
// Nats-Msg-Id and the CloudEvents headers, waiting for JetStream's ack: when
// it returns nil the message is stored (or was already, as a duplicate).
// parent, when not nil, is the incoming message's header: its trace context
// is carried on as a child span. With tracing in ctx (ContextWithTracing)
// the publish is a producer span, child of ctx's span, and the message's
// traceparent is that span's.
func Publish(ctx context.Context, p Publisher, m events.Message, stage string, parent nats.Header, met *Metrics) error {
	data, err := events.Encode(m)
	if err != nil {
		return fmt.Errorf("publish %s: %w", m.EventType(), err)
	}
	h := nats.Header(events.Headers(m, "/newsflow/"+stage, ChildTraceParent(parent.Get(events.HeaderTraceParent))))
	// With tracing on, the traceparent becomes the publish span's.
	ctx, span := startPublishSpan(ctx, stage, m.Subject(), h, parent)
	msg := &nats.Msg{Subject: m.Subject(), Data: data, Header: h}
	ack, err := p.PublishMsg(ctx, msg, jetstream.WithMsgID(m.MsgID()))
	if err != nil {
		if met != nil {
			met.Published.WithLabelValues(stage, "error").Inc()
		}
		endSpan(span, "error", err)
		return fmt.Errorf("publish %s to %s: %w", m.MsgID(), m.Subject(), err)
	}
	result := "stored"
	if ack.Duplicate {
		result = "duplicate"
	}
	if met != nil {
		met.Published.WithLabelValues(stage, result).Inc()
	}
	endSpan(span, result, nil)
	return nil
}
