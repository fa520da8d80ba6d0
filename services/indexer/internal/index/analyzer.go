package index

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

// The full-text fields are indexed with a wrapper of their language's
// analyzer that yields the same terms and positions, for less work:
//
//   - Words are cut by fastUnicodeTokenizer, the unicode tokenizer's
//     double with a fast path for ASCII (tokenizer.go).
//   - Byte offsets are dropped (zero). Phrase queries need only positions,
//     and snippets are cut at query time by analysing the stored text
//     again (snippet.go), so the offsets were written, merged and stored
//     for nothing.
//   - The token filters (lower-casing, stop words, stemming...) of the
//     language analyzers each look at one token alone, so their result for
//     a word is memoised: news text repeats a few thousand words, and
//     stemming them again was a tenth of the CPU an article cost. (A filter
//     that looks at its neighbours, such as shingles, would break this:
//     TestIndexAnalyzer checks every analysed language.)
//
// Queries use the language analyzer itself (same terms); a match_phrase
// query uses the field's, this one (same terms and positions); snippets
// use this one keeping the offsets (withOffsets).

// indexAnalyzerName is the analyzer the full-text fields of language code
// are indexed with.
func indexAnalyzerName(code string) string { return "newsflow_index_" + code }

func init() {
	for _, l := range search.Languages {
		code := l.Code
		err := registry.RegisterAnalyzer(indexAnalyzerName(code), func(_ map[string]interface{}, cache *registry.Cache) (analysis.Analyzer, error) {
			a, err := cache.AnalyzerNamed(code)
			if err != nil {
				return nil, fmt.Errorf("index analyzer for %s: %w", code, err)
			}
			return newIndexAnalyzer(a), nil
		})
		if err != nil {
			panic(err)
		}
	}
}

// maxMemo bounds the memoised words per analyzer; the memo starts again
// when it is full.
const maxMemo = 1 << 16

// indexAnalyzer wraps a language analyzer: see the comment above.
type indexAnalyzer struct {
	// base is used whole when it is not a tokenizer plus token filters.
	base      analysis.Analyzer
	tokenizer analysis.Tokenizer
	filters   []analysis.TokenFilter

	mu sync.RWMutex
	// memo maps a token as the tokenizer cut it to its term after the
	// filters; a nil term means the filters dropped it (a stop word).
	memo map[string][]byte
}

func newIndexAnalyzer(a analysis.Analyzer) *indexAnalyzer {
	ia := &indexAnalyzer{base: a}
	if d, ok := a.(*analysis.DefaultAnalyzer); ok && len(d.CharFilters) == 0 && d.Tokenizer != nil {
		ia.tokenizer, ia.filters = d.Tokenizer, d.TokenFilters
		if _, ok := d.Tokenizer.(*unicode.UnicodeTokenizer); ok {
			ia.tokenizer = fastUnicodeTokenizer{slow: d.Tokenizer}
		}
		ia.memo = make(map[string][]byte)
	}
	return ia
}

// Analyze returns the tokens base would, with zero byte offsets.
func (ia *indexAnalyzer) Analyze(input []byte) analysis.TokenStream {
	return ia.analyze(input, false)
}

// withOffsets is ia keeping the byte offsets, for snippets.
type withOffsets struct{ ia *indexAnalyzer }

// Analyze returns the tokens ia's base analyzer would.
func (w withOffsets) Analyze(input []byte) analysis.TokenStream { return w.ia.analyze(input, true) }

func (ia *indexAnalyzer) analyze(input []byte, offsets bool) analysis.TokenStream {
	if ia.tokenizer == nil {
		if offsets {
			return ia.base.Analyze(input)
		}
		return zeroOffsets(ia.base.Analyze(input))
	}
	toks := ia.tokenizer.Tokenize(input)
	// Look every token up under one read lock; filter the others after.
	type miss struct {
		i    int
		word string
	}
	var misses []miss
	dropped := make([]bool, len(toks))
	// The memo's terms are copied, into one buffer per call, so that no
	// token shares its bytes with another document's.
	arena := make([]byte, 0, len(input))
	ia.mu.RLock()
	for i, t := range toks {
		if t.KeyWord {
			misses = append(misses, miss{i, ""})
			continue
		}
		term, ok := ia.memo[string(t.Term)]
		switch {
		case !ok:
			misses = append(misses, miss{i, string(t.Term)})
		case term == nil:
			dropped[i] = true
		default:
			arena = append(arena, term...)
			t.Term = arena[len(arena)-len(term) : len(arena) : len(arena)]
		}
	}
	ia.mu.RUnlock()

	// learned are the words to memoise; a word is memoised only when the
	// filters turned its token into one token, changing nothing but the
	// term, or into none.
	var learned map[string][]byte
	learn := func(word string, term []byte) {
		if word == "" {
			return
		}
		if learned == nil {
			learned = make(map[string][]byte, len(misses))
		}
		learned[word] = term
	}
	var extra map[int]analysis.TokenStream // tokens that became several
	for _, m := range misses {
		t := toks[m.i]
		orig := *t
		out := analysis.TokenStream{t}
		for _, f := range ia.filters {
			out = f.Filter(out)
		}
		switch {
		case len(out) == 0:
			dropped[m.i] = true
			learn(m.word, nil)
		case len(out) == 1 && out[0] == t && sameButTerm(orig, *t):
			learn(m.word, append(make([]byte, 0, len(t.Term)), t.Term...))
		default:
			if extra == nil {
				extra = map[int]analysis.TokenStream{}
			}
			extra[m.i] = out
		}
	}
	if len(learned) > 0 {
		ia.mu.Lock()
		if len(ia.memo)+len(learned) > maxMemo {
			ia.memo = make(map[string][]byte)
		}
		for w, term := range learned {
			ia.memo[w] = term
		}
		ia.mu.Unlock()
	}

	out := toks[:0] // in place, unless a token became several
	if extra != nil {
		out = make(analysis.TokenStream, 0, len(toks)+len(extra))
	}
	for i, t := range toks {
		switch {
		case extra[i] != nil:
			out = append(out, extra[i]...)
		case !dropped[i]:
			out = append(out, t)
		}
	}
	if offsets {
		return out
	}
	return zeroOffsets(out)
}

// sameButTerm reports whether a and b differ at most in their terms.
func sameButTerm(a, b analysis.Token) bool {
	return a.Start == b.Start && a.End == b.End && a.Position == b.Position && a.Type == b.Type && a.KeyWord == b.KeyWord
}

func zeroOffsets(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		t.Start, t.End = 0, 0
	}
	return ts
}
