package service_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"go.uber.org/zap"
)

// BenchmarkPublishTracing is the cost of a traced publish (a producer span
// exported over OTLP/HTTP to a local receiver) against an untraced one, on
// an embedded JetStream: go test -run '^$' -bench PublishTracing ./pkg/service
func BenchmarkPublishTracing(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		b.Run(name, func(b *testing.B) {
			for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER"} {
				b.Setenv(k, "")
			}
			if on {
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", newOTLPReceiver(b).URL)
			}
			js := servicetest.JetStream(b)
			tr, err := service.NewTracing(context.Background(), "bench", zap.NewNop())
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tr.Close() }()
			ctx := service.ContextWithTracing(context.Background(), tr)
			it := testItem(b, goodURL)
			for i := 0; b.Loop(); i++ {
				// A new id each time, so that JetStream stores every one.
				it.ID = events.ItemID(testFeed, strconv.Itoa(i))
				if err := service.Publish(ctx, js, it, events.StageFetcher, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
