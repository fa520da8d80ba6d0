package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestScoreBody(t *testing.T) {
	cases := []struct {
		name        string
		truth, pred string
		tp, fp, fn  float64
	}{
		{"identical", "one two three four five", "one two three four five", 1, 0, 0},
		{"empty prediction", "one two three four five", "", 0, 0, 1},
		{"half", "a b c d e", "a b c d x", 1.0 / 3, 1.0 / 3, 1.0 / 3},
		{"short texts are one shingle", "a b", "a b", 1, 0, 0},
		{"punctuation is not a token", "a, b. c! d", "a b c d", 1, 0, 0},
		{"unicode words", "café naïve 東京 x", "café naïve 東京 x", 1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp, fp, fn := pageCounts(c.truth, c.pred)
			if !near(tp, c.tp) || !near(fp, c.fp) || !near(fn, c.fn) {
				t.Errorf("pageCounts = %.3f %.3f %.3f, want %.3f %.3f %.3f", tp, fp, fn, c.tp, c.fp, c.fn)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestSplitAuthors(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"By Jane Doe", []string{"Jane Doe"}},
		{"Jane Doe and John Roe", []string{"Jane Doe", "John Roe"}},
		{"Tom Watkins, CNN", []string{"Tom Watkins"}},
		{"Herz und Blut", []string{"Herz und Blut"}},
		{"A Smith; B Jones", []string{"A Smith", "B Jones"}},
	}
	for _, c := range cases {
		if got := splitAuthors(c.in); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("splitAuthors(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestDateMatches(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	cases := []struct {
		truth string
		pred  *time.Time
		want  bool
	}{
		{"2017-06-06T20:36:00Z", at("2017-06-06T20:36:59Z"), true},
		{"2017-06-06T20:36:00Z", at("2017-06-06T22:36:00+02:00"), true},
		{"2017-06-06T20:36:00Z", at("2017-06-06T20:37:00Z"), false},
		{"2017-06-06", at("2017-06-06T23:00:00-05:00"), true},
		{"2017-06-06", nil, false},
	}
	for _, c := range cases {
		if got := dateMatches(c.truth, c.pred); got != c.want {
			t.Errorf("dateMatches(%q, %v) = %v", c.truth, c.pred, got)
		}
	}
}

// The whole comparison on the test pages: every extractor runs, ours
// finds the body, title, date and authors the truth has, and the JSONL
// files are written for score-extraction.
func TestRunOnTestdata(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := run([]string{"-corpus", "testdata", "-out", out, "-repeat", "1"}, &stdout); err != nil {
		t.Fatal(err)
	}
	report := stdout.String()
	for _, e := range Extractors {
		if !strings.Contains(report, e.Name+": F1=") {
			t.Errorf("report lacks %s:\n%s", e.Name, report)
		}
		b, err := os.ReadFile(filepath.Join(out, e.Name+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s.jsonl has %d lines, want 3", e.Name, len(lines))
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec["id"] == "" {
			t.Fatalf("%s.jsonl: bad line %q: %v", e.Name, lines[0], err)
		}
	}
	pages, err := LoadCorpus("testdata")
	if err != nil {
		t.Fatal(err)
	}
	scores, _, err := Compare(pages, Extractors[:1], 1)
	if err != nil {
		t.Fatal(err)
	}
	s := scores[0]
	if s.F1 < 0.8 || s.Title < 0.6 || s.Date < 1 || s.AuthorsF1 < 0.6 || s.PagesPerSecond() <= 0 {
		t.Errorf("newsflow on testdata: %+v", s)
	}
}

func TestRunNeedsCorpus(t *testing.T) {
	var stdout bytes.Buffer
	if err := run(nil, &stdout); err == nil {
		t.Error("run without -corpus succeeded")
	}
	if err := run([]string{"-corpus", t.TempDir()}, &stdout); err == nil {
		t.Error("run on an empty directory succeeded")
	}
	if err := run([]string{"-corpus", "testdata", "-only", "nobody"}, &stdout); err == nil {
		t.Error("run with an unknown extractor succeeded")
	}
}

// BenchmarkExtractors runs each extractor over every page of the corpus
// that CORPUS names (one op is the whole corpus), so that instruction
// counts (valgrind --tool=callgrind on the test binary with
// -test.benchtime=1x) and CPU profiles compare the extractors on the same
// pages without timer noise from a shared host:
//
//	CORPUS=../../../shared/corpus/dev go test -run '^$' -bench Extractors/newsflow -cpuprofile cpu.out
func BenchmarkExtractors(b *testing.B) {
	dir := os.Getenv("CORPUS")
	if dir == "" {
		b.Skip("CORPUS not set")
	}
	pages, err := LoadCorpus(dir)
	if err != nil {
		b.Fatal(err)
	}
	urls := make([]*url.URL, len(pages))
	for i, p := range pages {
		if urls[i], err = url.Parse(p.Truth.URL); err != nil {
			b.Fatal(err)
		}
	}
	for _, e := range Extractors {
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i, p := range pages {
					_, _ = e.Extract(p.HTML, urls[i])
				}
			}
		})
	}
}
