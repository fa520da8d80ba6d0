// Command extraction runs newsflow's article extractor, go-trafilatura and
// readeck's go-readability side by side on the same corpus pages in the
// same process, and reports for each the body F1/P/R (4-gram shingles, as
// shared/tools/score-extraction defines them), title, date and author
// accuracy, and pages per second. It lives in its own module so that the
// peers never become dependencies of the services.
//
//	go run . -corpus ../../../shared/corpus/dev -out /tmp/bench -repeat 3
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "extraction:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("extraction", flag.ContinueOnError)
	corpus := fs.String("corpus", "", "corpus directory (pages/*.html and truth.json)")
	out := fs.String("out", "", "write <extractor>.jsonl here, for score-extraction --predictions")
	repeat := fs.Int("repeat", 3, "timed runs per extractor; the median is reported")
	only := fs.String("only", "", "comma-separated extractor names (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *corpus == "" {
		return errors.New("-corpus is required")
	}
	pages, err := LoadCorpus(*corpus)
	if err != nil {
		return err
	}
	exts := Extractors
	if *only != "" {
		exts = nil
		for _, e := range Extractors {
			if strings.Contains(","+*only+",", ","+e.Name+",") {
				exts = append(exts, e)
			}
		}
		if len(exts) == 0 {
			return fmt.Errorf("no extractor named in -only %q", *only)
		}
	}
	scores, results, err := Compare(pages, exts, max(1, *repeat))
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for i, e := range exts {
			if err := writeJSONL(filepath.Join(*out, e.Name+".jsonl"), pages, results[i]); err != nil {
				return err
			}
		}
	}
	Report(stdout, len(pages), scores)
	return nil
}

// Compare runs every extractor over all pages repeat times and scores the
// first run's results. The runs are interleaved page by page (page 1 with
// A, B, C, then page 2 with B, C, A, ...), so that load from other
// processes on a shared host hits every extractor alike; the time of an
// extractor is the median over the runs of its summed wall and CPU time.
func Compare(pages []Page, exts []Extractor, repeat int) ([]Scores, [][]Result, error) {
	urls := make([]*url.URL, len(pages))
	for i, p := range pages {
		u, err := url.Parse(p.Truth.URL)
		if err != nil {
			return nil, nil, fmt.Errorf("page %s: url: %w", p.ID, err)
		}
		urls[i] = u
	}
	results := make([][]Result, len(exts))
	for i := range exts {
		results[i] = make([]Result, len(pages))
	}
	times := make([][]float64, len(exts))
	cpu := make([][]float64, len(exts))
	errs := make([]int, len(exts))
	for r := 0; r < repeat; r++ {
		wall := make([]time.Duration, len(exts))
		cpuRun := make([]float64, len(exts))
		runtime.GC()
		for j, p := range pages {
			for k := range exts {
				i := (j + k) % len(exts)
				c0 := cpuSeconds()
				start := time.Now()
				res, err := exts[i].Extract(p.HTML, urls[j])
				wall[i] += time.Since(start)
				cpuRun[i] += cpuSeconds() - c0
				if r == 0 {
					results[i][j] = res
					if err != nil {
						errs[i]++
					}
				}
			}
		}
		for i := range exts {
			times[i] = append(times[i], wall[i].Seconds())
			cpu[i] = append(cpu[i], cpuRun[i])
		}
	}
	scores := make([]Scores, len(exts))
	for i, e := range exts {
		sort.Float64s(times[i])
		sort.Float64s(cpu[i])
		scores[i] = Score(e.Name, pages, results[i], times[i][len(times[i])/2])
		scores[i].CPUSeconds = cpu[i][len(cpu[i])/2]
		scores[i].Error = errs[i]
	}
	return scores, results, nil
}

// Report prints a table, speeds as ratios to go-trafilatura's, and one
// machine-readable line per extractor.
func Report(w io.Writer, n int, scores []Scores) {
	var base, baseCPU float64
	for _, s := range scores {
		if s.Name == "go-trafilatura" {
			base, baseCPU = s.PagesPerSecond(), s.PagesPerCPUSecond()
		}
	}
	ratio := func(v, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1fx", v/b)
	}
	fmt.Fprintf(w, "%d pages, same process, files in memory, one goroutine, extractors interleaved page by page; ratios against go-trafilatura\n", n)
	fmt.Fprintf(w, "%-16s %6s %6s %6s %6s %6s %8s %6s %8s %6s %8s %6s\n", "extractor", "F1", "P", "R", "title", "date", "authors", "empty", "pages/s", "ratio", "pages/cpu-s", "ratio")
	for _, s := range scores {
		fmt.Fprintf(w, "%-16s %6.3f %6.3f %6.3f %6.3f %6.3f %8.3f %6d %8.1f %6s %8.1f %6s\n", s.Name, s.F1, s.P, s.R, s.Title, s.Date, s.AuthorsF1, s.Empty,
			s.PagesPerSecond(), ratio(s.PagesPerSecond(), base), s.PagesPerCPUSecond(), ratio(s.PagesPerCPUSecond(), baseCPU))
	}
	for _, s := range scores {
		fmt.Fprintf(w, "%s: F1=%.3f P=%.3f R=%.3f title=%.3f date=%.3f authors_f1=%.3f pages/s=%.1f pages/cpu-s=%.1f\n", s.Name, s.F1, s.P, s.R, s.Title, s.Date, s.AuthorsF1, s.PagesPerSecond(), s.PagesPerCPUSecond())
	}
}

func writeJSONL(path string, pages []Page, res []Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for i, p := range pages {
		rec := map[string]any{"id": p.ID, "text": res[i].Text, "title": res[i].Title, "authors": res[i].Authors}
		if t := res[i].Published; t != nil {
			rec["published_at"] = t.Format(time.RFC3339)
		}
		if err := enc.Encode(rec); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// cpuSeconds is the user+system CPU time of the whole process (the
// garbage collector's threads included, charged to whoever runs when they
// do): on a shared host it is steadier than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
