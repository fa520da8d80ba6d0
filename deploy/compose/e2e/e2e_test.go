// Package e2e holds the operators' tests: the Compose stack on a 3-node NATS
// cluster, run on the Docker engine with images built here, and the offline
// validation of the Kubernetes manifests.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/deploy/compose/e2e/sitegen"
)

const (
	firstItems  = 3  // per site in the first run: 30 articles
	secondItems = 43 // per site after the second run: 430 articles, 400 new
)

// requireDocker skips unless the Docker test is wanted and possible. It runs
// in CI (CI=true), where a missing engine is a failure, and where
// NEWSFLOW_E2E_DOCKER=1 asks for it; elsewhere it is skipped, because it
// takes minutes of a shared 2-core machine.
func requireDocker(t *testing.T) []string {
	t.Helper()
	ci := os.Getenv("CI") == "true"
	if !ci && os.Getenv("NEWSFLOW_E2E_DOCKER") != "1" {
		t.Skip("Compose end-to-end test: set NEWSFLOW_E2E_DOCKER=1 (or CI=true) to build the images and run it on the Docker engine")
	}
	if testing.Short() {
		t.Skip("Compose end-to-end test: skipped in -short mode")
	}
	fail := t.Skipf
	if ci {
		fail = t.Fatalf
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := exec.LookPath("docker"); err != nil {
		fail("Compose end-to-end test: no docker CLI: %v", err)
	}
	if out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		fail("Compose end-to-end test: Docker engine unavailable: %v: %s", err, out)
	}
	compose, err := composeCommand(ctx)
	if err != nil {
		fail("Compose end-to-end test: %v", err)
	}
	return compose
}

func TestComposeClusterSurvivesKills(t *testing.T) {
	compose := requireDocker(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}

	if os.Getenv("NEWSFLOW_E2E_SKIP_BUILD") != "1" {
		t0 := time.Now()
		c := exec.CommandContext(ctx, filepath.Join(root, "scripts/images.sh"))
		c.Env = append(os.Environ(), "IMAGES=newsflow fetcher parser indexer nats e2e-site=./deploy/compose/e2e/testsite")
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("scripts/images.sh: %v\n%s", err, out)
		}
		t.Logf("images built in %s:\n%s", time.Since(t0).Round(time.Second), out)
	}

	feeds := make([]string, sitegen.Hosts)
	for i := range feeds {
		feeds[i] = sitegen.FeedURL(i)
	}
	env := []string{
		"NEWSFLOW_FEEDS=" + strings.Join(feeds, ","),
		"NEWSFLOW_ALLOW_PRIVATE_NETWORKS=true", // the site is on the Compose network
		"NEWSFLOW_POLL_INTERVAL=2s", "NEWSFLOW_MIN_INTERVAL=2s", "NEWSFLOW_MAX_INTERVAL=2s",
		"NEWSFLOW_HOST_DELAY=500ms",                                           // 10 sites: about 20 pages/s, so the kills land mid-run
		"NEWSFLOW_NATS_PUBLISH=127.0.0.1:", "NEWSFLOW_API_PUBLISH=127.0.0.1:", // random ports
		"NEWSFLOW_VERSION=dev",
	}
	project := fmt.Sprintf("nfe2e%d", time.Now().UnixNano()%1_000_000_000)
	s := newStack(t, compose, project, env, "../docker-compose.yml", "testdata/compose.e2e.yml")
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer ccancel()
		if t.Failed() {
			logs, _ := s.run(cctx, time.Minute, "logs", "--no-color", "--tail", "40")
			t.Logf("compose logs (tail):\n%s", tail(logs, 20000))
		}
		if _, err := s.run(cctx, 3*time.Minute, "down", "-v", "--remove-orphans", "--timeout", "10"); err != nil {
			t.Errorf("tear down: %v", err)
		}
	})
	t0 := time.Now()
	if _, err := s.run(ctx, 5*time.Minute, "up", "-d"); err != nil {
		t.Fatal(err)
	}
	api := "http://" + s.port(ctx, "indexer", 8080)
	natsAddr := "nats://" + s.port(ctx, "nats-1", 4222)
	site := "http://" + s.port(ctx, "site", sitegen.Port)
	waitFor(t, ctx, 2*time.Minute, "indexer ready", func() (bool, string) {
		code, body := get(ctx, api+"/readyz")
		return code == http.StatusOK, body
	})
	t.Logf("stack up and ready in %s (project %s)", time.Since(t0).Round(time.Second), project)

	admin := connect(t, natsAddr, "admin", "admin-dev-password", "")
	reader := connect(t, natsAddr, "reader", "reader-dev-password", "_INBOX_reader")
	live := newLiveCounter(t, reader)

	t.Run("parser credentials are least privilege", func(t *testing.T) {
		testParserPermissions(t, ctx, natsAddr)
	})

	// First run: 30 articles, nothing killed.
	t1 := time.Now()
	setItems(t, ctx, site, firstItems)
	want, err := sitegen.ArticleIDs(firstItems)
	if err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, ctx, api, want, 3*time.Minute)
	assertStreamExactlyOnce(t, ctx, reader, want)
	live.assert(t, want, true)
	t.Logf("first run: %d articles indexed and published once in %s", len(want), time.Since(t1).Round(100*time.Millisecond))

	// Second run: 400 more; kill a parser and a NATS node mid-run.
	parser, natsNode := s.container(ctx, "parser-1"), s.container(ctx, "nats-2")
	t2 := time.Now()
	setItems(t, ctx, site, secondItems)
	want, err = sitegen.ArticleIDs(secondItems)
	if err != nil {
		t.Fatal(err)
	}
	js := jsOf(t, reader)
	killAt := firstItems*sitegen.Hosts + 100
	waitFor(t, ctx, 3*time.Minute, fmt.Sprintf("%d articles stored before the kill", killAt), func() (bool, string) {
		n, err := streamMsgs(ctx, js)
		return err == nil && n >= uint64(killAt), fmt.Sprint(n, err)
	})
	for _, id := range []string{parser, natsNode} {
		if _, err := docker(ctx, "kill", id); err != nil {
			t.Fatal(err)
		}
	}
	killTime := time.Now()
	killedAt := storedNow(t, ctx, js)
	t.Logf("killed parser-1 and nats-2 at %d stored articles", killedAt)
	// The pipeline goes on with one parser and two NATS nodes (a quorum).
	waitFor(t, ctx, 3*time.Minute, "progress while parser-1 and nats-2 are down", func() (bool, string) {
		n, err := streamMsgs(ctx, js)
		return err == nil && n >= min(killedAt+40, uint64(len(want))), fmt.Sprint(n, err)
	})
	for _, id := range []string{natsNode, parser} {
		if _, err := docker(ctx, "start", id); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("restarted them after %s down, at %d stored articles", time.Since(killTime).Round(100*time.Millisecond), storedNow(t, ctx, js))
	waitIndexed(t, ctx, api, want, 6*time.Minute)
	assertStreamExactlyOnce(t, ctx, reader, want)
	live.assert(t, want, false)
	assertNoDeadLetters(t, ctx, jsOf(t, admin))
	waitFor(t, ctx, 2*time.Minute, "parser-1 and nats-2 healthy again", func() (bool, string) {
		var states []string
		for _, id := range []string{parser, natsNode} {
			st, _ := docker(ctx, "inspect", "-f", "{{.State.Health.Status}}", id)
			states = append(states, st)
		}
		return states[0] == "healthy" && states[1] == "healthy", strings.Join(states, ",")
	})
	t.Logf("second run: %d articles (%d new) indexed and published once in %s with parser-1 and nats-2 killed and restarted once each; total %s",
		len(want), len(want)-firstItems*sitegen.Hosts, time.Since(t2).Round(100*time.Millisecond), time.Since(start).Round(time.Second))
}

func testParserPermissions(t *testing.T, ctx context.Context, natsAddr string) {
	perms := make(chan error, 16)
	nc, err := nats.Connect(natsAddr, nats.UserInfo("parser", "parser-dev-password"), nats.CustomInboxPrefix("_INBOX_parser"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case perms <- err:
			default:
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// Publishing an item is refused by the server.
	if err := nc.Publish("news.items.v1.example_com", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-perms:
		if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), "news.items.v1.example_com") {
			t.Fatalf("publish to news.items.v1: got %v, want a permissions violation", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("publish to news.items.v1 by the parser was not refused")
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := js.Publish(pctx, "news.items.v1.example_com", []byte(`{}`)); err == nil {
		t.Fatal("JetStream publish to news.items.v1 by the parser was acknowledged")
	}
	// The feed registry (and the seen bucket) cannot be opened or read.
	for _, bucket := range []string{"newsflow_feeds", "newsflow_seen"} {
		kctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := js.KeyValue(kctx, bucket)
		cancel()
		if err == nil {
			t.Fatalf("parser opened bucket %s", bucket)
		}
	}
	if _, err := nc.SubscribeSync("$KV.newsflow_feeds.>"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case err := <-perms:
			if errors.Is(err, nats.ErrPermissionViolation) && strings.Contains(err.Error(), "$KV.newsflow_feeds") {
				return
			}
		case <-deadline:
			t.Fatal("subscribing to the feed registry's subjects was not refused")
		}
	}
}

func connect(t *testing.T, addr, user, password, inbox string) *nats.Conn {
	t.Helper()
	opts := []nats.Option{nats.UserInfo(user, password), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond)}
	if inbox != "" {
		opts = append(opts, nats.CustomInboxPrefix(inbox))
	}
	nc, err := nats.Connect(addr, opts...)
	if err != nil {
		t.Fatalf("connect %s as %s: %v", addr, user, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func jsOf(t *testing.T, nc *nats.Conn) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func setItems(t *testing.T, ctx context.Context, site string, n int) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/control?items=%d", site, n), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("site control: %s", resp.Status)
	}
}

// liveCounter counts the articles a live (core NATS) subscriber sees by id.
type liveCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func newLiveCounter(t *testing.T, nc *nats.Conn) *liveCounter {
	l := &liveCounter{counts: map[string]int{}}
	sub, err := nc.Subscribe("news.articles.v1.>", func(m *nats.Msg) {
		var a struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(m.Data, &a) == nil {
			l.mu.Lock()
			l.counts[a.ID]++
			l.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = sub.SetPendingLimits(-1, -1)
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return l
}

// assert checks that the live subscriber saw every wanted article and no
// other; exactly once when strict. Without strict, a publish retried after a
// lost ack reaches live subscribers twice (the stream stores it once), which
// is logged.
func (l *liveCounter) assert(t *testing.T, want map[string]string, strict bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l.mu.Lock()
		missing, dups, extra := 0, 0, 0
		for id := range want {
			switch n := l.counts[id]; {
			case n == 0:
				missing++
			case n > 1:
				dups += n - 1
			}
		}
		for id := range l.counts {
			if _, ok := want[id]; !ok {
				extra++
			}
		}
		l.mu.Unlock()
		if missing == 0 || time.Now().After(deadline) {
			if missing > 0 || extra > 0 || (strict && dups > 0) {
				t.Fatalf("live subscriber: %d missing, %d unexpected, %d duplicate deliveries of %d", missing, extra, dups, len(want))
			}
			t.Logf("live subscriber: all %d articles, %d duplicate deliveries of retried publishes", len(want), dups)
			return
		}
		time.Sleep(200 * time.Millisecond) // polling a counter another goroutine fills, under a deadline
	}
}

// storedNow is the article count of NEWS_ARTICLES, waiting out a leader
// election.
func storedNow(t *testing.T, ctx context.Context, js jetstream.JetStream) uint64 {
	t.Helper()
	var n uint64
	waitFor(t, ctx, time.Minute, "NEWS_ARTICLES info", func() (bool, string) {
		var err error
		n, err = streamMsgs(ctx, js)
		return err == nil, fmt.Sprint(err)
	})
	return n
}

func streamMsgs(ctx context.Context, js jetstream.JetStream) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "NEWS_ARTICLES")
	if err != nil {
		return 0, err
	}
	return s.CachedInfo().State.Msgs, nil
}

// assertStreamExactlyOnce reads NEWS_ARTICLES from the start, as a
// downstream consumer replaying it would, and requires each wanted article
// exactly once and nothing else.
func assertStreamExactlyOnce(t *testing.T, ctx context.Context, nc *nats.Conn, want map[string]string) {
	t.Helper()
	js := jsOf(t, nc)
	var counts map[string]int
	waitFor(t, ctx, time.Minute, "reading NEWS_ARTICLES from the start", func() (bool, string) {
		var err error
		counts, err = readStream(ctx, js)
		return err == nil, fmt.Sprint(err)
	})
	var missing, dups, extra int
	for id := range want {
		switch n := counts[id]; {
		case n == 0:
			missing++
		case n > 1:
			dups += n - 1
		}
	}
	for id := range counts {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	if missing > 0 || dups > 0 || extra > 0 {
		t.Fatalf("NEWS_ARTICLES: %d missing, %d duplicates, %d unexpected of %d", missing, dups, extra, len(want))
	}
}

func readStream(ctx context.Context, js jetstream.JetStream) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "NEWS_ARTICLES")
	if err != nil {
		return nil, err
	}
	total := s.CachedInfo().State.Msgs
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for read := uint64(0); read < total; {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, err
		}
		for m := range batch.Messages() {
			read++
			var a struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(m.Data(), &a); err != nil {
				return nil, err
			}
			counts[a.ID]++
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return counts, nil
}

func assertNoDeadLetters(t *testing.T, ctx context.Context, js jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, "NEWS_DLQ")
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 0 {
		t.Fatalf("NEWS_DLQ holds %d messages", n)
	}
}

// waitIndexed waits until every wanted article is served by the search API
// and a search for the marker word counts exactly as many.
func waitIndexed(t *testing.T, ctx context.Context, api string, want map[string]string, timeout time.Duration) {
	t.Helper()
	found := map[string]bool{}
	waitFor(t, ctx, timeout, fmt.Sprintf("%d articles searchable", len(want)), func() (bool, string) {
		for id := range want {
			if found[id] {
				continue
			}
			if code, _ := get(ctx, api+"/v1/articles/"+id); code == http.StatusOK {
				found[id] = true
			}
		}
		if len(found) < len(want) {
			return false, fmt.Sprintf("%d of %d", len(found), len(want))
		}
		code, body := get(ctx, api+"/v1/search?q="+url.QueryEscape(sitegen.Marker)+"&size=1")
		var r struct {
			Total int `json:"total"`
		}
		if code != http.StatusOK || json.Unmarshal([]byte(body), &r) != nil {
			return false, body
		}
		return r.Total == len(want), fmt.Sprintf("search total %d, want %d", r.Total, len(want))
	})
}

func get(ctx context.Context, u string) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds or timeout passes, then fails with what
// cond last reported.
func waitFor(t *testing.T, ctx context.Context, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, last := cond()
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v (last: %s)", what, ctx.Err(), tail(last, 500))
		case <-tick.C:
		}
	}
}
