// Command bench measures the fetcher's polling throughput and memory per
// feed: N feeds served by one local HTTP server, registered in an embedded
// NATS server's registry, polled by one Fetcher replica. The first round
// answers 200 with a full feed (the baseline); every later poll sends the
// validators back and gets a 304, as most polls of a real news feed do.
//
//	cd services/fetcher && go run ./bench -feeds 10000 -workers 64
//
// It prints polls per second for both rounds, their ratio, and the resident
// memory (VmRSS, which includes the embedded NATS server) and Go heap per
// feed held by the replica.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/fetcher/registry"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

func main() {
	feeds := flag.Int("feeds", 10000, "number of feeds")
	workers := flag.Int("workers", 64, "poll workers")
	round2 := flag.Int("polls304", 0, "304 polls to time after the first round (0: 2×feeds)")
	flag.Parse()
	if *round2 == 0 {
		*round2 = 2 * *feeds
	}
	if err := run(*feeds, *workers, *round2); err != nil {
		log.Fatal(err)
	}
}

func run(n, workers, want304 int) error {
	dir, err := os.MkdirTemp("", "newsflow-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(embedded.Options{StoreDir: dir})
	if err != nil {
		return err
	}
	defer srv.Stop()
	nc, err := srv.Connect("bench")
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := service.EnsureStreams(ctx, js, service.DefaultStreamOptions()); err != nil {
		return err
	}

	// A realistic small feed body: ~6 KB, no items (so the run measures
	// polling, not publishing and page fetching).
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title><link>http://bench.example/</link><description>` +
		strings.Repeat("x", 6000) + `</description></channel></rss>`
	var full, notMod atomic.Int64
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		etag := `"` + r.URL.Path + `"`
		if r.Header.Get("If-None-Match") == etag {
			notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(body))
	}))
	defer site.Close()

	runtime.GC()
	rssBefore, heapBefore := vmRSS(), heapInuse()
	reg, err := registry.Open(ctx, js)
	if err != nil {
		return err
	}
	now := time.Now()
	for i := range n {
		if _, _, err := reg.Add(ctx, registry.Feed{URL: site.URL + "/feed/" + strconv.Itoa(i)}, now); err != nil {
			return err
		}
	}
	f, err := fetcher.New(fetcher.Config{
		PollInterval: time.Second, MinInterval: time.Second, MaxInterval: time.Second,
		PollWorkers: workers, PageWorkers: 1, MaxDeliver: 1, AllowPrivate: true,
		RequestTimeout: 10 * time.Second, FeedMaxBytes: 1 << 20, PageMaxBytes: 1 << 20, SeenTTL: time.Hour,
		UserAgent: "newsflow-bench",
	}, js, zap.NewNop(), nil, prometheus.NewRegistry())
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- f.Run(ctx) }()
	wait := func(cond func() bool) error {
		for !cond() {
			select {
			case err := <-done:
				return fmt.Errorf("fetcher stopped: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
		}
		return nil
	}
	if err := wait(func() bool { return full.Load() >= int64(n) }); err != nil {
		return err
	}
	t1 := time.Since(start)
	base304 := notMod.Load()
	start2 := time.Now()
	if err := wait(func() bool { return notMod.Load()-base304 >= int64(want304) }); err != nil {
		return err
	}
	t2 := time.Since(start2)
	got304 := notMod.Load() - base304
	runtime.GC()
	rssAfter, heapAfter := vmRSS(), heapInuse()
	cancel()
	<-done

	r1 := float64(n) / t1.Seconds()
	r2 := float64(got304) / t2.Seconds()
	fmt.Printf("feeds=%d workers=%d GOMAXPROCS=%d\n", n, workers, runtime.GOMAXPROCS(0))
	fmt.Printf("round 1 (200, full body + parse): %d polls in %s = %.0f polls/s (baseline)\n", n, t1.Round(time.Millisecond), r1)
	fmt.Printf("later rounds (304):              %d polls in %s = %.0f polls/s (%.2f× baseline)\n", got304, t2.Round(time.Millisecond), r2, r2/r1)
	fmt.Printf("resident memory: %.1f MiB -> %.1f MiB = %.1f KiB per feed (process incl. embedded NATS)\n",
		float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20), float64(rssAfter-rssBefore)/1024/float64(n))
	fmt.Printf("Go heap in use:  %.1f MiB -> %.1f MiB = %.1f KiB per feed\n",
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), float64(int64(heapAfter)-int64(heapBefore))/1024/float64(n))
	return nil
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// vmRSS is the process's resident set size in bytes (Linux), 0 elsewhere.
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
