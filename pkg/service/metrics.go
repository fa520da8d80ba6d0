package service

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the consume loop's and publish path's Prometheus metrics,
// labelled by stage. Create them once per registry and share them.
type Metrics struct {
	// Messages counts handled messages by stage and outcome
	// (ack, retry, dead_letter, dlq_failed).
	Messages *prometheus.CounterVec
	// Duration observes handler time by stage.
	Duration *prometheus.HistogramVec
	// Published counts publishes by stage and result (stored, duplicate, error).
	Published *prometheus.CounterVec
	// InFlight is the number of messages being handled by stage.
	InFlight *prometheus.GaugeVec
}

// NewMetrics registers the metrics on reg (a nil reg leaves them
// unregistered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsflow", Name: "messages_total",
			Help: "Messages handled by a stage, by outcome (ack, retry, dead_letter, dlq_failed).",
		}, []string{"stage", "outcome"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "newsflow", Name: "handle_duration_seconds",
			Help:    "Time a stage spends on one message.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"stage"}),
		Published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "newsflow", Name: "published_total",
			Help: "Messages published, by stage and result (stored, duplicate, error).",
		}, []string{"stage", "result"}),
		InFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "newsflow", Name: "in_flight_messages",
			Help: "Messages a stage is handling now.",
		}, []string{"stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.Messages, m.Duration, m.Published, m.InFlight)
	}
	return m
}
