package parser

import "github.com/prometheus/client_golang/prometheus"

// metrics are the parser's own Prometheus metrics, beside the consume
// loop's shared ones.
type metrics struct {
	// needsJS counts articles from pages that look like script-rendered
	// shells: the parser runs no JavaScript, so their text is missing or
	// came from the feed. A rising rate says a source needs a browser.
	needsJS prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		needsJS: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "newsflow", Subsystem: "parser", Name: "needs_js_total",
			Help: "Articles whose page seems to need JavaScript to show its content.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.needsJS)
	}
	return m
}

// Option configures a Parser.
type Option func(*Parser)

// WithRegisterer registers the parser's own metrics
// (newsflow_parser_needs_js_total) on reg; without it they are kept but
// not exported.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(p *Parser) { p.reg = reg }
}
