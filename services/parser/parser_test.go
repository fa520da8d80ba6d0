package parser_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/parser"
	"go.uber.org/zap/zaptest"
)

// run runs p until the test ends, then checks that it stopped cleanly; the
// context it returns is p's.
func run(t *testing.T, p *parser.Parser) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return ctx
}

func page(t *testing.T, url, html string) *events.Page {
	t.Helper()
	id, err := events.ArticleID(url)
	if err != nil {
		t.Fatal(err)
	}
	return &events.Page{SchemaVersion: events.SchemaVersion, ID: id, URL: url, StatusCode: 200, FetchedAt: time.Now(), HTML: html}
}

func TestParseEmptyPageIsPermanent(t *testing.T) {
	_, err := parser.Parse(page(t, "https://example.com/a", "<html><body><script>app()</script></body></html>"))
	if !errors.Is(err, parser.ErrNoContent) || !service.IsPermanent(err) {
		t.Fatalf("Parse(empty page) = %v; want a permanent ErrNoContent", err)
	}
}

// The service consumes a page and publishes its article with the page's
// trace id and the article's deterministic message id.
func TestServicePublishesArticle(t *testing.T) {
	js := servicetest.JetStream(t)
	p, err := parser.New(parser.Config{Workers: 1, MaxDeliver: 2}, js, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile("testdata/pages/rt-coalition-tanf.html")
	if err != nil {
		t.Fatal(err)
	}
	pg := page(t, "https://www.rt.com/news/391130-coalition-strike-syria-tanf/", string(html))
	data, err := events.Encode(pg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := run(t, p)
	trace := "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	if _, err := js.PublishMsg(ctx, &nats.Msg{Subject: pg.Subject(), Data: data, Header: nats.Header{events.HeaderTraceParent: {trace}}}); err != nil {
		t.Fatal(err)
	}
	servicetest.WaitFor(t, 20*time.Second, "article published", func() bool {
		return servicetest.StreamMsgs(t, js, events.StreamArticles) == 1
	})
	st, _ := js.Stream(ctx, events.StreamArticles)
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	art, err := events.DecodeArticle(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "news.articles.v1.rt_com" || m.Header.Get(events.HeaderMsgID) != art.MsgID() {
		t.Errorf("subject %q, msg id %q", m.Subject, m.Header.Get(events.HeaderMsgID))
	}
	if got := m.Header.Get(events.HeaderTraceParent); len(got) != 55 || got[3:35] != trace[3:35] || got == trace {
		t.Errorf("traceparent %q does not continue the page's trace %q with a new span", got, trace)
	}
}
