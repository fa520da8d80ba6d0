package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
)

// publishArticles provisions the streams on srv and publishes n articles as
// the parser would.
func publishArticles(t *testing.T, srv *embedded.Server, n int) {
	t.Helper()
	nc, err := srv.Connect("test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := service.EnsureStreams(ctx, js, service.DefaultStreamOptions()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		u := fmt.Sprintf("https://www.example.com/news/%d", i)
		canon, err := events.CanonicalURL(u)
		if err != nil {
			t.Fatal(err)
		}
		id, err := events.ArticleID(canon)
		if err != nil {
			t.Fatal(err)
		}
		a := &events.Article{SchemaVersion: events.SchemaVersion, ID: id, URL: u, CanonicalURL: canon,
			Source: events.Source{Domain: "example.com"}, Title: fmt.Sprintf("Story %d", i),
			Text: "Volcano erupts near Grindavik.", Language: "en", FetchedAt: time.Now().UTC(),
			ContentHash: strings.Repeat("ab", 32), Extraction: events.Extraction{Method: "dom", Version: "test"}}
		if err := service.Publish(ctx, js, a, events.StageParser, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReindexCommand(t *testing.T) {
	t.Run("stopped all-in-one", func(t *testing.T) {
		data := t.TempDir()
		srv, err := embedded.Start(embedded.Options{StoreDir: filepath.Join(data, "nats")})
		if err != nil {
			t.Fatal(err)
		}
		publishArticles(t, srv, 3)
		srv.Stop()
		// Twice: the second run replaces the first run's index.
		for range 2 {
			var stdout, stderr bytes.Buffer
			if code := cli(context.Background(), []string{"reindex", "--data", data, "--log-level", "warn"}, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if want := "reindexed 3 articles into " + filepath.Join(data, "index"); !strings.HasPrefix(stdout.String(), want) {
				t.Fatalf("stdout %q, want %q…", stdout.String(), want)
			}
		}
	})
	t.Run("running NATS server", func(t *testing.T) {
		srv := embedded.ForTest(t)
		publishArticles(t, srv, 2)
		dir := filepath.Join(t.TempDir(), "index")
		var stdout, stderr bytes.Buffer
		code := cli(context.Background(), []string{"reindex", "--nats-url", srv.ClientURL(), "--index-dir", dir, "--log-level", "warn"}, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		if !strings.HasPrefix(stdout.String(), "reindexed 2 articles into "+dir) {
			t.Fatalf("stdout %q", stdout.String())
		}
	})
	errs := []struct {
		name string
		args func(t *testing.T) []string
		want string
	}{
		{"no store in --data", func(t *testing.T) []string { return []string{"--data", t.TempDir()} }, "no JetStream store"},
		{"--nats-url without --index-dir", func(t *testing.T) []string { return []string{"--nats-url", "nats://127.0.0.1:1"} }, "--index-dir is required"},
		{"stray argument", func(t *testing.T) []string { return []string{"--data", t.TempDir(), "extra"} }, "unexpected arguments"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cli(context.Background(), append([]string{"reindex"}, tt.args(t)...), &stdout, &stderr); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("stderr %q, want %q", stderr.String(), tt.want)
			}
		})
	}
}
