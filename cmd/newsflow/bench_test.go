package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/cmd/newsflow/internal/demo"
)

// The bench command keeps working: a tiny run completes, reports every
// figure and writes its profiles. (Its numbers are not asserted: timing
// belongs in BENCHMARKS.md, not in tests.)
func TestBenchCommandSmoke(t *testing.T) {
	pages := t.TempDir()
	page, err := demo.Page(benchPages[0][0], benchPages[0][1])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pages, "one.html"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"burst", nil, []string{"6 articles (5 page templates", "% of the parser alone", "parser service:"}},
		{"pages from a directory", []string{"--pages", pages}, []string{"6 articles (1 page templates"}},
		{"steady rate", []string{"--rate", "20"}, []string{"pages offered at 20/s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"bench", "--bench-feeds", "2", "--bench-per-feed", "3", "--out", out, "--data", t.TempDir(), "--timeout", "2m"}, tc.args...)
			if code := cli(context.Background(), args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
			}
			for _, want := range append(tc.wants, "parser alone:", "end to end:", "fetched→published:", "fetched→searchable:  p50", "bytes on NATS:", "parser: extraction") {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, f := range []string{"cpu.pprof", "heap.pprof"} {
				if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
					t.Errorf("profile %s missing: %v", f, err)
				}
			}
		})
	}
}

// --backlog without --processes is refused with a clear error.
func TestBenchBacklogNeedsProcesses(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := cli(context.Background(), []string{"bench", "--backlog", "--data", t.TempDir()}, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "--backlog needs --processes") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
