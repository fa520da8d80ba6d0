package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/indexer"
	"go.uber.org/zap/zaptest"
)

// buildService builds a service binary of this workspace into dir.
func buildService(t *testing.T, dir, pkg string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build %s: %v", pkg, err)
	}
	return out
}

// The parser runs as a separate process and is killed with SIGKILL in the
// middle of its work, then started again: every article is still published
// exactly once and indexed exactly once.
func TestParserProcessKilledMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	const n = 60
	bin := buildService(t, t.TempDir(), "github.com/newsflow/newsflow/services/parser/cmd/parser")
	site := storySite(t, n)
	srv, err := embedded.Start(embedded.Options{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	url := srv.ClientURL()
	js := func() jetstream.JetStream {
		nc, err := srv.Connect("test")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		if err := service.EnsureStreams(context.Background(), js, service.DefaultStreamOptions()); err != nil {
			t.Fatal(err)
		}
		return js
	}()

	startParser := func() *exec.Cmd {
		cmd := exec.Command(bin, "--nats-url", url, "--http", "", "--parser-workers", "2", "--parser-ack-wait", "2s", "--log-level", "warn")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	parserProc := startParser()
	t.Cleanup(func() {
		if parserProc.ProcessState == nil {
			_ = parserProc.Process.Kill()
			_ = parserProc.Wait()
		}
	})

	fetch := startStage(t, url, "fetcher", func(ctx context.Context, js jetstream.JetStream) error {
		f, err := fetcher.New(fetcher.Config{Feeds: []string{site.URL + "/feed.xml"}, PollInterval: time.Second, PageWorkers: 4, MaxDeliver: 5,
			UserAgent: "newsflow-test", AllowPrivate: true, RequestTimeout: 10 * time.Second, FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour},
			js, zaptest.NewLogger(t), nil, nil)
		if err != nil {
			return err
		}
		return f.Run(ctx)
	})
	defer fetch.stop(t)
	var ix *indexer.Indexer
	ixReady := make(chan struct{})
	index := startStage(t, url, "indexer", func(ctx context.Context, js jetstream.JetStream) error {
		var err error
		ix, err = indexer.New(indexer.Config{IndexDir: t.TempDir(), Durable: "indexer", Workers: 2, MaxDeliver: 5}, js, zaptest.NewLogger(t), nil)
		close(ixReady)
		if err != nil {
			return err
		}
		defer ix.Close()
		return ix.Run(ctx)
	})
	defer index.stop(t)
	<-ixReady
	if ix == nil {
		t.Fatal("indexer did not start")
	}

	// Kill the parser once it has done some, not all, of the work.
	servicetest.WaitFor(t, 60*time.Second, "first articles", func() bool {
		return servicetest.StreamMsgs(t, js, events.StreamArticles) >= 5
	})
	if err := parserProc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = parserProc.Wait()
	killedAt := servicetest.StreamMsgs(t, js, events.StreamArticles)
	parserProc = startParser()

	servicetest.WaitFor(t, 90*time.Second, "every article published and indexed", func() bool {
		return servicetest.StreamMsgs(t, js, events.StreamArticles) >= n && servicetest.Settled(js, events.StreamArticles, "indexer")
	})
	t.Logf("parser killed after %d of %d articles; restarted", killedAt, n)
	assertExactlyOnce(t, js, n)
	api := httptest.NewServer(ix.Handler())
	defer api.Close()
	var res searchResult
	resp, err := http.Get(api.URL + "/v1/search?q=storyword7")
	if err != nil {
		t.Fatal(err)
	}
	if err := jsonDecode(resp, &res); err != nil || res.Total != 1 {
		t.Errorf("search after the kill: %d hits, %v; want 1", res.Total, err)
	}
	// A graceful stop of the new parser drains and exits 0.
	if err := parserProc.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := parserProc.Wait(); err != nil {
		t.Errorf("parser after SIGTERM: %v", err)
	}
}
