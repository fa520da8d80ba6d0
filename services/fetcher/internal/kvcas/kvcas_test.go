package kvcas

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service/servicetest"
)

func TestConflict(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"key exists", fmt.Errorf("create: %w", jetstream.ErrKeyExists), true},
		{"revision mismatch", fmt.Errorf("update: %w", jetstream.ErrKeyRevisionMismatch), true},
		{"one server code", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequence, Code: 400}, true},
		{"replicated stream code", fmt.Errorf("x: %w", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamWrongLastSequenceConstant, Code: 400}), true},
		{"other API error", &jetstream.APIError{ErrorCode: jetstream.JSErrCodeStreamNotFound, Code: 404}, false},
		{"key not found", jetstream.ErrKeyNotFound, false},
		{"plain", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Conflict(tt.err); got != tt.want {
				t.Errorf("Conflict(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestConflictFromServer checks the errors a real server gives for a stale
// Update, a stale Delete and a second Create.
func TestConflictFromServer(t *testing.T) {
	js := servicetest.JetStream(t)
	ctx := context.Background()
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "cas_test"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := kv.Create(ctx, "k", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Update(ctx, "k", []byte("2"), rev); err != nil {
		t.Fatal(err)
	}
	_, errCreate := kv.Create(ctx, "k", []byte("3"))
	_, errUpdate := kv.Update(ctx, "k", []byte("3"), rev)
	errDelete := kv.Delete(ctx, "k", jetstream.LastRevision(rev))
	for name, err := range map[string]error{"create": errCreate, "update": errUpdate, "delete": errDelete} {
		if !Conflict(err) {
			t.Errorf("%s with a stale revision: Conflict(%v) = false", name, err)
		}
	}
}
