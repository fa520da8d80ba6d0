package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
)

// StreamOptions are the operator's knobs for the pipeline's streams.
type StreamOptions struct {
	// Replicas is 1 on one server and 3 on a cluster (2 gives no benefit).
	Replicas int
	// Storage is file (durable) or memory.
	Storage jetstream.StorageType
	// PagesMaxAge is how long raw pages are kept for re-parsing.
	PagesMaxAge time.Duration
	// MaxBytes bounds each stream; 0 means the default of 10 GiB.
	MaxBytes int64
	// MaxMsgSize is the largest message a stream accepts; it must not exceed
	// the server's max_payload.
	MaxMsgSize int32
	// Uncompressed stores pages and articles as they are instead of
	// S2-compressed: under a backlog the pipeline spends about 10 % less
	// CPU (the server compresses each sealed block and decompresses it for
	// a consumer that lags), and the streams take about 5 times the disk. See
	// BENCHMARKS.md.
	Uncompressed bool
}

// Stream compression settings (--stream-compression).
const (
	CompressionS2   = "s2"
	CompressionNone = "none"
	// CompressionUsage is the --stream-compression flag's help.
	CompressionUsage = "page and article streams: s2 (a fifth of the disk) or none (about 10% less CPU under a backlog)"
)

// ParseCompression reads a --stream-compression value: s2 (or empty, the
// default) or none. It returns StreamOptions.Uncompressed.
func ParseCompression(v string) (uncompressed bool, err error) {
	switch v {
	case "", CompressionS2:
		return false, nil
	case CompressionNone:
		return true, nil
	}
	return false, fmt.Errorf("stream-compression %q: want s2 or none", v)
}

// DefaultStreamOptions are sane for one server.
func DefaultStreamOptions() StreamOptions {
	return StreamOptions{Replicas: 1, Storage: jetstream.FileStorage, PagesMaxAge: 7 * 24 * time.Hour, MaxMsgSize: 8 << 20}
}

// StreamConfigs returns the configuration of every pipeline stream. Each is
// bounded by age and bytes (a queue without a bound is an outage waiting);
// pages and articles are S2-compressed unless o.Uncompressed, because HTML
// compresses about 5:1.
func StreamConfigs(o StreamOptions) []jetstream.StreamConfig {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 10 << 30
	}
	if o.PagesMaxAge == 0 {
		o.PagesMaxAge = 7 * 24 * time.Hour
	}
	base := func(name, subject string, maxAge time.Duration) jetstream.StreamConfig {
		return jetstream.StreamConfig{
			Name:       name,
			Subjects:   []string{events.All(subject)},
			Retention:  jetstream.LimitsPolicy,
			Storage:    o.Storage,
			Replicas:   o.Replicas,
			MaxAge:     maxAge,
			MaxBytes:   o.MaxBytes,
			MaxMsgSize: o.MaxMsgSize,
			Discard:    jetstream.DiscardOld,
			Duplicates: 2 * time.Minute,
		}
	}
	items := base(events.StreamItems, events.SubjectItems, 30*24*time.Hour)
	pages := base(events.StreamPages, events.SubjectPages, o.PagesMaxAge)
	articles := base(events.StreamArticles, events.SubjectArticles, 365*24*time.Hour)
	if !o.Uncompressed {
		pages.Compression = jetstream.S2Compression
		articles.Compression = jetstream.S2Compression
	}
	dlq := base(events.StreamDLQ, events.SubjectDLQ, 30*24*time.Hour)
	return []jetstream.StreamConfig{items, pages, articles, dlq}
}

// EnsureStreams creates or updates every pipeline stream. It is idempotent,
// so every replica of every service may call it at start.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, o StreamOptions) error {
	for _, cfg := range StreamConfigs(o) {
		if _, err := js.CreateOrUpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("ensure stream %s: %w", cfg.Name, err)
		}
	}
	return nil
}

// EnsureKV creates the key-value bucket when absent and returns it. An
// existing bucket is used as it is, so a replica never fights an operator's
// changes.
func EnsureKV(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("key-value bucket %s: %w", cfg.Bucket, err)
	}
	kv, err = js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		kv, err = js.KeyValue(ctx, cfg.Bucket)
	}
	if err != nil {
		return nil, fmt.Errorf("create key-value bucket %s: %w", cfg.Bucket, err)
	}
	return kv, nil
}

// StreamOptions are DefaultStreamOptions with the replica count and
// compression of c.
func (c Common) StreamOptions() StreamOptions {
	o := DefaultStreamOptions()
	if c.StreamReplicas > 0 {
		o.Replicas = c.StreamReplicas
	}
	o.Uncompressed, _ = ParseCompression(c.StreamCompression) // Validate reports a bad value
	return o
}
