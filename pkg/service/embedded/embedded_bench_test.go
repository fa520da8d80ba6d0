package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// BenchmarkPublishDurability measures synchronous JetStream publishes of 10 KB
// messages to a file-backed stream under each fsync policy, in one run, so
// their ratio is the cost of durability (see BENCHMARKS.md):
//
//	go test ./pkg/service/embedded -run XXX -bench PublishDurability -benchtime 2000x
func BenchmarkPublishDurability(b *testing.B) {
	cases := []struct {
		name string
		opts embedded.Options
	}{
		{"default-2m", embedded.Options{}},
		{"interval-1s", embedded.Options{SyncInterval: time.Second}},
		{"always", embedded.Options{SyncAlways: true}},
	}
	payload := make([]byte, 10<<10)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			o := c.opts
			o.StoreDir = b.TempDir()
			srv, err := embedded.Start(o)
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Stop()
			nc, err := srv.Connect("bench")
			if err != nil {
				b.Fatal(err)
			}
			defer nc.Close()
			js, _ := jetstream.New(nc)
			ctx := context.Background()
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "B", Subjects: []string{"b.>"}, Storage: jetstream.FileStorage}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(payload)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := js.Publish(ctx, fmt.Sprintf("b.%d", i%16), payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestStartAndRestartKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	srv, err := embedded.Start(embedded.Options{StoreDir: dir, Listen: "127.0.0.1:0", SyncAlways: true})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	nc, err := srv.Connect("t")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "s", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	srv.Stop()
	srv, err = embedded.Start(embedded.Options{StoreDir: dir, Listen: addr})
	if err != nil {
		t.Fatalf("restart on %s: %v", addr, err)
	}
	defer srv.Stop()
	nc, err = srv.Connect("t")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ = jetstream.New(nc)
	st, err := js.Stream(ctx, "S")
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil || string(m.Data) != "kept" {
		t.Fatalf("after restart: %v %q", err, m.Data)
	}
	if _, err := embedded.Start(embedded.Options{}); err == nil {
		t.Error("Start without a store dir succeeded")
	}
}
