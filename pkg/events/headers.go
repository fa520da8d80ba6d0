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

// Headers that name what a message is about, so that a consumer, a log line
// or a trace can say which article and feed it concerns without decoding
// the data. Set by Headers when the message knows them (a FeedItem, Page
// and Article carry both; either may be missing); never used for routing.
const (
	// HeaderArticleID is the article id (ArticleID of the item's link, the
	// Page's and the Article's id).
	HeaderArticleID = "Newsflow-Article-Id"
	// HeaderFeedURL is the URL of the feed the article came from.
	HeaderFeedURL = "Newsflow-Feed-Url"
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
// Newsflow-Article-Id and Newsflow-Feed-Url are set when m has them.
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
	articleID, feedURL := aboutOf(m)
	if v, ok := headerValue(articleID); ok {
		h[HeaderArticleID] = []string{v}
	}
	if v, ok := headerValue(feedURL); ok {
		h[HeaderFeedURL] = []string{v}
	}
	return h
}

// aboutOf returns the article id and feed URL of the message types of this
// package (empty for others).
func aboutOf(m Message) (articleID, feedURL string) {
	switch m := m.(type) {
	case *FeedItem:
		return m.ArticleID, m.FeedURL
	case *Page:
		return m.ID, m.FeedURL
	case *Article:
		return m.ID, m.FeedURL
	}
	return "", ""
}

// maxHeaderValue bounds a descriptive header: a feed URL is rarely longer,
// and a header is no place for a megabyte.
const maxHeaderValue = 2048

// headerValue reports whether v can travel as a header value: not empty, no
// line breaks or other control characters (they would break the header
// block), and bounded.
func headerValue(v string) (string, bool) {
	if v == "" || len(v) > maxHeaderValue {
		return "", false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f {
			return "", false
		}
	}
	return v, true
}
