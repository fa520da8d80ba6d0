// Package kvcas recognises a lost compare-and-swap on a JetStream key-value
// bucket: the fetcher's registry, leases and host limits all write by
// revision, and losing such a race is normal with several replicas.
package kvcas

import (
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// Conflict reports whether err means the key was not at the expected
// revision: Create of a key that exists, or Update/Delete with a stale
// revision. A replicated (R3) stream answers with error code 10164 where one
// server answers 10071, so matching one code only would turn every lost race
// on a cluster into an error.
func Conflict(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return true
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}
