// Command querylat measures the indexer's backends at scale: it generates
// synthetic articles whose text follows the word and word-pair frequencies
// of real news articles (the parser's test corpus), indexes them in batches
// with each backend's Upsert (docs/s), then runs a fixed, seeded mix of
// searches (one word, two words, a phrase, a source filter, newest first)
// and reports the latency percentiles of each kind.
//
//	cd services/indexer
//	export NEWSFLOW_PG_DSN=$(../../scripts/pg.sh)
//	go run ./bench/querylat -n 100000 -backend bleve,postgres
//
// -keep leaves the PostgreSQL schema (querylat) in place and -reuse
// searches it again without indexing, for EXPLAIN and for comparing two
// builds' results (-dump writes them; the generated corpus and queries are
// the same from run to run).
//
// The numbers go to BENCHMARKS.md ("Indexer"); nothing here is a test.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/pgindex"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "querylat:", err)
		os.Exit(1)
	}
}

// backend is what the benchmark needs of an index.
type backend interface {
	Upsert(ctx context.Context, arts ...*events.Article) error
	Search(ctx context.Context, q search.Query) (*search.Result, error)
	Close() error
}

func run() error {
	n := flag.Int("n", 100_000, "articles to index")
	batch := flag.Int("batch", 500, "articles per Upsert")
	backends := flag.String("backend", "bleve,postgres", "backends to measure, comma-separated")
	corpus := flag.String("corpus", "../parser/testdata", "directory of real articles (HTML, JSON) whose vocabulary the generated text follows")
	perKind := flag.Int("queries", 200, "searches of each kind")
	dir := flag.String("dir", "", "where the bleve index goes (default: a temporary directory, removed)")
	keep := flag.Bool("keep", false, "keep the PostgreSQL schema (querylat) after the run, for EXPLAIN")
	reuse := flag.Bool("reuse", false, "reuse a kept PostgreSQL schema that already holds -n articles: skip indexing")
	dump := flag.String("dump", "", "write every search's result (JSON lines, timing left out) to this file, to compare two builds")
	flag.Parse()

	lm, err := loadLanguage(*corpus)
	if err != nil {
		return err
	}
	fmt.Printf("vocabulary: %d distinct words, %d tokens from %s\n", len(lm.next), len(lm.tokens), *corpus)
	for _, name := range strings.Split(*backends, ",") {
		if err := measure(name, *n, *batch, *perKind, *dir, runOpts{keep: *keep, reuse: *reuse, dump: *dump}, lm); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// runOpts are the run's options beyond sizes: what to do with the
// PostgreSQL schema around it, and where to dump results.
type runOpts struct {
	keep, reuse bool
	dump        string
}

func measure(name string, n, batch, perKind int, dir string, pg runOpts, lm *language) error {
	ctx := context.Background()
	var ix backend
	load := true
	switch name {
	case "bleve":
		if dir == "" {
			tmp, err := os.MkdirTemp("", "querylat-*")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = filepath.Join(tmp, "index")
		}
		b, err := index.Open(dir)
		if err != nil {
			return err
		}
		ix = b
	case "postgres":
		dsn := os.Getenv("NEWSFLOW_PG_DSN")
		if dsn == "" {
			return errors.New("NEWSFLOW_PG_DSN is unset: export NEWSFLOW_PG_DSN=$(scripts/pg.sh)")
		}
		const schema = "querylat"
		p, err := pgindex.Open(ctx, dsn, pgindex.WithSchema(schema))
		if err != nil {
			return err
		}
		if have, err := p.Count(ctx); err == nil && pg.reuse && have == uint64(n) {
			load = false
		} else {
			// Start from an empty table.
			if err := p.DropSchema(ctx, schema); err != nil {
				return err
			}
			_ = p.Close()
			if p, err = pgindex.Open(ctx, dsn, pgindex.WithSchema(schema)); err != nil {
				return err
			}
		}
		if !pg.keep {
			defer func() { _ = p.DropSchema(context.Background(), schema) }()
		}
		ix = p
	default:
		return fmt.Errorf("unknown backend (bleve or postgres)")
	}
	defer ix.Close()

	start := time.Now()
	var phrases []string
	for seq := 0; seq < n; seq += batch {
		arts := lm.articles(seq, min(batch, n-seq))
		// One phrase of each batch's first article: phrase queries that match.
		phrases = append(phrases, lm.phrase(arts[0].Text, uint64(seq)))
		if !load {
			continue
		}
		if err := ix.Upsert(ctx, arts...); err != nil {
			return err
		}
	}
	took := time.Since(start)
	if !load {
		fmt.Printf("%s: reused the %d articles already indexed\n", name, n)
	} else {
		fmt.Printf("%s: indexed %d articles in batches of %d in %s: %.0f docs/s\n", name, n, batch, took.Round(time.Millisecond), float64(n)/took.Seconds())
	}

	qs := lm.queries(perKind, phrases)
	for _, q := range qs[:min(20, len(qs))] { // warm up caches
		if _, err := ix.Search(ctx, q.q); err != nil {
			return err
		}
	}
	var dump *json.Encoder
	if pg.dump != "" {
		f, err := os.Create(pg.dump)
		if err != nil {
			return err
		}
		defer f.Close()
		dump = json.NewEncoder(f)
	}
	lat := map[string][]time.Duration{}
	var hits uint64
	for _, q := range qs {
		t0 := time.Now()
		res, err := ix.Search(ctx, q.q)
		if err != nil {
			return fmt.Errorf("query %+v: %w", q.q, err)
		}
		d := time.Since(t0)
		lat[q.kind] = append(lat[q.kind], d)
		lat["all"] = append(lat["all"], d)
		hits += res.Total
		if dump != nil {
			res.Took = ""
			if err := dump.Encode(map[string]any{"kind": q.kind, "query": q.q, "result": res}); err != nil {
				return err
			}
		}
	}
	fmt.Printf("%s: %d searches, %.0f matches on average\n", name, len(qs), float64(hits)/float64(len(qs)))
	fmt.Printf("| %s | kind | p50 ms | p99 ms | mean ms |\n", name)
	for _, k := range append(kinds, "all") {
		ds := lat[k]
		slices.Sort(ds)
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		fmt.Printf("| %s | %s | %.2f | %.2f | %.2f |\n", name, k, ms(ds[len(ds)/2]), ms(ds[(len(ds)*99)/100]), ms(sum/time.Duration(len(ds))))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// kinds are the query kinds, in the order they are run (interleaved).
var kinds = []string{"word", "two words", "phrase", "word + source", "word, newest"}

type query struct {
	kind string
	q    search.Query
}

// queries is the fixed mix: perKind of each kind, interleaved.
func (lm *language) queries(perKind int, phrases []string) []query {
	r := rand.New(rand.NewPCG(42, 43))
	var out []query
	for i := range perKind {
		w1, w2 := lm.queryWord(r), lm.queryWord(r)
		out = append(out,
			query{"word", search.Query{Text: w1}},
			query{"two words", search.Query{Text: w1 + " " + w2}},
			query{"phrase", search.Query{Text: `"` + phrases[i%len(phrases)] + `"`}},
			query{"word + source", search.Query{Text: w2, Source: source(r)}},
			query{"word, newest", search.Query{Text: w1, Sort: search.SortNewest}},
		)
	}
	return out
}

// language is a word-pair (bigram) model of real article text.
type language struct {
	tokens []string            // every word of the corpus, in order: sampling it follows word frequency
	next   map[string][]string // the words that follow each word, with repeats
}

// loadLanguage reads the text of every .html and .json file under dir.
func loadLanguage(dir string) (*language, error) {
	lm := &language{next: map[string][]string{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var texts []string
		switch filepath.Ext(path) {
		case ".html", ".htm":
			texts = htmlText(string(data))
		case ".json":
			var v any
			if json.Unmarshal(data, &v) == nil {
				texts = jsonText(v, nil)
			}
		}
		for _, t := range texts {
			lm.add(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(lm.tokens) < 1000 {
		return nil, fmt.Errorf("only %d words in %s: point -corpus at real articles", len(lm.tokens), dir)
	}
	return lm, nil
}

func (lm *language) add(text string) {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	prev := ""
	for _, w := range words {
		w = strings.Trim(w, "'")
		if len([]rune(w)) < 2 {
			continue
		}
		lm.tokens = append(lm.tokens, w)
		if prev != "" {
			lm.next[prev] = append(lm.next[prev], w)
		}
		prev = w
	}
}

// htmlText is the text of the page outside scripts and styles.
func htmlText(s string) []string {
	z := html.NewTokenizer(strings.NewReader(s))
	var out []string
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			if n, _ := z.TagName(); string(n) == "script" || string(n) == "style" {
				skip++
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); (string(n) == "script" || string(n) == "style") && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				out = append(out, string(z.Text()))
			}
		}
	}
}

// jsonText collects the long strings (article text) of a JSON value.
func jsonText(v any, out []string) []string {
	switch v := v.(type) {
	case string:
		if len(v) > 80 {
			out = append(out, v)
		}
	case []any:
		for _, e := range v {
			out = jsonText(e, out)
		}
	case map[string]any:
		// In key order: map order would change the generated corpus and the
		// queries from one run to the next.
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = jsonText(v[k], out)
		}
	}
	return out
}

// words generates n words that follow the corpus's word pairs.
func (lm *language) words(r *rand.Rand, n int) string {
	var sb strings.Builder
	w := lm.tokens[r.IntN(len(lm.tokens))]
	for i := range n {
		if i > 0 {
			if i%60 == 0 {
				sb.WriteString(".\n\n")
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(w)
		if nx := lm.next[w]; len(nx) > 0 && r.IntN(10) > 0 {
			w = nx[r.IntN(len(nx))]
		} else {
			w = lm.tokens[r.IntN(len(lm.tokens))]
		}
	}
	return sb.String()
}

// queryWord is a corpus word of 5 letters or more (not a stop word),
// chosen by frequency.
func (lm *language) queryWord(r *rand.Rand) string {
	for {
		if w := lm.tokens[r.IntN(len(lm.tokens))]; len([]rune(w)) >= 5 {
			return strings.ToLower(w)
		}
	}
}

// phrase is two neighbouring words of text.
func (lm *language) phrase(text string, seed uint64) string {
	ws := strings.Fields(strings.ReplaceAll(text, ".", " "))
	i := rand.New(rand.NewPCG(seed, 9)).IntN(len(ws) - 1)
	return ws[i] + " " + ws[i+1]
}

// source is one of 50 sites, a few of them much bigger than the rest.
func source(r *rand.Rand) string {
	return fmt.Sprintf("site%d.example", r.IntN(r.IntN(50)+1))
}

// articles generates n articles of ≈3 KB of text, the seq-th first.
func (lm *language) articles(seq, n int) []*events.Article {
	out := make([]*events.Article, n)
	base := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		r := rand.New(rand.NewPCG(uint64(seq+i), 7))
		u := fmt.Sprintf("https://%s/news/%d", source(r), seq+i)
		canon, _ := events.CanonicalURL(u)
		id, _ := events.ArticleID(canon)
		pub := base.Add(time.Duration(r.IntN(90*24*3600)) * time.Second)
		host := strings.TrimPrefix(strings.SplitN(strings.TrimPrefix(u, "https://"), "/", 2)[0], "www.")
		out[i] = &events.Article{
			SchemaVersion: events.SchemaVersion, ID: id, URL: u, CanonicalURL: canon,
			Source: events.Source{Domain: host}, Title: lm.words(r, 8), Description: lm.words(r, 25),
			Text: lm.words(r, 450), Language: "en", PublishedAt: &pub, FetchedAt: pub.Add(time.Minute),
			Authors: []string{fmt.Sprintf("Author %d", r.IntN(500))}, Tags: []string{"world", "news"},
			SimHash: fmt.Sprintf("%016x", r.Uint64()), ContentHash: fmt.Sprintf("%064x", seq+i),
			Extraction: events.Extraction{Method: "dom", Version: "querylat"},
		}
	}
	return out
}
