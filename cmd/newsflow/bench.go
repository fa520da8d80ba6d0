package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/benchsite"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/demo"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/services/parser"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// benchPages are the bundled pages the benchmark copies: real-looking
// article pages of different structures.
var benchPages = [][2]string{
	{"www.rt.com", "/news/391130-coalition-strike-syria-tanf/"},
	{"www.dailyledger.example", "/news/2024/03/14/council-approves-transit-plan"},
	{"notes.jamielin.example", "/2019/08/parsing-html/"},
	{"www.rheinkurier.example", "/lokales/stadtrat-radwege-1234567.html"},
	{"www.harborgazette.example", "/news/ferry-service-resume.html"},
}

// cmdBench measures the whole pipeline against the parser alone on the same
// pages in the same run (the ratio is the headline figure), plus freshness,
// CPU, memory and bytes on NATS per article. Profiles go to --out.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	r := newRunFlags("bench", "127.0.0.1:0", "", stderr)
	feeds := r.fs.Int("bench-feeds", 20, "feeds served")
	perFeed := r.fs.Int("bench-per-feed", 50, "pages per feed")
	out := r.fs.String("out", "bench-out", "directory for the CPU and heap profiles")
	timeout := r.fs.Duration("timeout", 10*time.Minute, "give up after this long")
	pagesDir := r.fs.String("pages", "", "copy the *.html pages of this directory (for example services/parser/testdata/corpus: real news pages) instead of the small bundled demo pages")
	rate := r.fs.Float64("rate", 0, "publish pages in the feeds at this many per second (feeds polled every second) instead of all at once: measures freshness under a steady load; the end-to-end rate is then the offered rate")
	backlog := r.fs.Bool("backlog", false, "with --processes: start the parser only once every page is on NATS, and the indexer only once every article is, and report each process's peak memory under that backlog")
	procDir := r.fs.String("processes", "", "run the fetcher, parser and indexer binaries found in this directory (make build: bin/) as separate processes against one NATS server, instead of in this process")
	_ = r.fs.Set("data", "")
	_ = r.fs.Set("log-level", "warn")
	_ = r.fs.Set("poll-interval", "1m")
	// Every page is on one loopback host: per-host politeness would measure
	// the delay, not the pipeline.
	_ = r.fs.Set("host-delay", "0s")
	_ = r.fs.Set("host-concurrency", "0")
	if err := r.parse(args); err != nil {
		return err
	}
	if *backlog && *procDir == "" {
		return errors.New("bench: --backlog needs --processes")
	}
	if *rate > 0 {
		// Poll every feed every second, so a page waits at most that long
		// to be seen.
		for _, f := range []string{"poll-interval", "min-interval", "max-interval"} {
			_ = r.fs.Set(f, "1s")
		}
	}
	cleanup, err := r.tempData("newsflow-bench-")
	if err != nil {
		return err
	}
	defer cleanup()
	templates, err := benchTemplates(*pagesDir)
	if err != nil {
		return err
	}
	site, err := benchsite.Start(templates, *feeds, *perFeed)
	if err != nil {
		return err
	}
	defer site.Close()
	n := site.Pages()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	// 1. The parser alone, on the same pages, with as many workers as the
	// pipeline's parser gets; again after the pipeline (step 3), since the
	// machine's speed drifts during a run.
	parseBefore, err := parserAlone(site, r.app.Parser.Workers)
	if err != nil {
		return err
	}

	// 2. The whole pipeline: first poll to last article indexed, in this
	// process or as three service processes against one NATS server.
	r.app.Fetcher.AllowPrivate = true
	r.app.Fetcher.Feeds = site.FeedURLs()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var p pipelineUnderTest
	if *procDir != "" {
		b := 0
		if *backlog {
			b = n
		}
		p, err = startProcesses(ctx, r, *procDir, b, stderr)
	} else {
		p, err = startInProcess(ctx, r)
	}
	if err != nil {
		return err
	}
	prof, err := os.Create(filepath.Join(*out, "cpu.pprof"))
	if err != nil {
		return err
	}
	defer prof.Close()
	// The parser-alone run's encoded pages are garbage now: give their
	// memory back so the peak below is the pipeline's.
	debug.FreeOSMemory()
	rss := watchRSS()
	defer rss()
	cpu0 := cpuTime()
	if err := pprof.StartCPUProfile(prof); err != nil {
		return err
	}
	if *rate > 0 {
		site.Publish(*rate)
	}
	start := time.Now()
	js, err := p.run(ctx)
	if err != nil {
		pprof.StopCPUProfile()
		_, _ = p.stop()
		return err
	}
	var indexed time.Time
	for {
		if articleCount(ctx, js) >= uint64(n) && consumerIdle(ctx, js, events.StreamArticles, r.app.Indexer.Durable) {
			indexed = time.Now()
			break
		}
		select {
		case <-ctx.Done():
			pprof.StopCPUProfile()
			_, _ = p.stop()
			return fmt.Errorf("bench: %d of %d articles after %s: %w", articleCount(context.Background(), js), n, time.Since(start).Round(time.Second), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	elapsed := indexed.Sub(start)
	pprof.StopCPUProfile()
	cpu := cpuTime() - cpu0
	peak := rss()
	byStage, serr := readStageCPU(prof.Name())
	if hp, err := os.Create(filepath.Join(*out, "heap.pprof")); err == nil {
		_ = pprof.WriteHeapProfile(hp)
		hp.Close()
	}
	fresh, ferr := freshness(ctx, js)
	bytes := streamBytes(ctx, js, events.StreamItems, events.StreamPages, events.StreamArticles)
	searchable := "n/a (separate processes: read newsflow_indexer_freshness_seconds on the indexer's /metrics)"
	if ip, ok := p.(*inProcess); ok {
		searchable = histogramQuantiles(ip.a.Registry, "newsflow_indexer_freshness_seconds")
	}
	stages, err := p.stop()
	if err != nil {
		fmt.Fprintf(stderr, "bench: stopping the pipeline: %v\n", err)
	}
	// On disk once the server has stopped: sealed blocks are compressed.
	disk := storeBytes(filepath.Join(r.app.DataDir, "nats"), events.StreamItems, events.StreamPages, events.StreamArticles)
	if ferr != nil {
		return ferr
	}
	// 3. The parser alone once more: the baseline is the mean of the two.
	parseAfter, err := parserAlone(site, r.app.Parser.Workers)
	if err != nil {
		return err
	}
	parseRate := (parseBefore + parseAfter) / 2
	var serviceRate float64
	if *rate == 0 {
		if serviceRate, err = parserService(ctx, r, site); err != nil {
			return err
		}
	}

	e2eRate := float64(n) / elapsed.Seconds()
	fmt.Fprintf(stdout, "newsflow bench: %d feeds × %d pages = %d articles (%d page templates, %.0f KiB on average), GOMAXPROCS=%d\n", *feeds, *perFeed, n, len(templates), avgKiB(templates), runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "parser alone:        %8.1f pages/s  (before the pipeline %.1f, after %.1f)\n", parseRate, parseBefore, parseAfter)
	if *rate > 0 {
		fmt.Fprintf(stdout, "end to end:          %8.1f articles/s  (pages offered at %g/s: a freshness run, not a throughput one)\n", e2eRate, *rate)
	} else {
		fmt.Fprintf(stdout, "end to end:          %8.1f articles/s  (%.0f%% of the parser alone)\n", e2eRate, 100*e2eRate/parseRate)
		fmt.Fprintf(stdout, "parser service:      %8.1f pages/s  (alone from NEWS_PAGES to NEWS_ARTICLES; end to end is %.0f%% of it)\n", serviceRate, 100*e2eRate/serviceRate)
	}
	fmt.Fprintf(stdout, "elapsed:             %8.2f s (first poll to last article indexed)\n", elapsed.Seconds())
	fmt.Fprintf(stdout, "CPU per article:     %8.2f ms (this process)\n", 1000*cpu.Seconds()/float64(n))
	if serr != nil {
		fmt.Fprintf(stderr, "bench: %v\n", serr)
	} else {
		writeStageCPU(stdout, cpuStages, byStage, n)
	}
	for _, st := range stages {
		fmt.Fprintf(stdout, "  %-8s process:  %8.2f ms CPU per article, peak RSS %.1f MiB\n", st.name, 1000*st.cpu.Seconds()/float64(n), float64(st.maxRSS)/(1<<20))
	}
	fmt.Fprintf(stdout, "fetched→published:   p50 %v  p99 %v\n", fresh.p50.Round(time.Millisecond), fresh.p99.Round(time.Millisecond))
	fmt.Fprintf(stdout, "fetched→searchable:  %s\n", searchable)
	fmt.Fprintf(stdout, "peak RSS:            %8.1f MiB (this process while the pipeline ran)\n", float64(peak)/(1<<20))
	fmt.Fprintf(stdout, "bytes on NATS:       %8.0f per article (items + pages + articles, stored; %.0f on disk)\n", float64(bytes)/float64(n), float64(disk)/float64(n))
	fmt.Fprintf(stdout, "profiles:            %s\n", *out)
	return nil
}

// benchTemplates returns the pages the benchmark copies: every *.html file
// in dir, or the bundled demo pages when dir is "".
func benchTemplates(dir string) ([][]byte, error) {
	var templates [][]byte
	if dir == "" {
		for _, p := range benchPages {
			b, err := demo.Page(p[0], p[1])
			if err != nil {
				return nil, err
			}
			templates = append(templates, b)
		}
		return templates, nil
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("bench pages: %w", err)
		}
		templates = append(templates, b)
	}
	if len(templates) == 0 {
		return nil, fmt.Errorf("bench pages: no *.html files in %s", dir)
	}
	return templates, nil
}

// parserAlone parses every page of the site in-process with workers
// goroutines and returns pages per second.
func parserAlone(site *benchsite.Site, workers int) (float64, error) {
	n := site.Pages()
	// The pages as the fetcher publishes them: encoding them is the
	// fetcher's work, not the parser's, so it happens before the clock starts.
	pages := make([][]byte, n)
	for i := range pages {
		data, err := events.Encode(benchPage(site, i))
		if err != nil {
			return 0, fmt.Errorf("parser alone: %w", err)
		}
		pages[i] = data
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan []byte)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for data := range jobs {
				// What the service does per message: decode the page,
				// extract, encode the article.
				p, err := events.DecodePage(data)
				if err == nil {
					var art *events.Article
					if art, err = parser.Parse(p); err == nil {
						_, err = events.Encode(art)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, p := range pages {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("parser alone: %w", firstErr)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchPage is page i of site as the fetcher would publish it.
func benchPage(site *benchsite.Site, i int) *events.Page {
	u := site.PageURL(i)
	id, _ := events.ArticleID(u)
	return &events.Page{SchemaVersion: events.SchemaVersion, ID: id, URL: u, StatusCode: 200, FetchedAt: time.Now(), HTML: string(site.PageHTML(i))}
}

// parserService runs the parser service alone, as the pipeline runs it
// but with nothing else: every page is on NEWS_PAGES of a fresh embedded
// server before the clock starts, and the clock stops when NEWS_ARTICLES
// holds an article for each. It returns pages per second: the parser's
// work plus its own NATS hops (a page delivered and acked, an article
// stored), the reference that leaves out only the fetcher and the indexer.
func parserService(ctx context.Context, r *runFlags, site *benchsite.Site) (float64, error) {
	dir, err := os.MkdirTemp("", "newsflow-bench-parser-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(embedded.Options{StoreDir: dir, SyncInterval: r.app.SyncInterval, SyncAlways: r.app.SyncAlways})
	if err != nil {
		return 0, err
	}
	defer srv.Stop()
	nc, err := srv.Connect("bench-parser")
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err == nil {
		err = service.EnsureStreams(ctx, js, r.app.StreamOptions())
	}
	if err != nil {
		return 0, err
	}
	n := site.Pages()
	for i := range n {
		if err := service.Publish(ctx, js, benchPage(site, i), events.StageFetcher, nil, nil); err != nil {
			return 0, fmt.Errorf("parser service: %w", err)
		}
	}
	reg := prometheus.NewRegistry()
	p, err := parser.New(r.app.Parser, js, zap.NewNop(), service.NewMetrics(reg), parser.WithRegisterer(reg))
	if err != nil {
		return 0, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- p.Run(runCtx) }()
	stopped := false // Run returned before the articles were all there
	var runErr error
	for !stopped && ctx.Err() == nil && streamMsgs(ctx, js, events.StreamArticles) < uint64(n) {
		select {
		case runErr = <-done:
			stopped = true
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	elapsed := time.Since(start)
	stop()
	if !stopped {
		<-done
	}
	switch {
	case stopped:
		return 0, fmt.Errorf("parser service stopped early: %v", runErr)
	case ctx.Err() != nil:
		return 0, fmt.Errorf("parser service: %w", ctx.Err())
	}
	return float64(n) / elapsed.Seconds(), nil
}

func avgKiB(pages [][]byte) float64 {
	var total int
	for _, p := range pages {
		total += len(p)
	}
	return float64(total) / float64(len(pages)) / 1024
}

func articleCount(ctx context.Context, js jetstream.JetStream) uint64 {
	return streamMsgs(ctx, js, events.StreamArticles)
}

// streamMsgs is how many messages stream holds (0 when it cannot be read).
func streamMsgs(ctx context.Context, js jetstream.JetStream, stream string) uint64 {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return 0
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0
	}
	return info.State.Msgs
}

func consumerIdle(ctx context.Context, js jetstream.JetStream, stream, durable string) bool {
	c, err := js.Consumer(ctx, stream, durable)
	if err != nil {
		return false
	}
	info, err := c.Info(ctx)
	return err == nil && info.NumPending == 0 && info.NumAckPending == 0
}

func streamBytes(ctx context.Context, js jetstream.JetStream, names ...string) uint64 {
	var total uint64
	for _, name := range names {
		if s, err := js.Stream(ctx, name); err == nil {
			if info, err := s.Info(ctx); err == nil {
				total += info.State.Bytes
			}
		}
	}
	return total
}

// storeBytes is the size on disk of the named streams' message files in
// the JetStream store under dir (0 where they cannot be read).
func storeBytes(dir string, streams ...string) int64 {
	var total int64
	for _, name := range streams {
		matches, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", name, "msgs", "*"))
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() {
				total += st.Size()
			}
		}
	}
	return total
}

type latencies struct{ p50, p99 time.Duration }

// freshness reads every stored article and measures page fetched → article
// stored in JetStream.
func freshness(ctx context.Context, js jetstream.JetStream) (latencies, error) {
	s, err := js.Stream(ctx, events.StreamArticles)
	if err != nil {
		return latencies{}, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return latencies{}, err
	}
	var ds []time.Duration
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			continue
		}
		a, err := events.DecodeArticle(m.Data)
		if err != nil {
			continue
		}
		ds = append(ds, m.Time.Sub(a.FetchedAt))
	}
	if len(ds) == 0 {
		return latencies{}, errors.New("no articles")
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return latencies{p50: ds[len(ds)/2], p99: ds[(len(ds)*99)/100]}, nil
}

// histogramQuantiles reads a histogram from g and gives its p50 and p99 as
// the upper bounds of the buckets they fall in.
func histogramQuantiles(g prometheus.Gatherer, name string) string {
	mfs, err := g.Gather()
	if err != nil {
		return err.Error()
	}
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) == 0 {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		q := func(f float64) string {
			want := uint64(f * float64(h.GetSampleCount()))
			for _, b := range h.GetBucket() {
				if b.GetCumulativeCount() >= want {
					return fmt.Sprintf("≤ %gs", b.GetUpperBound())
				}
			}
			return "> last bucket"
		}
		return fmt.Sprintf("p50 %s  p99 %s (bucket bounds, %d articles)", q(0.5), q(0.99), h.GetSampleCount())
	}
	return "no " + name
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's maximum resident set size in bytes (Linux
// reports kilobytes).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

// watchRSS samples the process's resident set every 20 ms until the
// returned function is called, which returns the largest sample: the peak
// of one phase, where the rusage maximum covers the whole process life
// (here including the parser-alone run's pages). Without /proc it falls
// back to that lifetime maximum.
func watchRSS() (stop func() int64) {
	read := func() (int64, bool) {
		b, err := os.ReadFile("/proc/self/statm")
		if err != nil {
			return 0, false
		}
		var size, resident int64
		if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
			return 0, false
		}
		return resident * int64(os.Getpagesize()), true
	}
	if _, ok := read(); !ok {
		return peakRSS
	}
	done, result := make(chan struct{}), make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v, _ := read(); v > peak {
				peak = v
			}
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return sync.OnceValue(func() int64 {
		close(done)
		return <-result
	})
}
