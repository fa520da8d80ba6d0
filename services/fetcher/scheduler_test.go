package fetcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/fetcher/registry"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"
)

// hits counts requests per path and remembers when each came.
type hits struct {
	mu   sync.Mutex
	n    map[string]int
	last map[string]time.Time
	hdr  map[string]http.Header
}

func newHits() *hits {
	return &hits{n: map[string]int{}, last: map[string]time.Time{}, hdr: map[string]http.Header{}}
}

func (h *hits) record(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n[r.URL.Path]++
	h.last[r.URL.Path] = time.Now()
	h.hdr[r.URL.Path] = r.Header.Clone()
}

func (h *hits) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[path]
}

func (h *hits) at(path string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last[path]
}

func (h *hits) header(path string) http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hdr[path]
}

const emptyFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>http://example.com/</link></channel></rss>`

func testConfig() fetcher.Config {
	return fetcher.Config{
		PollInterval: time.Hour, MinInterval: time.Hour, MaxInterval: 2 * time.Hour, PageWorkers: 2, MaxDeliver: 2,
		UserAgent: "newsflow-test/1 (+https://example.com/contact)", AllowPrivate: true, RequestTimeout: 5 * time.Second,
		FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour, LeaseTimeout: 10 * time.Second,
	}
}

func newFetcher(t *testing.T, js jetstream.JetStream, cfg fetcher.Config) (*fetcher.Fetcher, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	f, err := fetcher.New(cfg, js, zaptest.NewLogger(t), nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	return f, reg
}

// run runs f until the test ends.
func run(t *testing.T, f *fetcher.Fetcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func openRegistry(t *testing.T, js jetstream.JetStream) *registry.Registry {
	t.Helper()
	r, err := registry.Open(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func feedOf(t *testing.T, r *registry.Registry, url string) registry.Feed {
	t.Helper()
	e, err := r.Find(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return e.Feed
}

func TestTwoReplicasPollEachDueFeedOnce(t *testing.T) {
	js := servicetest.JetStream(t)
	h := newHits()
	// Requests wait until both replicas have been seen (by User-Agent), so
	// one replica cannot take every feed while the other is starting,
	// however loaded the machine; a deadline keeps a failure from hanging.
	var uaMu sync.Mutex
	uas := map[string]bool{}
	both := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		uaMu.Lock()
		if !uas[r.UserAgent()] {
			uas[r.UserAgent()] = true
			if len(uas) == 2 {
				close(both)
			}
		}
		uaMu.Unlock()
		select {
		case <-both:
		case <-time.After(10 * time.Second):
		}
		fmt.Fprintf(w, emptyFeed, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	reg := openRegistry(t, js)
	const n = 24
	for i := range n {
		if _, _, err := reg.Add(context.Background(), registry.Feed{URL: fmt.Sprintf("%s/f/%d", srv.URL, i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.PollWorkers = 2
	cfg.UserAgent = "replica-a"
	a, regA := newFetcher(t, js, cfg)
	cfg.UserAgent = "replica-b"
	b, regB := newFetcher(t, js, cfg)
	run(t, a)
	run(t, b)
	servicetest.WaitFor(t, 20*time.Second, "every feed polled and recorded", func() bool {
		list, err := reg.List(context.Background())
		if err != nil || len(list) != n {
			return false
		}
		for _, e := range list {
			if e.Feed.LastPoll.IsZero() || e.Feed.Lease != nil {
				return false
			}
		}
		return true
	})
	for i := range n {
		if c := h.count(fmt.Sprintf("/f/%d", i)); c != 1 {
			t.Errorf("feed %d polled %d times, want once", i, c)
		}
	}
	pa := metricValue(t, regA, "newsflow_fetcher_feed_polls_total", "", "")
	pb := metricValue(t, regB, "newsflow_fetcher_feed_polls_total", "", "")
	if pa+pb != n || pa == 0 || pb == 0 {
		t.Errorf("replica polls: %v + %v, want %d shared by both", pa, pb, n)
	}
	if got := metricValue(t, regA, "newsflow_fetcher_feeds", "state", "active"); got != n {
		t.Errorf("feeds{state=active} = %v, want %d", got, n)
	}
}

// metricValue sums the samples of a counter or gauge whose label (if
// given) has the value.
func metricValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			match := label == ""
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					match = true
				}
			}
			if !match {
				continue
			}
			if m.GetCounter() != nil {
				total += m.GetCounter().GetValue()
			} else if m.GetGauge() != nil {
				total += m.GetGauge().GetValue()
			}
		}
	}
	return total
}

func TestDeadReplicasLeaseIsTakenOver(t *testing.T) {
	js := servicetest.JetStream(t)
	h := newHits()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		fmt.Fprintf(w, emptyFeed, "x")
	}))
	t.Cleanup(srv.Close)
	reg := openRegistry(t, js)
	now := time.Now()
	e, _, err := reg.Add(context.Background(), registry.Feed{URL: srv.URL + "/feed"}, now)
	if err != nil {
		t.Fatal(err)
	}
	// A replica claimed the feed and died.
	until := now.Add(time.Second)
	if _, err := reg.Claim(context.Background(), e, "dead-replica", now, time.Second); err != nil {
		t.Fatal(err)
	}
	f, _ := newFetcher(t, js, testConfig())
	run(t, f)
	servicetest.WaitFor(t, 15*time.Second, "the feed polled by the live replica", func() bool {
		return !feedOf(t, reg, srv.URL+"/feed").LastPoll.IsZero()
	})
	if got := h.at("/feed"); got.Before(until) || h.count("/feed") != 1 {
		t.Errorf("polled %d times, at %s; want once, after the lease ran out at %s", h.count("/feed"), got, until)
	}
	if fd := feedOf(t, reg, srv.URL+"/feed"); fd.Lease != nil || fd.LastResult != "no_new_items" {
		t.Errorf("after poll: lease %+v result %q", fd.Lease, fd.LastResult)
	}
}

func TestRegistryChangesApplyLive(t *testing.T) {
	js := servicetest.JetStream(t)
	h := newHits()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		fmt.Fprintf(w, emptyFeed, "x")
	}))
	t.Cleanup(srv.Close)
	reg := openRegistry(t, js)
	f, _ := newFetcher(t, js, testConfig())
	run(t, f)
	ctx := context.Background()
	// Added while the fetcher runs: polled without a restart.
	e, _, err := reg.Add(ctx, registry.Feed{URL: srv.URL + "/live"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 10*time.Second, "the new feed polled", func() bool { return h.count("/live") == 1 })
	// Paused, then made due: not polled. Resumed: polled at once.
	if _, err := reg.Pause(ctx, e.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Update(ctx, e.Key, func(fd *registry.Feed) error { fd.NextDue = time.Now(); return nil }); err != nil {
		t.Fatal(err)
	}
	// A second feed added after the pause is polled, so the scheduler has
	// seen the paused record by then and chose not to poll it.
	if _, _, err := reg.Add(ctx, registry.Feed{URL: srv.URL + "/marker"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 10*time.Second, "the marker feed polled", func() bool {
		return !feedOf(t, reg, srv.URL+"/marker").LastPoll.IsZero()
	})
	if h.count("/live") != 1 {
		t.Fatalf("a paused feed was polled")
	}
	if _, err := reg.Resume(ctx, e.Key, time.Now()); err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 10*time.Second, "the resumed feed polled", func() bool { return h.count("/live") == 2 })
}

// TestPollFollowsTheServer polls real responses and checks what the
// registry records.
func TestPollFollowsTheServer(t *testing.T) {
	const etag = `"v1"`
	h := newHits()
	mux := http.NewServeMux()
	feedBody := func(w http.ResponseWriter, r *http.Request, extra string) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>%s<item><title>One</title><link>http://%s/a/1</link></item></channel></rss>`, extra, r.Host)
	}
	mux.HandleFunc("/etag", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		feedBody(w, r, "")
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { h.record(r); w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/limited", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		w.WriteHeader(http.StatusInternalServerError)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		http.Redirect(w, r, "/new", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		http.Redirect(w, r, "/new", http.StatusFound)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) { h.record(r); feedBody(w, r, "") })
	mux.HandleFunc("/ttl", func(w http.ResponseWriter, r *http.Request) { h.record(r); feedBody(w, r, "<ttl>300</ttl>") })
	mux.HandleFunc("/site", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="/new"></head><body>Hi</body></html>`)
	})
	mux.HandleFunc("/plainhtml", func(w http.ResponseWriter, r *http.Request) {
		h.record(r)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body>no feed here</body></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	hour := time.Hour
	tests := []struct {
		path       string
		polls      int
		wantState  registry.State
		wantRes    string
		wantURL    string        // the feed's URL afterwards ("" = unchanged)
		dueAtLeast time.Duration // NextDue - poll time
		wantErr    bool
	}{
		{path: "/etag", polls: 2, wantState: registry.Active, wantRes: "not_modified", dueAtLeast: hour},
		{path: "/gone", polls: 1, wantState: registry.Dead, wantRes: "gone", wantErr: true},
		{path: "/limited", polls: 1, wantState: registry.Failing, wantRes: "rate_limited", dueAtLeast: 2 * hour, wantErr: true},
		{path: "/broken", polls: 1, wantState: registry.Failing, wantRes: "http_5xx", wantErr: true},
		{path: "/old", polls: 1, wantState: registry.Active, wantURL: "/new"},
		{path: "/temp", polls: 1, wantState: registry.Active, wantRes: "new_items", dueAtLeast: hour},
		{path: "/ttl", polls: 1, wantState: registry.Active, wantRes: "new_items", dueAtLeast: 5 * hour},
		{path: "/site", polls: 1, wantState: registry.Active, wantURL: "/new"},
		{path: "/plainhtml", polls: 1, wantState: registry.Failing, wantRes: "not_a_feed", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			js := servicetest.JetStream(t)
			f, _ := newFetcher(t, js, testConfig())
			reg := openRegistry(t, js)
			u := srv.URL + tt.path
			var err error
			start := time.Now()
			for range tt.polls {
				_, err = f.PollOnce(context.Background(), u)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("poll error %v, want error %v", err, tt.wantErr)
			}
			if tt.wantURL != "" {
				if _, err := reg.Find(context.Background(), u); err == nil {
					t.Errorf("old URL still registered")
				}
				moved := feedOf(t, reg, srv.URL+tt.wantURL)
				if moved.State != tt.wantState || !moved.NextDue.Before(time.Now().Add(time.Second)) {
					t.Errorf("moved feed %+v, want %s and due now", moved, tt.wantState)
				}
				return
			}
			fd := feedOf(t, reg, u)
			if fd.State != tt.wantState || fd.LastResult != tt.wantRes || fd.NextDue.Sub(start) < tt.dueAtLeast || fd.Lease != nil {
				t.Errorf("state=%s result=%s due in %s lease=%v; want %s %s ≥%s", fd.State, fd.LastResult, fd.NextDue.Sub(start), fd.Lease,
					tt.wantState, tt.wantRes, tt.dueAtLeast)
			}
			if tt.wantErr != (fd.LastError != "") || tt.wantErr != (fd.Failures == 1) {
				t.Errorf("last error %q, failures %d", fd.LastError, fd.Failures)
			}
		})
	}
	if got := h.header("/etag").Get("If-None-Match"); got != etag {
		t.Errorf("second poll sent If-None-Match %q, want %q", got, etag)
	}
}

func TestGUIDChurnAndSharedArticlesAreNotRepublished(t *testing.T) {
	js := servicetest.JetStream(t)
	var guid atomic.Value
	guid.Store("g1")
	mux := http.NewServeMux()
	mux.HandleFunc("/{feed}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Story</title><link>http://%s/a/1?utm_source=%s</link><guid isPermaLink="false">%s</guid></item>
<item><title>Undated and linkless</title><description>x</description></item></channel></rss>`, r.Host, r.PathValue("feed"), guid.Load())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f, reg := newFetcher(t, js, testConfig())
	ctx := context.Background()
	steps := []struct {
		name string
		feed string
		guid string
		want int
	}{
		{"first sight", "/one", "g1", 1},
		{"same item again", "/one", "g1", 0},
		{"new GUID, same article", "/one", "g2", 0},
		{"same article in another feed", "/two", "g3", 0},
	}
	for _, s := range steps {
		guid.Store(s.guid)
		if n, err := f.PollOnce(ctx, srv.URL+s.feed); err != nil || n != s.want {
			t.Errorf("%s: %d new, %v; want %d", s.name, n, err, s.want)
		}
	}
	if got := servicetest.StreamMsgs(t, js, events.StreamItems); got != 1 {
		t.Errorf("NEWS_ITEMS holds %d, want 1", got)
	}
	if dups := metricValue(t, reg, "newsflow_fetcher_duplicate_items_total", "reason", "article"); dups != 2 {
		t.Errorf("duplicate_items_total{reason=article} = %v, want 2", dups)
	}
}

func registryFeed(u string) registry.Feed { return registry.Feed{URL: u} }
