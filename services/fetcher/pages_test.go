package fetcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
)

func TestRobotsTxtIsHonouredForPages(t *testing.T) {
	js := servicetest.JetStream(t)
	var pageFetches atomic.Int32
	var gotUA atomic.Value
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.Header.Get("User-Agent"))
		fmt.Fprint(w, "User-agent: newsflow-test\nDisallow: /a/\nAllow: /a/1\n")
	})
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, feedTmpl, "http://"+r.Host)
	})
	mux.HandleFunc("/a/{n}", func(w http.ResponseWriter, r *http.Request) {
		pageFetches.Add(1)
		fmt.Fprintf(w, "<html><body><p>Story %s</p></body></html>", r.PathValue("n"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.RobotsTTL = time.Hour
	cfg.HostDelay = 10 * time.Millisecond
	cfg.HostConcurrency = 1
	f, reg := newFetcher(t, js, cfg)
	if n, err := f.PollOnce(context.Background(), srv.URL+"/feed.xml"); err != nil || n != 3 {
		t.Fatalf("poll: %d, %v", n, err)
	}
	run(t, f)
	// /a/1 is allowed and fetched; /a/2 is disallowed and has no content:
	// dropped; /a/404 is disallowed but carries its content: published
	// from the feed without a fetch.
	servicetest.WaitFor(t, 20*time.Second, "pages settled", func() bool {
		return servicetest.Settled(js, events.StreamItems, fetcher.Durable)
	})
	if n := servicetest.StreamMsgs(t, js, events.StreamPages); n != 2 {
		t.Errorf("NEWS_PAGES holds %d, want 2", n)
	}
	if n := pageFetches.Load(); n != 1 {
		t.Errorf("%d page fetches, want 1", n)
	}
	if got := metricValue(t, reg, "newsflow_fetcher_robots_refusals_total", "", ""); got != 2 {
		t.Errorf("robots_refusals_total = %v, want 2", got)
	}
	if ua, _ := gotUA.Load().(string); ua != cfg.UserAgent {
		t.Errorf("robots.txt fetched with User-Agent %q", ua)
	}
	if got := metricValue(t, reg, "newsflow_fetcher_http_responses_total", "kind", "page"); got != 1 {
		t.Errorf("http_responses_total{kind=page} = %v, want 1", got)
	}
}

// TestHostileFeedDoesNotDelayOthers: a feed that drips its body until the
// request timeout holds one poll worker, not the schedule.
func TestHostileFeedDoesNotDelayOthers(t *testing.T) {
	js := servicetest.JetStream(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var fine atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel>`))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/fine/{n}", func(w http.ResponseWriter, r *http.Request) {
		fine.Add(1)
		fmt.Fprintf(w, emptyFeed, "fine")
	})
	slow := httptest.NewServer(mux)
	t.Cleanup(slow.Close)
	reg := openRegistry(t, js)
	ctx := context.Background()
	if _, _, err := reg.Add(ctx, registryFeed(slow.URL+"/slow"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, _, err := reg.Add(ctx, registryFeed(fmt.Sprintf("%s/fine/%d", slow.URL, i)), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.PollWorkers = 2
	cfg.RequestTimeout = 30 * time.Second
	cfg.LeaseTimeout = time.Minute
	f, _ := newFetcher(t, js, cfg)
	run(t, f)
	servicetest.WaitFor(t, 10*time.Second, "the other feeds polled while the slow one hangs", func() bool {
		return fine.Load() == 10
	})
}
