package fetcher

import (
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/services/fetcher/internal/hostlimit"
	"github.com/newsflow/newsflow/services/fetcher/registry"
)

// Buckets are the key-value buckets the fetcher uses, configured for a
// cluster of the given replica count (0: 1) and the seen-items TTL
// (0: 30 days): the feed registry, the seen items and the per-host
// politeness records. The fetcher creates them itself when they are
// missing; where its NATS user may not (newsflow provision), an admin
// creates them from this same list, so the two cannot drift.
func Buckets(replicas int, seenTTL time.Duration) []jetstream.KeyValueConfig {
	return []jetstream.KeyValueConfig{
		registry.BucketConfig(replicas),
		seenBucket(replicas, seenTTL),
		hostlimit.BucketConfig(replicas),
	}
}

func seenBucket(replicas int, ttl time.Duration) jetstream.KeyValueConfig {
	if ttl <= 0 {
		ttl = 30 * 24 * time.Hour
	}
	return jetstream.KeyValueConfig{
		Bucket:      SeenBucket,
		Description: "feed items and articles already published (newsflow fetcher)",
		TTL:         ttl,
		Storage:     jetstream.FileStorage,
		History:     1,
		Replicas:    max(replicas, 1),
	}
}
