package fetcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
	"go.uber.org/zap/zaptest"
)

const feedTmpl = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Test news</title><link>%[1]s/</link>
<item><title>First</title><link>%[1]s/a/1?utm_source=rss</link><guid>%[1]s/a/1</guid><pubDate>Tue, 06 Jun 2017 20:36:00 +0000</pubDate></item>
<item><title>Second</title><link>%[1]s/a/2</link><guid isPermaLink="false">g-2</guid></item>
<item><title>Gone</title><link>%[1]s/a/404</link><content:encoded><![CDATA[<p>Full text from the feed.</p>]]></content:encoded></item>
</channel></rss>`

type env struct {
	js      jetstream.JetStream
	site    *httptest.Server
	fetches atomic.Int32
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{js: servicetest.JetStream(t)}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, feedTmpl, "http://"+r.Host)
	})
	mux.HandleFunc("/a/{n}", func(w http.ResponseWriter, r *http.Request) {
		e.fetches.Add(1)
		if r.PathValue("n") == "404" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<html><head><title>Story %s</title></head><body><article><p>Body of story %s.</p></article></body></html>", r.PathValue("n"), r.PathValue("n"))
	})
	e.site = httptest.NewServer(mux)
	t.Cleanup(e.site.Close)
	return e
}

func (e *env) fetcher(t *testing.T, allowPrivate bool) *fetcher.Fetcher {
	t.Helper()
	f, err := fetcher.New(fetcher.Config{
		Feeds: []string{e.site.URL + "/feed.xml"}, PollInterval: time.Hour, PageWorkers: 2, MaxDeliver: 2,
		UserAgent: "newsflow-test", AllowPrivate: allowPrivate, RequestTimeout: 5 * time.Second,
		FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour,
	}, e.js, zaptest.NewLogger(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRepollPublishesNothingNew(t *testing.T) {
	e := newEnv(t)
	f := e.fetcher(t, true)
	ctx := context.Background()
	n, err := f.PollOnce(ctx, e.site.URL+"/feed.xml")
	if err != nil || n != 3 {
		t.Fatalf("first poll: %d new, %v; want 3", n, err)
	}
	// A second replica shares the seen bucket: it publishes nothing either.
	for _, g := range []*fetcher.Fetcher{f, e.fetcher(t, true)} {
		n, err = g.PollOnce(ctx, e.site.URL+"/feed.xml")
		if err != nil || n != 0 {
			t.Fatalf("re-poll: %d new, %v; want 0", n, err)
		}
	}
	if got := servicetest.StreamMsgs(t, e.js, events.StreamItems); got != 3 {
		t.Errorf("NEWS_ITEMS holds %d messages, want 3", got)
	}
}

func TestPagesArePublishedWithFeedFallback(t *testing.T) {
	e := newEnv(t)
	f := e.fetcher(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	servicetest.WaitFor(t, 20*time.Second, "3 pages published", func() bool {
		return servicetest.StreamMsgs(t, e.js, events.StreamPages) == 3
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, _ := e.js.Stream(context.Background(), events.StreamPages)
	byURL := map[string]*events.Page{}
	for seq := uint64(1); seq <= 3; seq++ {
		m, err := st.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatal(err)
		}
		p, err := events.DecodePage(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get(events.HeaderTraceParent) == "" || m.Header.Get(events.HeaderMsgID) != p.MsgID() {
			t.Errorf("page %s: headers %v", p.URL, m.Header)
		}
		byURL[strings.TrimPrefix(p.URL, e.site.URL)] = p
	}
	if p := byURL["/a/1"]; p == nil || !strings.Contains(p.HTML, "Body of story 1.") || p.Item == nil || p.StatusCode != 200 {
		t.Errorf("page /a/1 = %+v", p)
	}
	// The page is gone but the item carries its content: published for the parser's fallback.
	if p := byURL["/a/404"]; p == nil || p.StatusCode != 404 || p.HTML != "" || !strings.Contains(p.Item.Content, "Full text") {
		t.Errorf("page /a/404 = %+v", p)
	}
}

func TestPrivateAddressesAreRefusedByDefault(t *testing.T) {
	e := newEnv(t)
	f := e.fetcher(t, false)
	if _, err := f.PollOnce(context.Background(), e.site.URL+"/feed.xml"); err == nil || !strings.Contains(err.Error(), "blocked") {
		t.Fatalf("poll of a loopback feed without --allow-private-networks: %v", err)
	}
	if e.fetches.Load() != 0 || servicetest.StreamMsgs(t, e.js, events.StreamItems) != 0 {
		t.Error("a refused feed reached the server or published items")
	}
}

func TestParseFeeds(t *testing.T) {
	got, err := fetcher.ParseFeeds([]byte("# my feeds\n\nhttps://a.example/rss\n  http://b.example/feed.xml  \n"))
	if err != nil || len(got) != 2 || got[1] != "http://b.example/feed.xml" {
		t.Fatalf("ParseFeeds = %v, %v", got, err)
	}
	if _, err := fetcher.ParseFeeds([]byte("ftp://x/y\n")); err == nil {
		t.Error("a non-http line was accepted")
	}
}

// TestItemsPendingGauge: items published and not yet taken by the page
// consumer show in newsflow_fetcher_items_pending.
func TestItemsPendingGauge(t *testing.T) {
	js := servicetest.JetStream(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>http://%[1]s/a/1</link></item><item><title>Two</title><link>http://%[1]s/a/2</link></item></channel></rss>`, r.Host)
	}))
	t.Cleanup(srv.Close)
	f, reg := newFetcher(t, js, testConfig())
	ctx := context.Background()
	// No consumer yet: the gauge stays 0 and sampling does not fail.
	f.SampleQueues()
	if got := metricValue(t, reg, "newsflow_fetcher_items_pending", "", ""); got != 0 {
		t.Errorf("items_pending before any consumer = %v", got)
	}
	if n, err := f.PollOnce(ctx, srv.URL+"/feed"); err != nil || n != 2 {
		t.Fatalf("poll: %d new, %v", n, err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, events.StreamItems, jetstream.ConsumerConfig{
		Durable: fetcher.Durable, AckPolicy: jetstream.AckExplicitPolicy,
	}); err != nil {
		t.Fatal(err)
	}
	f.SampleQueues()
	if got := metricValue(t, reg, "newsflow_fetcher_items_pending", "", ""); got != 2 {
		t.Errorf("items_pending = %v, want 2", got)
	}
	if got := metricValue(t, reg, "newsflow_fetcher_items_ack_pending", "", ""); got != 0 {
		t.Errorf("items_ack_pending = %v, want 0", got)
	}
}
