package parser_test

import (
	"os"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/parser"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"
)

func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

// A script-rendered shell is published with needs_js set and counted; a
// full article is not counted.
func TestServiceCountsNeedsJS(t *testing.T) {
	js := servicetest.JetStream(t)
	reg := prometheus.NewRegistry()
	p, err := parser.New(parser.Config{Workers: 1, MaxDeliver: 2}, js, zaptest.NewLogger(t), nil, parser.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	ctx := run(t, p)
	for _, c := range []struct{ file, url string }{
		{"testdata/pages/spa-feed-fallback.html", "https://metrowire.example/news/shell"},
		{"testdata/pages/rt-coalition-tanf.html", "https://www.rt.com/news/391130-coalition-strike-syria-tanf/"},
	} {
		html, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		data, err := events.Encode(page(t, c.url, string(html)))
		if err != nil {
			t.Fatal(err)
		}
		pg := page(t, c.url, "")
		if _, err := js.Publish(ctx, pg.Subject(), data); err != nil {
			t.Fatal(err)
		}
	}
	servicetest.WaitFor(t, 20*time.Second, "two articles published", func() bool {
		return servicetest.StreamMsgs(t, js, events.StreamArticles) == 2
	})
	if got := counterValue(t, reg, "newsflow_parser_needs_js_total"); got != 1 {
		t.Errorf("newsflow_parser_needs_js_total = %v, want 1", got)
	}
}
