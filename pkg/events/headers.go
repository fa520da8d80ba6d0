package events

import (
	"strconv"
	"time"
)

// Header names. The ce-* headers follow the CloudEvents NATS protocol binding
// in binary mode: the message data is the event, its attributes are headers.
const (
	HeaderMsgID         = "Nats-Msg-Id"
	HeaderSpecVersion   = "ce-specversion"
	HeaderType          = "ce-type"
	HeaderSource        = "ce-source"
	HeaderID            = "ce-id"
	HeaderTime          = "ce-time"
	HeaderSubject       = "ce-subject"
	HeaderDataSchema    = "ce-dataschema"
	HeaderContentType   = "content-type"
	HeaderTraceParent   = "traceparent"
	HeaderSchemaVersion = "Newsflow-Schema-Version"
)

// Headers a dead-lettered message carries besides the original ones.
const (
	HeaderDLQError      = "Newsflow-Error"
	HeaderDLQStage      = "Newsflow-Stage"
	HeaderDLQDeliveries = "Newsflow-Deliveries"
	HeaderDLQSubject    = "Newsflow-Original-Subject"
	HeaderDLQStream     = "Newsflow-Original-Stream"
	HeaderDLQSequence   = "Newsflow-Original-Sequence"
	HeaderDLQTime       = "Newsflow-Failed-At"
)

// CloudEventsSpecVersion is the CloudEvents version of the ce-* headers.
const CloudEventsSpecVersion = "1.0"

// ContentTypeJSON is the content type of every message's data.
const ContentTypeJSON = "application/json"

// Headers returns the headers to publish m with: Nats-Msg-Id for
// de-duplication and the CloudEvents binary-mode attributes. source is the
// CloudEvents source (e.g. "/newsflow/parser"); traceparent, when not empty,
// is the W3C trace context to carry on. The map converts to nats.Header.
func Headers(m Message, source, traceparent string) map[string][]string {
	h := map[string][]string{
		HeaderMsgID:         {m.MsgID()},
		HeaderSpecVersion:   {CloudEventsSpecVersion},
		HeaderType:          {m.EventType()},
		HeaderSource:        {source},
		HeaderID:            {m.MsgID()},
		HeaderTime:          {m.EventTime().UTC().Format(time.RFC3339Nano)},
		HeaderContentType:   {ContentTypeJSON},
		HeaderSchemaVersion: {strconv.Itoa(SchemaVersion)},
	}
	if traceparent != "" {
		h[HeaderTraceParent] = []string{traceparent}
	}
	return h
}
