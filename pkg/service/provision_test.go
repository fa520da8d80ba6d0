package service_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
)

// --stream-compression reaches the page and article streams, an existing
// stream switches both ways on the next provisioning, and what it held
// stays readable.
func TestStreamCompressionFlag(t *testing.T) {
	js := servicetest.JetStream(t) // provisioned with the defaults
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	provision := func(args ...string) {
		t.Helper()
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		var c service.Common
		c.RegisterFlags(fs, ":0")
		if err := service.ParseFlags(fs, args); err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if err := service.EnsureStreams(ctx, js, c.StreamOptions()); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want jetstream.StoreCompression) {
		t.Helper()
		for _, name := range []string{events.StreamPages, events.StreamArticles} {
			s, err := js.Stream(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.CachedInfo().Config.Compression; got != want {
				t.Errorf("%s compression = %v, want %v", name, got, want)
			}
		}
		if s, _ := js.Stream(ctx, events.StreamItems); s.CachedInfo().Config.Compression != jetstream.NoCompression {
			t.Errorf("items stream is compressed")
		}
	}
	provision()
	check(jetstream.S2Compression)
	subject := events.PageSubject("example_com")
	if _, err := js.Publish(ctx, subject, []byte("compressed")); err != nil {
		t.Fatal(err)
	}
	provision("--stream-compression", "none")
	check(jetstream.NoCompression)
	if _, err := js.Publish(ctx, subject, []byte("plain")); err != nil {
		t.Fatal(err)
	}
	provision("--stream-compression", "s2")
	check(jetstream.S2Compression)
	for seq, want := range map[uint64]string{1: "compressed", 2: "plain"} {
		m, err := js.Stream(ctx, events.StreamPages)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.GetMsg(ctx, seq)
		if err != nil || string(got.Data) != want {
			t.Errorf("page %d = %v, %v; want %q", seq, got, err, want)
		}
	}

	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var c service.Common
	c.RegisterFlags(fs, ":0")
	if err := service.ParseFlags(fs, []string{"--stream-compression", "zstd"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil {
		t.Error("--stream-compression zstd was accepted")
	}
}
