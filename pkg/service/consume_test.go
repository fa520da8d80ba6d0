package service_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"go.uber.org/zap/zaptest"
)

func TestConsumeSettlesEveryOutcome(t *testing.T) {
	cases := []struct {
		name      string
		handler   func(calls int32) error
		wantCalls int32
		wantDLQ   uint64
	}{
		{"ack on success", func(int32) error { return nil }, 1, 0},
		{"retry then success", func(n int32) error {
			if n < 3 {
				return errors.New("transient")
			}
			return nil
		}, 3, 0},
		{"permanent goes to DLQ at once", func(int32) error { return service.Permanent(errors.New("bad page")) }, 1, 1},
		{"invalid message goes to DLQ at once", func(int32) error { return fmt.Errorf("decode: %w", events.ErrInvalid) }, 1, 1},
		{"transient exhausts MaxDeliver", func(int32) error { return errors.New("still down") }, 3, 1},
		{"panic is dead-lettered", func(int32) error { panic("boom") }, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js := servicetest.JetStream(t)
			var calls atomic.Int32
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			cfg := service.ConsumerConfig{
				Stage: events.StageParser, Stream: events.StreamPages, Durable: "test",
				MaxDeliver: 3, Backoff: []time.Duration{20 * time.Millisecond}, AckWait: 5 * time.Second,
			}
			go func() {
				done <- service.Consume(ctx, js, cfg, func(ctx context.Context, m jetstream.Msg) error {
					return tc.handler(calls.Add(1))
				}, zaptest.NewLogger(t), nil)
			}()
			msg := &nats.Msg{Subject: events.PageSubject("rt_com"), Data: []byte(`{"x":1}`), Header: nats.Header{"traceparent": {"t"}}}
			if _, err := js.PublishMsg(ctx, msg); err != nil {
				t.Fatal(err)
			}
			cons, err := js.Consumer(ctx, events.StreamPages, "test")
			for err != nil {
				cons, err = js.Consumer(ctx, events.StreamPages, "test")
			}
			servicetest.WaitFor(t, 10*time.Second, "message settled", func() bool {
				info, err := cons.Info(ctx)
				return err == nil && info.NumAckPending == 0 && info.NumPending == 0 && info.NumRedelivered == 0 && calls.Load() >= tc.wantCalls
			})
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("handler calls = %d, want %d", got, tc.wantCalls)
			}
			servicetest.WaitFor(t, 5*time.Second, "dlq count", func() bool { return servicetest.StreamMsgs(t, js, events.StreamDLQ) == tc.wantDLQ })
			if tc.wantDLQ > 0 {
				st, err := js.Stream(ctx, events.StreamDLQ)
				if err != nil {
					t.Fatal(err)
				}
				dlq, err := st.GetLastMsgForSubject(ctx, events.DLQSubject(events.StageParser))
				if err != nil {
					t.Fatal(err)
				}
				if dlq.Header.Get(events.HeaderDLQError) == "" || dlq.Header.Get(events.HeaderDLQSubject) != msg.Subject {
					t.Errorf("dlq headers = %v", dlq.Header)
				}
				if dlq.Header.Get("traceparent") != "t" || string(dlq.Data) != `{"x":1}` {
					t.Errorf("dlq lost the original headers or data: %v %q", dlq.Header, dlq.Data)
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}
