// Package servicetest holds what the tests of every newsflow module need: a
// real embedded NATS server with the pipeline's streams, and waiting on a
// condition with a deadline instead of sleeping.
package servicetest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// JetStream starts an embedded NATS server for tb, provisions the pipeline's
// streams and returns an in-process JetStream context. Everything is cleaned
// up when the test ends.
func JetStream(tb testing.TB) jetstream.JetStream {
	tb.Helper()
	srv := embedded.ForTest(tb)
	nc, err := srv.Connect(tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := service.EnsureStreams(ctx, js, service.DefaultStreamOptions()); err != nil {
		tb.Fatal(err)
	}
	return js
}

// WaitFor polls cond until it holds, failing the test when d passes first.
func WaitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// StreamMsgs is the number of messages stored in a stream.
func StreamMsgs(tb testing.TB, js jetstream.JetStream, name string) uint64 {
	tb.Helper()
	s, err := js.Stream(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return info.State.Msgs
}

// Settled reports whether a durable consumer has nothing pending or unacked.
func Settled(js jetstream.JetStream, stream, durable string) bool {
	c, err := js.Consumer(context.Background(), stream, durable)
	if err != nil {
		return false
	}
	info, err := c.Info(context.Background())
	return err == nil && info.NumPending == 0 && info.NumAckPending == 0
}
