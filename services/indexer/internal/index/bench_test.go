package index

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/newsflow/newsflow/pkg/events"
)

const benchBatch = 100

// vocabulary is a fixed set of pseudo-words with a Zipf-like use, so that
// generated text has a realistic spread of terms.
var vocabulary = func() []string {
	r := rand.New(rand.NewPCG(1, 2))
	const letters = "etaoinshrdlcumwfgypbvkjxqz"
	words := make([]string, 5000)
	for i := range words {
		n := 3 + r.IntN(8)
		var b strings.Builder
		for range n {
			b.WriteByte(letters[min(r.IntN(len(letters)), r.IntN(len(letters)))])
		}
		words[i] = b.String()
	}
	return words
}()

// benchArticles returns n valid articles of about 3 KB of text each, with
// ids derived from seq.
func benchArticles(b testing.TB, seq, n int) []*events.Article {
	r := rand.New(rand.NewPCG(uint64(seq), 7))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocabulary)-1))
	words := func(n int) string {
		var sb strings.Builder
		for i := range n {
			if i > 0 {
				if i%60 == 0 {
					sb.WriteString(".\n\n")
				} else {
					sb.WriteByte(' ')
				}
			}
			sb.WriteString(vocabulary[zipf.Uint64()])
		}
		return sb.String()
	}
	out := make([]*events.Article, n)
	for i := range out {
		text := words(470) // ≈ 3 KB
		a := article(b, fmt.Sprintf("https://www.example.com/news/%d-%d/", seq, i), words(8), text)
		a.Description = words(25)
		a.Authors = []string{"Jane Doe"}
		a.Tags = []string{"world", "news"}
		pub := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(30*24*3600)) * time.Second)
		a.PublishedAt = &pub
		out[i] = a
	}
	return out
}

// benchDir is the Open argument: "" (ephemeral) or a new directory.
func benchDir(b *testing.B, disk bool) string {
	if !disk {
		return ""
	}
	return filepath.Join(b.TempDir(), "idx")
}

// BenchmarkUpsert measures Index.Upsert of batches of 100 new ≈3 KB articles
// (validation, encoding, the stored-version lookup and the bleve batch).
// Compare with BenchmarkRawBleveBatch. cpu-ms/op is the process's CPU
// during the Upsert calls; all-cpu-ms/op adds the merging scorch does in
// the background until it is idle after the last batch, so that a merge
// policy cannot look cheaper by merging later.
func BenchmarkUpsert(b *testing.B) {
	for _, disk := range []bool{false, true} {
		b.Run(storage(disk), func(b *testing.B) {
			ix, err := Open(benchDir(b, disk))
			if err != nil {
				b.Fatal(err)
			}
			defer ix.Close()
			ctx := context.Background()
			batches := make([][]*events.Article, b.N)
			for i := range batches {
				batches[i] = benchArticles(b, i, benchBatch)
			}
			bytes := int64(len(batches[0][0].Text))
			cpu := cpuMeter{}
			all := processCPU()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cpu.start()
				if err := ix.Upsert(ctx, batches[i]...); err != nil {
					b.Fatal(err)
				}
				cpu.stop()
				batches[i] = nil
			}
			b.StopTimer()
			waitIdle(b, ix)
			all = processCPU() - all
			cpu.report(b)
			b.ReportMetric(float64(all.Microseconds())/1000/float64(b.N), "all-cpu-ms/op")
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "docs/s")
			b.SetBytes(bytes * benchBatch)
			if disk {
				u, err := ix.Usage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(u.Bytes)/float64(u.Documents), "disk-B/doc")
			}
		})
	}
}

// waitIdle waits (up to a minute) until scorch has nothing left to merge
// or persist.
func waitIdle(b *testing.B, ix *Index) {
	b.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if active, ok := indexStats(ix)["index_bgthreads_active"].(bool); ok && !active {
			return
		}
	}
	b.Log("scorch still busy after a minute")
}

// indexStats returns scorch's statistics.
func indexStats(ix *Index) map[string]interface{} {
	m, _ := ix.idx.StatsMap()["index"].(map[string]interface{})
	return m
}

// BenchmarkUpsertRedelivery measures Upsert of batches that are all already
// stored (the same version again): each replaces its document.
func BenchmarkUpsertRedelivery(b *testing.B) {
	ix, err := Open("")
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	arts := benchArticles(b, 0, benchBatch)
	if err := ix.Upsert(ctx, arts...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ix.Upsert(ctx, arts...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkUpsertOne measures Upsert of one article at a time on disk: each
// call is a bleve batch that is persisted before it returns.
func BenchmarkUpsertOne(b *testing.B) {
	ix, err := Open(benchDir(b, true))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		a := benchArticles(b, i, 1)[0]
		b.StartTimer()
		if err := ix.Upsert(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkRawBleveBatch indexes the same documents (same mapping, same
// fields, prepared outside the timer) with a plain bleve batch: the floor
// that Upsert adds its work to.
func BenchmarkRawBleveBatch(b *testing.B) {
	for _, disk := range []bool{false, true} {
		b.Run(storage(disk), func(b *testing.B) {
			m, err := newsMapping()
			if err != nil {
				b.Fatal(err)
			}
			// The same storage as Open: scorch on disk, or for the ephemeral
			// index in a temporary directory without waiting for fsync.
			idx, err := bleve.NewUsing(filepath.Join(b.TempDir(), "idx"), m, scorch.Name, scorch.Name, scorchConfig(!disk))
			if err != nil {
				b.Fatal(err)
			}
			defer idx.Close()
			var bytes int64
			cpu := cpuMeter{}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				arts := benchArticles(b, i, benchBatch)
				docs := make([]map[string]any, len(arts))
				for j, a := range arts {
					data, err := events.Encode(a)
					if err != nil {
						b.Fatal(err)
					}
					docs[j] = toDoc(a, data)
				}
				bytes = int64(len(arts[0].Text))
				b.StartTimer()
				cpu.start()
				batch := idx.NewBatch()
				for j, a := range arts {
					if err := batch.Index(a.ID, docs[j]); err != nil {
						b.Fatal(err)
					}
				}
				if err := idx.Batch(batch); err != nil {
					b.Fatal(err)
				}
				cpu.stop()
			}
			b.StopTimer()
			cpu.report(b)
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "docs/s")
			b.SetBytes(bytes * benchBatch)
		})
	}
}

// cpuMeter sums process CPU time over the timed parts of a benchmark
// (background merging that happens meanwhile included).
type cpuMeter struct {
	total, t0 time.Duration
}

func (m *cpuMeter) start() { m.t0 = processCPU() }
func (m *cpuMeter) stop()  { m.total += processCPU() - m.t0 }

// report adds the CPU milliseconds per operation (one batch) to b's output.
func (m *cpuMeter) report(b *testing.B) {
	if m.total > 0 {
		b.ReportMetric(float64(m.total.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

func storage(disk bool) string {
	if disk {
		return "disk"
	}
	return "ephemeral"
}

// TestBenchArticles keeps the benchmark's input honest: valid, ≈3 KB.
func TestBenchArticles(t *testing.T) {
	arts := benchArticles(t, 1, 3)
	for _, a := range arts {
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		if n := len(a.Text); n < 2500 || n > 3800 {
			t.Errorf("text is %d bytes, want ≈3 KB", n)
		}
	}
}

// BenchmarkUpsertOneConcurrent is BenchmarkUpsertOne with 32 callers per
// CPU at once, as a consumer with many workers would call it: their
// articles are group-committed.
func BenchmarkUpsertOneConcurrent(b *testing.B) {
	ix, err := Open(benchDir(b, true))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	arts := benchArticles(b, 1, b.N)
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := ix.Upsert(ctx, arts[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// searchBenchDocs is the size of the index BenchmarkSearch queries.
const searchBenchDocs = 3000

// BenchmarkSearch measures Search (facets, collapsing and snippets of a
// page of 10 included) on an on-disk index of searchBenchDocs generated
// articles, upserted in batches of benchBatch just before, as the indexer
// writes them, once scorch is idle: the segments are those the merge
// policy settles on. It also reports the index's size on disk per article
// and its segment count.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	ix, err := Open(benchDir(b, true))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	var phrases []string
	for seq := 0; seq < searchBenchDocs/benchBatch; seq++ {
		arts := benchArticles(b, seq, benchBatch)
		ws := strings.Fields(arts[0].Text)
		phrases = append(phrases, `"`+strings.Trim(ws[10], ".")+" "+strings.Trim(ws[11], ".")+`"`)
		if err := ix.Upsert(ctx, arts...); err != nil {
			b.Fatal(err)
		}
	}
	waitIdle(b, ix)
	u, err := ix.Usage(ctx)
	if err != nil {
		b.Fatal(err)
	}
	segments, _ := indexStats(ix)["num_root_filesegments"].(uint64)
	// Words of a few frequencies: the vocabulary is Zipf-distributed, so
	// the first words are in most articles and the 900th in a few.
	w := func(i int) string { return vocabulary[i] }
	kinds := []struct {
		name string
		qs   []Query
	}{
		{"word", []Query{{Text: w(5)}, {Text: w(40)}, {Text: w(300)}, {Text: w(900)}}},
		{"two-words", []Query{{Text: w(5) + " " + w(40)}, {Text: w(30) + " " + w(300)}, {Text: w(80) + " " + w(900)}}},
		{"phrase", func() []Query {
			var qs []Query
			for _, p := range phrases[:8] {
				qs = append(qs, Query{Text: p})
			}
			return qs
		}()},
		{"word+source", []Query{{Text: w(40), Source: "rt.com"}, {Text: w(300), Source: "rt.com"}}},
		{"word-newest", []Query{{Text: w(40), Sort: SortNewest}, {Text: w(300), Sort: SortNewest}}},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			hits := 0
			cpu := cpuMeter{}
			cpu.start()
			for i := 0; i < b.N; i++ {
				res, err := ix.Search(ctx, k.qs[i%len(k.qs)])
				if err != nil {
					b.Fatal(err)
				}
				hits += len(res.Hits)
			}
			cpu.stop()
			cpu.report(b)
			if hits == 0 {
				b.Fatal("no hits")
			}
			b.ReportMetric(float64(u.Bytes)/float64(u.Documents), "disk-B/doc")
			b.ReportMetric(float64(segments), "segments")
		})
	}
}
