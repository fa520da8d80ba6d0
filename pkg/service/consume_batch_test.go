package service_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"go.uber.org/zap/zaptest"
)

func TestConsumeBatch(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n        int // messages published
		bad      map[int]bool
		maxSize  int
		wantDLQ  uint64
		minCalls int
	}{
		{name: "size bound", n: 25, maxSize: 10, minCalls: 3},
		{name: "time bound: a partial batch is flushed", n: 3, maxSize: 100, minCalls: 1},
		{name: "a bad message is dead-lettered, the rest acked", n: 12, maxSize: 5, bad: map[int]bool{2: true, 7: true}, wantDLQ: 2, minCalls: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := servicetest.JetStream(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := service.ConsumerConfig{
				Stage: events.StageIndexer, Stream: events.StreamArticles, Durable: "test",
				MaxDeliver: 3, Backoff: []time.Duration{20 * time.Millisecond}, AckWait: 5 * time.Second,
			}
			var mu sync.Mutex
			var sizes []int
			handled := map[string]int{}
			var inHandlerErr error
			h := func(hctx context.Context, msgs []jetstream.Msg) []error {
				// Nothing of the batch is acked before the handler returns.
				cons, err := js.Consumer(hctx, events.StreamArticles, "test")
				if err == nil {
					info, err := cons.Info(hctx)
					if err == nil && info.NumAckPending < len(msgs) {
						mu.Lock()
						inHandlerErr = fmt.Errorf("ack pending %d < batch %d", info.NumAckPending, len(msgs))
						mu.Unlock()
					}
				}
				errs := make([]error, len(msgs))
				mu.Lock()
				defer mu.Unlock()
				sizes = append(sizes, len(msgs))
				for i, m := range msgs {
					handled[string(m.Data())]++
					if strings.HasPrefix(string(m.Data()), "bad") {
						errs[i] = service.Permanent(errors.New("bad article"))
					}
				}
				return errs
			}
			done := make(chan error, 1)
			go func() {
				done <- service.ConsumeBatch(ctx, js, cfg, service.BatchConfig{MaxSize: tc.maxSize, MaxWait: 50 * time.Millisecond}, h, zaptest.NewLogger(t), nil)
			}()
			for i := range tc.n {
				data := fmt.Sprintf("ok-%d", i)
				if tc.bad[i] {
					data = fmt.Sprintf("bad-%d", i)
				}
				if _, err := js.Publish(ctx, events.ArticleSubject("rt_com"), []byte(data)); err != nil {
					t.Fatal(err)
				}
			}
			servicetest.WaitFor(t, 10*time.Second, "every message settled", func() bool {
				cons, err := js.Consumer(ctx, events.StreamArticles, "test")
				if err != nil {
					return false
				}
				info, err := cons.Info(ctx)
				return err == nil && info.NumAckPending == 0 && info.NumPending == 0 && info.AckFloor.Stream == uint64(tc.n)
			})
			servicetest.WaitFor(t, 5*time.Second, "dlq count", func() bool { return servicetest.StreamMsgs(t, js, events.StreamDLQ) == tc.wantDLQ })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if inHandlerErr != nil {
				t.Error(inHandlerErr)
			}
			if len(handled) != tc.n {
				t.Errorf("handled %d distinct messages, want %d", len(handled), tc.n)
			}
			if len(sizes) < tc.minCalls {
				t.Errorf("batches %v, want at least %d", sizes, tc.minCalls)
			}
			for _, s := range sizes {
				if s > tc.maxSize {
					t.Errorf("batch of %d exceeds %d", s, tc.maxSize)
				}
			}
		})
	}
}
