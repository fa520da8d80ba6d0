package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The bench command keeps working: a tiny run completes, reports every
// figure and writes its profiles. (Its numbers are not asserted: timing
// belongs in BENCHMARKS.md, not in tests.)
func TestBenchCommandSmoke(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := cli(context.Background(), []string{"bench", "--bench-feeds", "2", "--bench-per-feed", "3", "--out", out, "--data", t.TempDir(), "--timeout", "2m"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{"6 articles", "parser alone:", "end to end:", "fetched→published:", "fetched→searchable:  p50", "bytes on NATS:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, f := range []string{"cpu.pprof", "heap.pprof"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("profile %s missing: %v", f, err)
		}
	}
}
