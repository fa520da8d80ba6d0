package indexer

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/events"

	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

// usageTimeout bounds the index lookups of one metrics scrape.
const usageTimeout = 5 * time.Second

// usageReader is what the metrics need from an index backend.
type usageReader interface {
	Usage(ctx context.Context) (search.Usage, error)
}

// metrics are the indexer's Prometheus metrics (newsflow_indexer_*). The
// consume loop's own (newsflow_messages_total and so on) come with
// *service.Metrics.
type metrics struct {
	commits       *prometheus.CounterVec
	commitSeconds prometheus.Histogram
	lastCommit    prometheus.Gauge
	articles      prometheus.Counter
	freshness     prometheus.Histogram
	usage         *usageCollector
}

func newMetrics(backend string, ix usageReader, log *zap.Logger) *metrics {
	o := func(name, help string) prometheus.Opts {
		return prometheus.Opts{Namespace: "newsflow", Subsystem: "indexer", Name: name, Help: help}
	}
	return &metrics{
		commits: prometheus.NewCounterVec(prometheus.CounterOpts(o("batches_total",
			"Index batches written, by result (committed, failed).")), []string{"result"}),
		commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "newsflow", Subsystem: "indexer",
			Name: "commit_seconds", Help: "Time to write and commit one batch to the index (fsync included).",
			Buckets: prometheus.ExponentialBuckets(0.002, 2.5, 10)}),
		lastCommit: prometheus.NewGauge(prometheus.GaugeOpts(o("last_commit_timestamp_seconds",
			"Unix time of the last committed batch (0: none since start)."))),
		articles: prometheus.NewCounter(prometheus.CounterOpts(o("articles_committed_total",
			"Articles in committed batches (redeliveries and older versions included)."))),
		freshness: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "newsflow", Subsystem: "indexer",
			Name: "freshness_seconds", Help: "Time from an article's page being fetched to the article being searchable (its batch committed).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300}}),
		usage: newUsageCollector(backend, ix, log),
	}
}

func (m *metrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.commits, m.commitSeconds, m.lastCommit, m.articles, m.freshness, m.usage} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// committed records a batch of articles whose commit took d and ended at
// end, when they became searchable.
func (m *metrics) committed(arts []*events.Article, d time.Duration, end time.Time) {
	m.commits.WithLabelValues("committed").Inc()
	m.articles.Add(float64(len(arts)))
	for _, a := range arts {
		m.freshness.Observe(end.Sub(a.FetchedAt).Seconds())
	}
	m.commitSeconds.Observe(d.Seconds())
	m.lastCommit.Set(float64(end.UnixNano()) / 1e9)
}

// failed records a batch whose commit failed after d.
func (m *metrics) failed(d time.Duration) {
	m.commits.WithLabelValues("failed").Inc()
	m.commitSeconds.Observe(d.Seconds())
}

// usageCollector reads the index's size at scrape time, so that the figures
// are current without a timer and cost nothing when nobody scrapes.
type usageCollector struct {
	ix        usageReader
	log       *zap.Logger
	documents *prometheus.Desc
	bytes     *prometheus.Desc
	errors    prometheus.Counter
}

func newUsageCollector(backend string, ix usageReader, log *zap.Logger) *usageCollector {
	labels := prometheus.Labels{"backend": backend}
	return &usageCollector{
		ix:  ix,
		log: log,
		documents: prometheus.NewDesc("newsflow_indexer_documents",
			"Articles in the index (one per id).", nil, labels),
		bytes: prometheus.NewDesc("newsflow_indexer_index_size_bytes",
			"Size of the index: its files on disk (bleve), or the articles table with indexes (postgres).", nil, labels),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "newsflow", Subsystem: "indexer",
			Name: "usage_errors_total", Help: "Metrics scrapes that could not read the index's size.", ConstLabels: labels}),
	}
}

// Describe implements prometheus.Collector.
func (c *usageCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.documents
	ch <- c.bytes
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector. A failed read leaves the two
// gauges out of this scrape (absent, not a false zero) and counts the error.
func (c *usageCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), usageTimeout)
	defer cancel()
	u, err := c.ix.Usage(ctx)
	if err != nil {
		c.errors.Inc()
		c.log.Warn("metrics: cannot read the index size", zap.Error(err))
	} else {
		ch <- prometheus.MustNewConstMetric(c.documents, prometheus.GaugeValue, float64(u.Documents))
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(u.Bytes))
	}
	c.errors.Collect(ch)
}
