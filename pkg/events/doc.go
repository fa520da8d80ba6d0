// Package events is the public contract of newsflow: the messages that flow
// between the pipeline's stages over NATS JetStream (FeedItem, Page, Article),
// the subjects and streams they travel on, the headers every publish carries,
// and the rules that make ids stable.
//
// The package imports only the standard library and golang.org/x/net, so a
// downstream consumer can `go get` it without pulling the NATS server, the
// search index or any other part of the pipeline.
//
// Every message is JSON with snake_case fields; times are RFC 3339 in UTC.
// JSON Schema files for each message are in the schema directory and are
// available at run time through Schema.
package events
