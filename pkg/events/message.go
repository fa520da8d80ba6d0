package events

import "time"

// SchemaVersion is the version of the message schemas in this package. It is
// written into every message as "schema_version"; Decode refuses other
// versions. Additive, optional fields do not change it.
const SchemaVersion = 1

// Message is what every published message provides, so that one publish path
// can set the subject, the de-duplication id and the CloudEvents headers.
type Message interface {
	// Validate reports what is wrong with the message, wrapping ErrInvalid.
	Validate() error
	// EventType is the CloudEvents type, e.g. "dev.newsflow.article.v1".
	EventType() string
	// MsgID is the deterministic Nats-Msg-Id: a retried publish of the same
	// message has the same id, so JetStream stores it once.
	MsgID() string
	// Subject is the NATS subject the message is published on.
	Subject() string
	// EventTime is the CloudEvents time of the message.
	EventTime() time.Time
}

// CloudEvents types of the messages.
const (
	TypeFeedItem = "dev.newsflow.feed_item.v1"
	TypePage     = "dev.newsflow.page.v1"
	TypeArticle  = "dev.newsflow.article.v1"
)
