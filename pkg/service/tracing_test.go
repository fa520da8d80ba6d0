package service_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP trace receiver: what a collector does on
// POST /v1/traces with protobuf bodies, keeping the spans it got.
type otlpReceiver struct {
	*httptest.Server
	t        testing.TB
	mu       sync.Mutex
	requests int
	spans    []*tracepb.Span
	services []string
}

func newOTLPReceiver(t testing.TB) *otlpReceiver {
	r := &otlpReceiver{t: t}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *otlpReceiver) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		r.t.Errorf("OTLP receiver: unexpected %s %s (%s)", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
		http.NotFound(w, req)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, req.Body, 16<<20)
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var ex coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(data, &ex); err != nil {
		r.t.Errorf("OTLP receiver: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.requests++
	for _, rs := range ex.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				r.services = append(r.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *otlpReceiver) got() (requests int, spans []*tracepb.Span, services []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, append([]*tracepb.Span(nil), r.spans...), append([]string(nil), r.services...)
}

// clearOTelEnv makes the test independent of the OTEL_* variables of
// whoever runs it.
func clearOTelEnv(t *testing.T) {
	for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
		"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_TRACES_SAMPLER",
		"OTEL_TRACES_SAMPLER_ARG", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_EXPORTER_OTLP_HEADERS",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"} {
		t.Setenv(k, "")
	}
}

const (
	testFeed = "https://news.example/rss"
	goodURL  = "https://news.example/a/good"
	badURL   = "https://news.example/a/bad"
)

func testItem(t testing.TB, u string) *events.FeedItem {
	t.Helper()
	id, err := events.ArticleID(u)
	if err != nil {
		t.Fatal(err)
	}
	return &events.FeedItem{SchemaVersion: events.SchemaVersion, ID: events.ItemID(testFeed, u), ArticleID: id,
		FeedURL: testFeed, URL: u, DiscoveredAt: time.Now().UTC()}
}

// pipeline is the three stages in miniature, on the real consume loops and
// publish path: items → pages (fetcher), pages → articles (parser), and a
// batch sink for articles (indexer) that records the headers it got. An
// item whose URL is badURL fails permanently in the fetcher stage; with
// failOnce, every item's first try fails with a transient error.
type pipeline struct {
	mu       sync.Mutex
	indexed  []nats.Header
	fetchTry map[string]int
}

func (p *pipeline) run(ctx context.Context, t *testing.T, js jetstream.JetStream, log *zap.Logger, failOnce bool) (wait func()) {
	t.Helper()
	p.fetchTry = map[string]int{}
	retry := []time.Duration{10 * time.Millisecond}
	var wg sync.WaitGroup
	goRun := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				t.Errorf("consume: %v", err)
			}
		}()
	}
	goRun(func() error {
		return service.Consume(ctx, js, service.ConsumerConfig{Stage: events.StageFetcher, Stream: events.StreamItems,
			Durable: "fetcher", MaxDeliver: 3, Backoff: retry, AckWait: 10 * time.Second},
			func(ctx context.Context, msg jetstream.Msg) error {
				it, err := events.DecodeFeedItem(msg.Data())
				if err != nil {
					return err
				}
				p.mu.Lock()
				p.fetchTry[it.URL]++
				try := p.fetchTry[it.URL]
				p.mu.Unlock()
				if failOnce && try == 1 {
					return errors.New("connection reset")
				}
				if it.URL == badURL {
					return service.Permanent(errors.New("410 gone"))
				}
				page := &events.Page{SchemaVersion: events.SchemaVersion, ID: it.ArticleID, URL: it.URL, FeedURL: it.FeedURL,
					StatusCode: 200, FetchedAt: time.Now().UTC(), HTML: "<p>Body</p>", Item: it}
				return service.Publish(ctx, js, page, events.StageFetcher, nats.Header(msg.Headers()), nil)
			}, log, nil)
	})
	goRun(func() error {
		return service.Consume(ctx, js, service.ConsumerConfig{Stage: events.StageParser, Stream: events.StreamPages,
			Durable: "parser", MaxDeliver: 3, Backoff: retry, AckWait: 10 * time.Second},
			func(ctx context.Context, msg jetstream.Msg) error {
				page, err := events.DecodePage(msg.Data())
				if err != nil {
					return err
				}
				art := &events.Article{SchemaVersion: events.SchemaVersion, ID: page.ID, URL: page.URL, CanonicalURL: page.URL,
					FeedURL: page.FeedURL, Source: events.Source{Name: "Example", Domain: "news.example"}, Title: "Good",
					FetchedAt: page.FetchedAt, Text: "Body", ContentHash: strings.Repeat("ab", 32),
					Extraction: events.Extraction{Method: "test", Version: "1"}}
				return service.Publish(ctx, js, art, events.StageParser, nats.Header(msg.Headers()), nil)
			}, log, nil)
	})
	goRun(func() error {
		return service.ConsumeBatch(ctx, js, service.ConsumerConfig{Stage: events.StageIndexer, Stream: events.StreamArticles,
			Durable: "indexer", MaxDeliver: 3, Backoff: retry, AckWait: 10 * time.Second},
			service.BatchConfig{MaxSize: 10, MaxWait: 20 * time.Millisecond},
			func(ctx context.Context, msgs []jetstream.Msg) []error {
				p.mu.Lock()
				defer p.mu.Unlock()
				for _, m := range msgs {
					p.indexed = append(p.indexed, nats.Header(m.Headers()))
				}
				return nil
			}, log, nil)
	})
	return wg.Wait
}

func (p *pipeline) indexedHeaders() []nats.Header {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]nats.Header(nil), p.indexed...)
}

// pollAndWait publishes the good and the bad item under a "fetcher poll"
// span, as the fetcher's poller does, and waits until the good one is
// indexed and the bad one dead-lettered.
func pollAndWait(ctx context.Context, t *testing.T, js jetstream.JetStream, p *pipeline) {
	t.Helper()
	pctx, end := service.StartSpan(ctx, "fetcher poll", service.MessageRef{FeedURL: testFeed})
	for _, u := range []string{goodURL, badURL} {
		if err := service.Publish(pctx, js, testItem(t, u), events.StageFetcher, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	end(nil)
	servicetest.WaitFor(t, 20*time.Second, "the good article indexed and the bad item dead-lettered", func() bool {
		return len(p.indexedHeaders()) == 1 && servicetest.StreamMsgs(t, js, events.StreamDLQ) == 1 &&
			servicetest.Settled(js, events.StreamItems, "fetcher")
	})
}

func attr(s *tracepb.Span, key string) *commonpb.AnyValue {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			return kv.GetValue()
		}
	}
	return nil
}

func TestTracesExportedOverOTLP(t *testing.T) {
	clearOTelEnv(t)
	// Registered first, so it runs last: after the server, the receiver
	// and the exporter are gone, no goroutine of theirs is left.
	t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
	recv := newOTLPReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "newsflow-test")

	js := servicetest.JetStream(t)
	tr, err := service.NewTracing(context.Background(), "fallback-name", zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if !tr.Enabled() {
		t.Fatal("tracing off with OTEL_EXPORTER_OTLP_ENDPOINT set")
	}
	ctx, cancel := context.WithCancel(service.ContextWithTracing(context.Background(), tr))
	var p pipeline
	wait := p.run(ctx, t, js, zaptest.NewLogger(t), false)
	pollAndWait(ctx, t, js, &p)
	cancel()
	wait()
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	_, spans, services := recv.got()
	for _, s := range services {
		if s != "newsflow-test" {
			t.Errorf("service.name %q, want OTEL_SERVICE_NAME's newsflow-test", s)
		}
	}
	byParent := map[string][]*tracepb.Span{}
	var roots []*tracepb.Span
	for _, s := range spans {
		if len(s.GetParentSpanId()) == 0 {
			roots = append(roots, s)
		}
		byParent[hex.EncodeToString(s.GetParentSpanId())] = append(byParent[hex.EncodeToString(s.GetParentSpanId())], s)
	}
	if len(roots) != 1 || roots[0].GetName() != "fetcher poll" {
		for _, s := range spans {
			t.Logf("span %s %x parent %x", s.GetName(), s.GetSpanId(), s.GetParentSpanId())
		}
		t.Fatalf("%d root spans, want one \"fetcher poll\"", len(roots))
	}
	root := roots[0]
	for _, s := range spans {
		if !bytes.Equal(s.GetTraceId(), root.GetTraceId()) {
			t.Errorf("span %s in trace %x, want the poll's %x", s.GetName(), s.GetTraceId(), root.GetTraceId())
		}
	}
	if len(spans) != 9 {
		t.Errorf("%d spans, want 9 (poll, 2 item publishes, 2 fetcher processes, page publish, parser process, article publish, indexer process)", len(spans))
	}
	children := func(s *tracepb.Span, name string) []*tracepb.Span {
		var out []*tracepb.Span
		for _, c := range byParent[hex.EncodeToString(s.GetSpanId())] {
			if c.GetName() == name {
				out = append(out, c)
			}
		}
		return out
	}
	goodID, _ := events.ArticleID(goodURL)
	badID, _ := events.ArticleID(badURL)
	itemPubs := children(root, "fetcher publish")
	if len(itemPubs) != 2 {
		t.Fatalf("poll has %d publish children, want 2", len(itemPubs))
	}
	for _, pub := range itemPubs {
		id := attr(pub, "newsflow.article_id").GetStringValue()
		if id != goodID && id != badID {
			t.Fatalf("item publish span has article id %q", id)
		}
		type step struct {
			name    string
			kind    tracepb.Span_SpanKind
			subject string
			outcome string
		}
		chain := []step{{"fetcher process", tracepb.Span_SPAN_KIND_CONSUMER, events.SubjectItems, "ack"},
			{"fetcher publish", tracepb.Span_SPAN_KIND_PRODUCER, events.SubjectPages, "stored"},
			{"parser process", tracepb.Span_SPAN_KIND_CONSUMER, events.SubjectPages, "ack"},
			{"parser publish", tracepb.Span_SPAN_KIND_PRODUCER, events.SubjectArticles, "stored"},
			{"indexer process", tracepb.Span_SPAN_KIND_CONSUMER, events.SubjectArticles, "ack"}}
		if id == badID {
			chain = []step{{"fetcher process", tracepb.Span_SPAN_KIND_CONSUMER, events.SubjectItems, "dead_letter"}}
		}
		cur := pub
		for _, st := range chain {
			next := children(cur, st.name)
			if len(next) != 1 {
				t.Fatalf("article %s: %q has %d %q children, want 1", id, cur.GetName(), len(next), st.name)
			}
			cur = next[0]
			if cur.GetKind() != st.kind {
				t.Errorf("%s: kind %v, want %v", st.name, cur.GetKind(), st.kind)
			}
			for key, want := range map[string]string{
				"messaging.system": "nats", "newsflow.article_id": id, "newsflow.feed_url": testFeed, "newsflow.outcome": st.outcome,
			} {
				if got := attr(cur, key).GetStringValue(); got != want {
					t.Errorf("article %s, %s: %s = %q, want %q", id, st.name, key, got, want)
				}
			}
			if got := attr(cur, "messaging.destination.name").GetStringValue(); !strings.HasPrefix(got, st.subject+".") {
				t.Errorf("%s: destination %q, want under %s", st.name, got, st.subject)
			}
			wantErr := st.outcome == "dead_letter"
			if gotErr := cur.GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR; gotErr != wantErr {
				t.Errorf("%s: error status %v, want %v", st.name, gotErr, wantErr)
			}
		}
		if id != goodID {
			continue
		}
		// The header the indexer got names the parser's publish span.
		h := p.indexedHeaders()[0]
		want := "00-" + hex.EncodeToString(root.GetTraceId()) + "-"
		if tp := h.Get(events.HeaderTraceParent); !strings.HasPrefix(tp, want) ||
			!strings.Contains(tp, "-"+hex.EncodeToString(cur.GetParentSpanId())+"-") {
			t.Errorf("indexed message's traceparent %q, want trace %x and parent span %x", tp, root.GetTraceId(), cur.GetParentSpanId())
		}
	}
}

func TestNoTraceExportByDefault(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		wantErr error
	}{
		{"no OTEL variables", nil, nil},
		{"SDK disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "RECEIVER", "OTEL_SDK_DISABLED": "true"}, nil},
		{"traces exporter none", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "RECEIVER/v1/traces", "OTEL_TRACES_EXPORTER": "none"}, nil},
		{"grpc protocol refused", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "RECEIVER", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, service.ErrTracingConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearOTelEnv(t)
			t.Cleanup(func() { goleak.VerifyNone(t, goleak.IgnoreCurrent()) })
			recv := newOTLPReceiver(t)
			for k, v := range tc.env {
				t.Setenv(k, strings.Replace(v, "RECEIVER", recv.URL, 1))
			}
			tr, err := service.NewTracing(context.Background(), "test", zap.NewNop())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("NewTracing: %v, want %v", err, tc.wantErr)
			}
			if tr.Enabled() {
				t.Fatal("tracing on")
			}
			if tc.wantErr != nil {
				return
			}
			js := servicetest.JetStream(t)
			core, logs := observer.New(zapcore.DebugLevel)
			ctx, cancel := context.WithCancel(service.ContextWithTracing(context.Background(), tr))
			var p pipeline
			wait := p.run(ctx, t, js, zap.New(core), true)
			pollAndWait(ctx, t, js, &p)
			cancel()
			wait()
			if err := tr.Close(); err != nil {
				t.Fatal(err)
			}
			if n, _, _ := recv.got(); n != 0 {
				t.Errorf("%d OTLP requests with export off", n)
			}

			// The trace context is still carried, with a new span id per hop.
			goodID, _ := events.ArticleID(goodURL)
			h := p.indexedHeaders()[0]
			if got := h.Get(events.HeaderArticleID); got != goodID {
				t.Errorf("indexed %s = %q, want %q", events.HeaderArticleID, got, goodID)
			}
			if got := h.Get(events.HeaderFeedURL); got != testFeed {
				t.Errorf("indexed %s = %q, want %q", events.HeaderFeedURL, got, testFeed)
			}
			if ref := service.RefFromHeader(h); len(ref.TraceID) != 32 {
				t.Errorf("indexed message has no trace id: %q", h.Get(events.HeaderTraceParent))
			}

			// Every per-message line of the loops names the article, feed and trace.
			lines := logs.FilterMessageSnippet("retrying").All()
			lines = append(lines, logs.FilterMessage("message dead-lettered").All()...)
			if len(lines) < 2 {
				t.Fatalf("%d retry/dead-letter log lines, want at least 2", len(lines))
			}
			for _, e := range lines {
				m := e.ContextMap()
				if id, _ := m["article_id"].(string); id == "" {
					t.Errorf("%q has no article_id: %v", e.Message, m)
				}
				if f, _ := m["feed_url"].(string); f != testFeed {
					t.Errorf("%q feed_url = %v, want %s", e.Message, m["feed_url"], testFeed)
				}
				if tid, _ := m["trace_id"].(string); len(tid) != 32 {
					t.Errorf("%q trace_id = %v", e.Message, m["trace_id"])
				}
			}
		})
	}
}
