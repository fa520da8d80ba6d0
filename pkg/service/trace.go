package service

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// NewTraceParent starts a W3C trace: "00-<trace id>-<span id>-01".
func NewTraceParent() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-01"
}

// ChildTraceParent continues the trace of parent with a new span id; an empty
// or malformed parent starts a new trace.
func ChildTraceParent(parent string) string {
	parts := strings.Split(parent, "-")
	if len(parts) != 4 || len(parts[1]) != 32 || len(parts[2]) != 16 {
		return NewTraceParent()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return parts[0] + "-" + parts[1] + "-" + hex.EncodeToString(b[:]) + "-" + parts[3]
}
