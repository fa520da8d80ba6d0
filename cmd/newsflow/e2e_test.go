package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/app"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/demo"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/indexer"
	"github.com/newsflow/newsflow/services/parser"
	"go.uber.org/zap/zaptest"
)

// seed is the reference story: headline, outlet, time, then one paragraph a line.
type seed struct {
	title      string
	paragraphs []string
}

func loadSeed(t *testing.T) seed {
	t.Helper()
	b, err := os.ReadFile("testdata/rt-2017-06-06-coalition-at-tanf.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return seed{title: lines[0], paragraphs: lines[3:]}
}

// pipeline is an all-in-one newsflow on a real embedded NATS server, fed by
// the demo site over loopback HTTP.
type pipeline struct {
	app  *app.App
	site *demo.Site
	js   jetstream.JetStream
	nc   *nats.Conn
	base string
	stop func()
}

func startPipeline(t *testing.T, feeds ...string) *pipeline {
	t.Helper()
	site, err := demo.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = site.Close() })
	if len(feeds) == 0 {
		feeds = site.FeedURLs()
	}
	cfg := app.Config{
		DataDir:  t.TempDir(),
		HTTPAddr: "127.0.0.1:0",
		Fetcher: fetcher.Config{
			Feeds: feeds, PollInterval: time.Hour, PageWorkers: 2, MaxDeliver: 3,
			UserAgent: "newsflow-test", AllowPrivate: true, Resolve: site.Resolve(),
			RequestTimeout: 10 * time.Second, FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour,
		},
		Parser:  parser.Config{Workers: 2, MaxDeliver: 3},
		Indexer: indexer.Config{Durable: "indexer", Workers: 1, MaxDeliver: 3},
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	p := &pipeline{app: a, site: site, js: a.JetStream(), nc: a.Conn(), base: "http://" + a.HTTPAddr()}
	p.stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app.Run: %v", err)
		}
		a.Close()
	})
	t.Cleanup(p.stop)
	go func() { done <- a.Run(runCtx) }()
	return p
}

func (p *pipeline) getJSON(t *testing.T, path string, v any) int {
	t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func (p *pipeline) search(t *testing.T, q string) searchResult {
	t.Helper()
	var res searchResult
	if code := p.getJSON(t, "/v1/search?q="+url.QueryEscape(q), &res); code != http.StatusOK {
		t.Fatalf("search %q: status %d", q, code)
	}
	return res
}

// settled waits until a durable consumer has nothing pending or unacked.
func (p *pipeline) settled(t *testing.T, stream, durable string) {
	t.Helper()
	servicetest.WaitFor(t, 30*time.Second, durable+" settled", func() bool { return servicetest.Settled(p.js, stream, durable) })
}

const rtPath = "/news/391130-coalition-strike-syria-tanf/"

func TestEndToEndSeedArticle(t *testing.T) {
	sd := loadSeed(t)
	p := startPipeline(t)
	got := make(chan *nats.Msg, 64)
	sub, err := p.nc.ChanSubscribe(events.All(events.SubjectArticles), got)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	var res searchResult
	servicetest.WaitFor(t, 60*time.Second, "deconfliction searchable", func() bool {
		res = p.search(t, "deconfliction")
		return res.Total > 0
	})
	if res.Total != 1 {
		t.Fatalf("search deconfliction: %d hits, want 1: %+v", res.Total, res.Hits)
	}
	hit := res.Hits[0]
	if hit.Title != sd.title || hit.Snippet == "" || hit.ID == "" {
		t.Errorf("hit = %+v", hit)
	}

	var art events.Article
	if code := p.getJSON(t, "/v1/articles/"+hit.ID, &art); code != http.StatusOK {
		t.Fatalf("GET article: status %d", code)
	}
	if art.Title != sd.title {
		t.Errorf("title = %q, want %q", art.Title, sd.title)
	}
	if want := time.Date(2017, 6, 6, 20, 36, 0, 0, time.UTC); art.PublishedAt == nil || !art.PublishedAt.Equal(want) {
		t.Errorf("published_at = %v, want %v", art.PublishedAt, want)
	}
	paras := strings.Split(art.Text, "\n\n")
	if len(paras) != len(sd.paragraphs) {
		t.Errorf("body has %d paragraphs, want %d:\n%s", len(paras), len(sd.paragraphs), art.Text)
	}
	for i := range min(len(paras), len(sd.paragraphs)) {
		if paras[i] != sd.paragraphs[i] {
			t.Errorf("paragraph %d:\n got %q\nwant %q", i+1, paras[i], sd.paragraphs[i])
		}
	}
	for _, clutter := range []string{"Read more", "cookie", "Trending", "Comments", "Subscribe", "Share", "©"} {
		if strings.Contains(art.Text, clutter) {
			t.Errorf("body contains clutter %q", clutter)
		}
	}
	wantCanonical := "https://www.rt.com" + rtPath
	if art.CanonicalURL != wantCanonical || art.Source.Domain != "rt.com" {
		t.Errorf("canonical_url = %q, source = %+v; want %q, rt.com", art.CanonicalURL, art.Source, wantCanonical)
	}
	if id, _ := events.ArticleID(wantCanonical); art.ID != id {
		t.Errorf("id = %q, want ArticleID(canonical) = %q", art.ID, id)
	}

	// A subscriber on news.articles.v1.> receives it, in the contract's form.
	deadline := time.After(10 * time.Second)
	for found := false; !found; {
		select {
		case m := <-got:
			a, err := events.DecodeArticle(m.Data)
			if err != nil {
				t.Fatalf("subscriber got an invalid article: %v", err)
			}
			if a.ID != art.ID {
				continue
			}
			found = true
			if m.Subject != "news.articles.v1.rt_com" {
				t.Errorf("subject = %q", m.Subject)
			}
			for _, h := range []string{events.HeaderMsgID, events.HeaderSpecVersion, events.HeaderType, events.HeaderSource, events.HeaderID, events.HeaderTime, events.HeaderTraceParent} {
				if m.Header.Get(h) == "" {
					t.Errorf("article message lacks header %s", h)
				}
			}
			if m.Header.Get(events.HeaderType) != events.TypeArticle {
				t.Errorf("ce-type = %q", m.Header.Get(events.HeaderType))
			}
		case <-deadline:
			t.Fatal("no article on news.articles.v1.>")
		}
	}
}

// Redelivering the same page (and the same article) leaves one document.
func TestRedeliveryLeavesOneDocument(t *testing.T) {
	p := startPipeline(t)
	servicetest.WaitFor(t, 60*time.Second, "deconfliction searchable", func() bool { return p.search(t, "deconfliction").Total > 0 })
	ctx := context.Background()
	pages, err := p.js.Stream(ctx, events.StreamPages)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := pages.GetLastMsgForSubject(ctx, "news.pages.v1.rt_com")
	if err != nil {
		t.Fatal(err)
	}
	articles, err := p.js.Stream(ctx, events.StreamArticles)
	if err != nil {
		t.Fatal(err)
	}
	art, err := articles.GetLastMsgForSubject(ctx, "news.articles.v1.rt_com")
	if err != nil {
		t.Fatal(err)
	}
	before := servicetest.StreamMsgs(t, p.js, events.StreamArticles)
	for i := range 3 {
		// New message ids, so JetStream stores them: a redelivery the
		// de-duplication window cannot catch.
		if _, err := p.js.PublishMsg(ctx, &nats.Msg{Subject: raw.Subject, Data: raw.Data, Header: raw.Header}, jetstream.WithMsgID(fmt.Sprintf("redeliver-page-%d", i))); err != nil {
			t.Fatal(err)
		}
		if _, err := p.js.PublishMsg(ctx, &nats.Msg{Subject: art.Subject, Data: art.Data, Header: art.Header}, jetstream.WithMsgID(fmt.Sprintf("redeliver-article-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	p.settled(t, events.StreamPages, parser.Durable)
	p.settled(t, events.StreamArticles, "indexer")
	if after := servicetest.StreamMsgs(t, p.js, events.StreamArticles); after != before+3 {
		// The parser's re-publishes of an unchanged article are duplicates
		// by Nats-Msg-Id; only our three direct publishes are new.
		t.Errorf("NEWS_ARTICLES grew from %d to %d, want +3", before, after)
	}
	if res := p.search(t, "deconfliction"); res.Total != 1 {
		t.Errorf("after redelivery: %d hits, want 1", res.Total)
	}
}

// Malformed messages end in news.dlq.<stage> with the error, and the next
// good message still flows.
func TestMalformedMessagesGoToDLQ(t *testing.T) {
	p := startPipeline(t)
	servicetest.WaitFor(t, 60*time.Second, "seed searchable", func() bool { return p.search(t, "deconfliction").Total > 0 })
	ctx := context.Background()
	cases := []struct {
		stage, subject string
		data           string
	}{
		{events.StageParser, "news.pages.v1.example_com", `{"schema_version":1,"id":"x"`},
		{events.StageParser, "news.pages.v1.example_com", `{"schema_version":1,"id":"e1","url":"https://example.com/a","status_code":200,"fetched_at":"2026-01-01T00:00:00Z","html":"<html><body><script>x</script></body></html>"}`},
		{events.StageFetcher, "news.items.v1.example_com", `not json at all`},
		{events.StageIndexer, "news.articles.v1.example_com", `{"schema_version":99}`},
	}
	for i, c := range cases {
		if _, err := p.js.PublishMsg(ctx, &nats.Msg{Subject: c.subject, Data: []byte(c.data)}, jetstream.WithMsgID(fmt.Sprintf("bad-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	dlq, err := p.js.Stream(ctx, events.StreamDLQ)
	if err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 30*time.Second, "4 dead letters", func() bool { return servicetest.StreamMsgs(t, p.js, events.StreamDLQ) == 4 })
	for seq := uint64(1); seq <= 4; seq++ {
		m, err := dlq.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		stage := strings.TrimPrefix(m.Subject, events.SubjectDLQ+".")
		if m.Header.Get(events.HeaderDLQError) == "" || m.Header.Get(events.HeaderDLQStage) != stage || m.Header.Get(events.HeaderDLQSubject) == "" {
			t.Errorf("dead letter %d on %s lacks error headers: %v", seq, m.Subject, m.Header)
		}
	}
	// The next good message still flows: a good page after the bad ones.
	good, err := demo.Page("www.rt.com", rtPath)
	if err != nil {
		t.Fatal(err)
	}
	u := "https://www.rt.com/news/391131-a-second-story/"
	id, _ := events.ArticleID(u)
	html := strings.ReplaceAll(string(good), "391130-coalition-strike-syria-tanf", "391131-a-second-story")
	html = strings.ReplaceAll(html, "deconfliction", "zonenovelword")
	page := &events.Page{SchemaVersion: 1, ID: id, URL: u, StatusCode: 200, FetchedAt: time.Now(), HTML: html}
	data, err := events.Encode(page)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.js.PublishMsg(ctx, &nats.Msg{Subject: page.Subject(), Data: data}); err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 30*time.Second, "good page after bad ones searchable", func() bool { return p.search(t, "zonenovelword").Total == 1 })
}
