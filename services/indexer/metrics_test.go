package indexer_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/indexer"
)

// gather returns the registry's metrics by name (the first series of each).
func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.Metric{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" {
					name += "{" + l.GetValue() + "}"
				}
			}
			out[name] = m
		}
	}
	return out
}

// TestIndexMetrics runs the indexer on an ingested stream and checks the
// index stats it exports: documents, size, batches, commit latency and the
// last commit time.
func TestIndexMetrics(t *testing.T) {
	js := servicetest.JetStream(t)
	arts := ingest(t, js) // 6 articles (5 ids) and one broken message
	reg := prometheus.NewRegistry()
	cfg := indexer.Config{IndexDir: filepath.Join(t.TempDir(), "index"), Durable: "indexer", Workers: 1,
		MaxDeliver: 1, AckWait: 10 * time.Second, BatchSize: 100, BatchWait: 20 * time.Millisecond}
	x, err := indexer.New(cfg, js, zaptest.NewLogger(t), service.NewMetrics(reg), indexer.WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	before := gather(t, reg)
	if got := before["newsflow_indexer_documents"].GetGauge().GetValue(); got != 0 {
		t.Errorf("documents before any commit: %v, want 0", got)
	}
	if got := before["newsflow_indexer_last_commit_timestamp_seconds"].GetGauge().GetValue(); got != 0 {
		t.Errorf("last commit before any commit: %v, want 0", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	start := time.Now()
	servicetest.WaitFor(t, 30*time.Second, "all articles indexed", func() bool {
		return servicetest.Settled(js, events.StreamArticles, "indexer")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	m := gather(t, reg)
	if got := m["newsflow_indexer_documents"].GetGauge().GetValue(); got != float64(len(arts)) {
		t.Errorf("newsflow_indexer_documents = %v, want %d", got, len(arts))
	}
	if got := m["newsflow_indexer_index_size_bytes"].GetGauge().GetValue(); got < 1000 {
		t.Errorf("newsflow_indexer_index_size_bytes = %v, want the size of the index files", got)
	}
	batches := m["newsflow_indexer_batches_total{committed}"].GetCounter().GetValue()
	if batches < 1 {
		t.Errorf("newsflow_indexer_batches_total{committed} = %v, want ≥ 1", batches)
	}
	if _, ok := m["newsflow_indexer_batches_total{failed}"]; ok {
		t.Errorf("a batch failed: %v", m["newsflow_indexer_batches_total{failed}"])
	}
	if got := m["newsflow_indexer_articles_committed_total"].GetCounter().GetValue(); got != 6 {
		t.Errorf("newsflow_indexer_articles_committed_total = %v, want 6", got)
	}
	if h := m["newsflow_indexer_freshness_seconds"].GetHistogram(); h.GetSampleCount() != 6 || h.GetSampleSum() <= 0 {
		t.Errorf("freshness_seconds: %d samples, sum %v; want one an article, positive", h.GetSampleCount(), h.GetSampleSum())
	}
	if got := m["newsflow_indexer_commit_seconds"].GetHistogram().GetSampleCount(); float64(got) != batches {
		t.Errorf("commit_seconds has %d samples, want one a batch (%v)", got, batches)
	}
	last := time.Unix(0, int64(m["newsflow_indexer_last_commit_timestamp_seconds"].GetGauge().GetValue()*1e9))
	if last.Before(start.Add(-time.Second)) || last.After(time.Now().Add(time.Second)) {
		t.Errorf("last commit at %v, want between %v and now", last, start)
	}
}
