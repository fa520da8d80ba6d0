// Package service is what every newsflow service needs once: configuration
// from flags and environment, the zap logger, the NATS connection, idempotent
// provisioning of streams, consumers and key-value buckets, the one consume
// loop that maps handler errors to acks (Ack, NakWithDelay, DLQ + Term), the
// publish path that sets Nats-Msg-Id and CloudEvents headers, and the HTTP
// server for /healthz, /readyz and /metrics.
//
// It imports pkg/events and never a service.
package service
