package fetcher

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the fetcher's Prometheus metrics (newsflow_fetcher_*).
type metrics struct {
	feeds       *prometheus.GaugeVec
	polls       *prometheus.CounterVec
	pollSeconds prometheus.Histogram
	status      *prometheus.CounterVec
	bytes       *prometheus.CounterVec
	savedBytes  prometheus.Counter
	items       prometheus.Counter
	duplicates  *prometheus.CounterVec
	pages       *prometheus.CounterVec
	robots      prometheus.Counter
	leaseLost   prometheus.Counter
	claims      *prometheus.CounterVec
	// Queue depths, sampled every queueSampleEvery.
	itemsPending    prometheus.Gauge
	itemsAckPending prometheus.Gauge
	feedsDue        prometheus.Gauge
}

func newMetrics() *metrics {
	o := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "newsflow", Subsystem: "fetcher", Name: name, Help: help}
	}
	return &metrics{
		feeds: prometheus.NewGaugeVec(prometheus.GaugeOpts(o("feeds", "Registered feeds by state (active, failing, dead, paused), as this replica sees the registry.")), []string{"state"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts(o("feed_polls_total",
			"Feed polls by result: new_items, no_new_items, not_modified, discovered, deferred, or the error kind.")), []string{"result"}),
		pollSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "newsflow", Subsystem: "fetcher", Name: "feed_poll_seconds",
			Help: "Duration of one feed poll: request, parse and publish.", Buckets: prometheus.ExponentialBuckets(0.005, 3, 9)}),
		status: prometheus.NewCounterVec(prometheus.CounterOpts(o("http_responses_total", "HTTP responses by kind (feed, page) and status code.")), []string{"kind", "code"}),
		bytes:  prometheus.NewCounterVec(prometheus.CounterOpts(o("downloaded_bytes_total", "Body bytes downloaded (after decompression) by kind (feed, page).")), []string{"kind"}),
		savedBytes: prometheus.NewCounter(prometheus.CounterOpts(o("not_modified_saved_bytes_total",
			"Bytes not downloaded thanks to 304 Not Modified (the size of the feed's last full body)."))),
		items: prometheus.NewCounter(prometheus.CounterOpts(o("new_items_total", "New feed items discovered and published."))),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts(o("duplicate_items_total",
			"Items not published again by reason: item (same item id), article (same canonical URL under another id).")), []string{"reason"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts(o("page_fetches_total",
			"Page fetches by result (ok, truncated, feed_fallback, robots_refused, error).")), []string{"result"}),
		robots:    prometheus.NewCounter(prometheus.CounterOpts(o("robots_refusals_total", "Pages not fetched because robots.txt disallows them."))),
		leaseLost: prometheus.NewCounter(prometheus.CounterOpts(o("lease_lost_total", "Polls whose result was dropped because another replica took the feed over."))),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts(o("feed_claims_total",
			"Attempts to take a due feed's lease by result: won, lost (another replica or the operator wrote first: normal with several replicas), error.")), []string{"result"}),
		itemsPending: prometheus.NewGauge(prometheus.GaugeOpts(o("items_pending",
			"Feed items on NEWS_ITEMS not yet delivered to the page fetchers (consumer fetcher-pages), as last sampled."))),
		itemsAckPending: prometheus.NewGauge(prometheus.GaugeOpts(o("items_ack_pending",
			"Feed items delivered to page fetchers and not yet acknowledged (consumer fetcher-pages), as last sampled."))),
		feedsDue: prometheus.NewGauge(prometheus.GaugeOpts(o("feeds_due",
			"Pollable feeds past their due time and not leased by any replica, as this replica sees the registry."))),
	}
}

func (m *metrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.feeds, m.polls, m.pollSeconds, m.status, m.bytes, m.savedBytes, m.items, m.duplicates, m.pages, m.robots, m.leaseLost,
		m.claims, m.itemsPending, m.itemsAckPending, m.feedsDue} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *metrics) response(kind string, code int, n int) {
	if code > 0 {
		m.status.WithLabelValues(kind, strconv.Itoa(code)).Inc()
	}
	if n > 0 {
		m.bytes.WithLabelValues(kind).Add(float64(n))
	}
}
