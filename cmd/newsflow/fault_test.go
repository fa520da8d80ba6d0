package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/demo"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/indexer"
	"github.com/newsflow/newsflow/services/parser"
	"go.uber.org/zap/zaptest"
)

// storySite serves one RSS feed of n stories, each an RT-style page with its
// own URL, title and a word found only in it ("storyword<i>").
func storySite(t *testing.T, n int) *httptest.Server {
	t.Helper()
	tmpl, err := demo.Page("www.rt.com", rtPath)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Stories</title>`)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>Story %d</title><link>http://%s/story/%d</link></item>`, i, r.Host, i)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(b.String()))
	})
	mux.HandleFunc("GET /story/{i}", func(w http.ResponseWriter, r *http.Request) {
		i := r.PathValue("i")
		page := strings.ReplaceAll(string(tmpl), "deconfliction", "storyword"+i)
		page = strings.ReplaceAll(page, "https://www.rt.com/news/391130-coalition-strike-syria-tanf/", "http://"+r.Host+"/story/"+i)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// stage is one service running on its own NATS connection over TCP, so it
// lives through a server restart the way a separate process would.
type stage struct {
	cancel context.CancelFunc
	done   chan error
}

func startStage(t *testing.T, natsURL, name string, run func(ctx context.Context, js jetstream.JetStream) error) *stage {
	t.Helper()
	nc, err := service.Connect(service.Common{NATSURL: natsURL}, name, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &stage{cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- run(ctx, js); nc.Close() }()
	return s
}

func (s *stage) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("stage: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("stage did not drain within 30s")
	}
}

// articleIDs counts the messages on NEWS_ARTICLES by article id.
func articleIDs(t *testing.T, js jetstream.JetStream) map[string]int {
	t.Helper()
	ctx := context.Background()
	st, err := js.Stream(ctx, events.StreamArticles)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		a, err := events.DecodeArticle(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.ID]++
	}
	return ids
}

// assertExactlyOnce checks that NEWS_ARTICLES holds n distinct articles,
// each stored once.
func assertExactlyOnce(t *testing.T, js jetstream.JetStream, n int) {
	t.Helper()
	ids := articleIDs(t, js)
	if len(ids) != n {
		t.Errorf("%d distinct articles published, want %d", len(ids), n)
	}
	for id, c := range ids {
		if c != 1 {
			t.Errorf("article %s published %d times, want once", id, c)
		}
	}
}

// The embedded NATS server restarts mid-run, and the indexer is down while
// a backlog builds: every article is still published once and indexed once.
func TestNATSRestartAndIndexerBacklog(t *testing.T) {
	const n = 40
	site := storySite(t, n)
	storeDir := t.TempDir()
	srv, err := embedded.Start(embedded.Options{StoreDir: storeDir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().(*net.TCPAddr).String()
	url := "nats://" + addr
	var srvMu sync.Mutex
	t.Cleanup(func() { srvMu.Lock(); srv.Stop(); srvMu.Unlock() })

	admin, err := nats.Connect(url, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	js, _ := jetstream.New(admin)
	if err := service.EnsureStreams(context.Background(), js, service.DefaultStreamOptions()); err != nil {
		t.Fatal(err)
	}

	fcfg := fetcher.Config{Feeds: []string{site.URL + "/feed.xml"}, PollInterval: time.Second, PageWorkers: 4, MaxDeliver: 5,
		UserAgent: "newsflow-test", AllowPrivate: true, RequestTimeout: 10 * time.Second, FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour}
	fetch := startStage(t, url, "fetcher", func(ctx context.Context, js jetstream.JetStream) error {
		f, err := fetcher.New(fcfg, js, zaptest.NewLogger(t), nil, nil)
		if err != nil {
			return err
		}
		return f.Run(ctx)
	})
	defer fetch.stop(t)
	parse := startStage(t, url, "parser", func(ctx context.Context, js jetstream.JetStream) error {
		p, err := parser.New(parser.Config{Workers: 2, MaxDeliver: 5, AckWait: 3 * time.Second}, js, zaptest.NewLogger(t), nil)
		if err != nil {
			return err
		}
		return p.Run(ctx)
	})
	defer parse.stop(t)

	// Restart the server once some articles, but not all, are published.
	servicetest.WaitFor(t, 60*time.Second, "first articles", func() bool {
		return servicetest.StreamMsgs(t, js, events.StreamArticles) >= 5
	})
	srvMu.Lock()
	srv.Stop()
	srv, err = embedded.Start(embedded.Options{StoreDir: storeDir, Listen: addr})
	srvMu.Unlock()
	if err != nil {
		t.Fatalf("restart nats: %v", err)
	}

	// The indexer was down the whole time: a backlog waits for it.
	servicetest.WaitFor(t, 90*time.Second, "all articles published", func() bool {
		return admin.IsConnected() && servicetest.StreamMsgs(t, js, events.StreamArticles) >= n
	})
	ixDir := t.TempDir()
	var ix *indexer.Indexer
	ixReady := make(chan struct{})
	index := startStage(t, url, "indexer", func(ctx context.Context, js jetstream.JetStream) error {
		var err error
		ix, err = indexer.New(indexer.Config{IndexDir: ixDir, Durable: "indexer", Workers: 8, MaxDeliver: 5}, js, zaptest.NewLogger(t), nil)
		close(ixReady)
		if err != nil {
			return err
		}
		defer ix.Close()
		return ix.Run(ctx)
	})
	<-ixReady
	if ix == nil {
		t.Fatal("indexer did not start")
	}
	servicetest.WaitFor(t, 60*time.Second, "backlog indexed", func() bool {
		return servicetest.Settled(js, events.StreamArticles, "indexer")
	})
	assertExactlyOnce(t, js, n)
	api := httptest.NewServer(ix.Handler())
	defer api.Close()
	for i := range n {
		resp, err := http.Get(fmt.Sprintf("%s/v1/search?q=storyword%d", api.URL, i))
		if err != nil {
			t.Fatal(err)
		}
		var res searchResult
		err = jsonDecode(resp, &res)
		if err != nil || res.Total != 1 {
			t.Errorf("search storyword%d: %d hits, %v; want 1", i, res.Total, err)
		}
	}
	index.stop(t)
}
