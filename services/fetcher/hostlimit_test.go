package fetcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher/registry"
)

// inFlight counts a server's requests at once and remembers the most.
type inFlight struct {
	mu        sync.Mutex
	now, most int
	agents    map[string]bool // User-Agents seen while another request was in flight
}

func (c *inFlight) enter(ua string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.most = max(c.most, c.now)
	if c.now > 1 {
		c.agents[ua] = true
	}
}

func (c *inFlight) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now--
}

func (c *inFlight) max() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.most
}

// TestHostConcurrencyHoldsAcrossReplicas: two fetchers, each allowed two
// requests at once to a host, share one slow host; the host never sees
// more than two requests at once in total.
func TestHostConcurrencyHoldsAcrossReplicas(t *testing.T) {
	js := servicetest.JetStream(t)
	c := &inFlight{agents: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.enter(r.UserAgent())
		defer c.leave()
		time.Sleep(80 * time.Millisecond) // a slow host, not an assertion
		fmt.Fprintf(w, emptyFeed, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	const limit, n = 2, 16
	cfg := testConfig()
	cfg.PollWorkers = 4
	cfg.HostConcurrency = limit
	cfg.HostDelay = 5 * time.Millisecond
	cfg.UserAgent = "replica-a"
	a, regA := newFetcher(t, js, cfg)
	cfg.UserAgent = "replica-b"
	b, regB := newFetcher(t, js, cfg)
	run(t, a)
	run(t, b)
	// Registered once both run, so both see every feed fall due.
	reg := openRegistry(t, js)
	for i := range n {
		if _, _, err := reg.Add(context.Background(), registry.Feed{URL: fmt.Sprintf("%s/f/%d", srv.URL, i)}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	servicetest.WaitFor(t, 30*time.Second, "every feed polled and recorded", func() bool {
		list, err := reg.List(context.Background())
		if err != nil || len(list) != n {
			return false
		}
		for _, e := range list {
			if e.Feed.LastResult != "no_new_items" || e.Feed.Lease != nil {
				return false
			}
		}
		return true
	})
	if m := c.max(); m > limit {
		t.Errorf("the host saw %d requests at once, want at most %d across replicas", m, limit)
	}
	pa := metricValue(t, regA, "newsflow_fetcher_feed_polls_total", "result", "no_new_items")
	pb := metricValue(t, regB, "newsflow_fetcher_feed_polls_total", "result", "no_new_items")
	if pa == 0 || pb == 0 {
		t.Errorf("polls by replica: %v and %v; both should have polled the host", pa, pb)
	}
	won := metricValue(t, regA, "newsflow_fetcher_feed_claims_total", "result", "won") +
		metricValue(t, regB, "newsflow_fetcher_feed_claims_total", "result", "won")
	if won < n {
		t.Errorf("feed_claims_total{result=won} = %v over both replicas, want ≥ %d", won, n)
	}
	t.Logf("most at once: %d; replicas polled %v and %v", c.max(), pa, pb)
}
