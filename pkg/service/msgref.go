package service

import (
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/newsflow/newsflow/pkg/events"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/zap"
)

// MessageRef names what a message is about: the article and the feed it
// came from, as far as known. It is read from the headers (the consume loop
// does not decode messages), and goes into every per-message log line and
// span, so that one article can be followed through the logs and traces of
// every stage.
type MessageRef struct {
	ArticleID string
	FeedURL   string
	// TraceID is the W3C trace id of the message's traceparent (empty when
	// it has none): log lines carry it even with trace export off.
	TraceID string
}

// RefFromHeader reads the MessageRef of a message from its headers
// (Newsflow-Article-Id, Newsflow-Feed-Url, traceparent).
func RefFromHeader(h nats.Header) MessageRef {
	return MessageRef{
		ArticleID: h.Get(events.HeaderArticleID),
		FeedURL:   h.Get(events.HeaderFeedURL),
		TraceID:   traceIDOf(h.Get(events.HeaderTraceParent)),
	}
}

// LogFields returns the zap fields article_id, feed_url and trace_id, each
// only when known.
func (r MessageRef) LogFields() []zap.Field {
	f := make([]zap.Field, 0, 3)
	if r.ArticleID != "" {
		f = append(f, zap.String("article_id", r.ArticleID))
	}
	if r.FeedURL != "" {
		f = append(f, zap.String("feed_url", r.FeedURL))
	}
	if r.TraceID != "" {
		f = append(f, zap.String("trace_id", r.TraceID))
	}
	return f
}

// Span attribute keys of newsflow's own (the messaging.* ones follow the
// OpenTelemetry semantic conventions).
const (
	attrArticleID = attribute.Key("newsflow.article_id")
	attrFeedURL   = attribute.Key("newsflow.feed_url")
	attrOutcome   = attribute.Key("newsflow.outcome")
	attrDelivered = attribute.Key("newsflow.delivered")
)

// attributes returns the span attributes of r that are known.
func (r MessageRef) attributes() []attribute.KeyValue {
	a := make([]attribute.KeyValue, 0, 2)
	if r.ArticleID != "" {
		a = append(a, attrArticleID.String(r.ArticleID))
	}
	if r.FeedURL != "" {
		a = append(a, attrFeedURL.String(r.FeedURL))
	}
	return a
}

// traceIDOf returns the trace id of a W3C traceparent, or "" when it is not
// one.
func traceIDOf(traceparent string) string {
	parts := strings.Split(traceparent, "-")
	if len(parts) != 4 || len(parts[1]) != 32 || parts[1] == strings.Repeat("0", 32) {
		return ""
	}
	for _, c := range parts[1] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return ""
		}
	}
	return parts[1]
}
