package index

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/newsflow/newsflow/pkg/events"
	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// Snippets are made at query time, for the page's hits only, from the
// article stored in doc_json: the full-text fields are neither stored nor
// indexed with term vectors (which bleve's highlighter needs), because
// that doubled what every indexed article cost. The text is analysed with
// the analyzer its fields were indexed with, so a match is marked exactly
// where the index matched it (stemmed forms, stop words, phrases).

// snippetLen is the length, in runes, of a snippet; a cut moves up to
// maxSnap runes inwards to fall between words.
const (
	snippetLen = 200
	maxSnap    = snippetLen / 10
)

// Marks around a matched word and at a cut, as bleve's html highlighter
// wrote them.
const (
	markBefore = "<mark>"
	markAfter  = "</mark>"
	ellipsis   = "…"
)

// marker finds a query's matches in articles of one analysed language.
type marker struct {
	analyzer analysis.Analyzer
	// body is matched in the text and the description; title in the
	// title, where title: terms match too.
	body, title matchSet
}

// matchSet is what to mark: single analysed terms anywhere, and phrases.
type matchSet struct {
	words map[string]bool
	// phrases are sequences of analysed terms, one slot per position
	// (several terms: any of them; none: a removed stop word, any term),
	// as bleve's match_phrase query builds them.
	phrases [][][]string
}

func (m *matchSet) empty() bool { return len(m.words) == 0 && len(m.phrases) == 0 }

// newMarker returns the marker of q's words and phrases (not its
// exclusions or keyword filters) for the analyzer a.
func newMarker(a analysis.Analyzer, q Query) *marker {
	mk := &marker{
		analyzer: a,
		body:     matchSet{words: map[string]bool{}},
		title:    matchSet{words: map[string]bool{}},
	}
	for _, g := range q.Expr.All {
		for _, t := range g {
			if t.Keyword() {
				continue
			}
			sets := []*matchSet{&mk.title}
			if t.Field == nfsearch.FieldText {
				sets = append(sets, &mk.body)
			}
			toks := a.Analyze([]byte(t.Value))
			// As in termQuery: a phrase of one distinct term is that term.
			distinct := map[string]bool{}
			for _, tok := range toks {
				if len(tok.Term) > 0 {
					distinct[string(tok.Term)] = true
				}
			}
			if t.Phrase && len(distinct) > 1 {
				p := phraseOf(toks)
				for _, s := range sets {
					s.phrases = append(s.phrases, p)
				}
				continue
			}
			for term := range distinct {
				for _, s := range sets {
					s.words[term] = true
				}
			}
		}
	}
	return mk
}

// phraseOf lays tokens out by position, like bleve's tokenStreamToPhrase.
func phraseOf(toks analysis.TokenStream) [][]string {
	first, last := toks[0].Position, toks[0].Position
	for _, t := range toks {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	p := make([][]string, last-first+1)
	for _, t := range toks {
		p[t.Position-first] = append(p[t.Position-first], string(t.Term))
	}
	return p
}

// span is one match: text[start:end] is marked; key is the analysed term,
// so that a fragment is scored by the distinct terms it holds.
type span struct {
	start, end int
	key        string
}

// snippet is a's snippet: the best fragment of the text with the query's
// matches marked, else of the description, else of the title; with no
// match anywhere (or mk == nil: no words in the query), the start of the
// text (else of the description). The text is HTML-escaped.
func (mk *marker) snippet(a *events.Article) string {
	if mk != nil {
		for _, f := range []struct {
			text string
			set  *matchSet
		}{{a.Text, &mk.body}, {a.Description, &mk.body}, {a.Title, &mk.title}} {
			if f.text == "" || f.set.empty() {
				continue
			}
			if spans := mk.matches(f.text, f.set); len(spans) > 0 {
				return fragment(f.text, spans)
			}
		}
	}
	if a.Text != "" {
		return leading(a.Text)
	}
	return leading(a.Description)
}

// matches returns the spans of text that set matches, in text order.
func (mk *marker) matches(text string, set *matchSet) []span {
	toks := mk.analyzer.Analyze([]byte(text))
	var spans []span
	for _, t := range toks {
		if set.words[string(t.Term)] {
			spans = append(spans, span{t.Start, t.End, string(t.Term)})
		}
	}
	if len(set.phrases) > 0 {
		// byPos[p] lists the tokens at position p (usually one).
		maxPos := 0
		for _, t := range toks {
			maxPos = max(maxPos, t.Position)
		}
		byPos := make([][]*analysis.Token, maxPos+1)
		for _, t := range toks {
			byPos[t.Position] = append(byPos[t.Position], t)
		}
		for _, p := range set.phrases {
			for _, t := range toks {
				if path, ok := phraseAt(byPos, t.Position, p); ok {
					for _, pt := range path {
						spans = append(spans, span{pt.Start, pt.End, string(pt.Term)})
					}
				}
			}
		}
	}
	slices.SortFunc(spans, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	// Drop repeats and spans inside another (a word also in a phrase).
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.start < out[n-1].end {
			continue
		}
		out = append(out, s)
	}
	return out
}

// phraseAt returns the tokens of phrase p when it occurs at position pos.
func phraseAt(byPos [][]*analysis.Token, pos int, p [][]string) ([]*analysis.Token, bool) {
	var path []*analysis.Token
	for i, slot := range p {
		if len(slot) == 0 {
			continue // a stop word: any term, or none
		}
		if pos+i >= len(byPos) {
			return nil, false
		}
		var found *analysis.Token
		for _, t := range byPos[pos+i] {
			if slices.Contains(slot, string(t.Term)) {
				found = t
				break
			}
		}
		if found == nil {
			return nil, false
		}
		path = append(path, found)
	}
	return path, len(path) > 0
}

// fragment cuts the window of about snippetLen runes of text holding the
// most distinct matched terms (then the most matches, then the earliest),
// widened around them to whole words, and marks the matches in it.
func fragment(text string, spans []span) string {
	best, bestDistinct, bestCount := 0, 0, 0
	seen := map[string]bool{}
	for i := range spans {
		end := advance(text, spans[i].start, snippetLen)
		clear(seen)
		n := 0
		for _, s := range spans[i:] {
			if s.end > end {
				break
			}
			seen[s.key] = true
			n++
		}
		if len(seen) > bestDistinct || len(seen) == bestDistinct && n > bestCount {
			best, bestDistinct, bestCount = i, len(seen), n
		}
	}
	first := spans[best].start
	lastEnd := spans[best].end
	for _, s := range spans[best:] {
		if s.end > advance(text, first, snippetLen) {
			break
		}
		lastEnd = s.end
	}

	// Centre the matches: give the room they leave half before, half
	// after, and all of it before when the text ends first.
	room := snippetLen - utf8.RuneCountInString(text[first:lastEnd])
	after := utf8.RuneCountInString(text[lastEnd:advance(text, lastEnd, room)])
	start := retreat(text, first, room-min(after, room/2))
	end := advance(text, start, snippetLen)
	end = max(end, lastEnd)

	// Cut between words: start after a space, end before one, when one is
	// near (text without spaces is cut anywhere).
	if start > 0 {
		if i := strings.IndexFunc(text[start:min(first, advance(text, start, maxSnap))], unicode.IsSpace); i >= 0 {
			start += i
		}
	}
	if end < len(text) {
		from := max(lastEnd, retreat(text, end, maxSnap))
		if i := strings.LastIndexFunc(text[from:end], unicode.IsSpace); i >= 0 {
			end = from + i
		}
	}
	for start < first {
		r, n := utf8.DecodeRuneInString(text[start:])
		if !unicode.IsSpace(r) {
			break
		}
		start += n
	}
	for end > lastEnd {
		r, n := utf8.DecodeLastRuneInString(text[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= n
	}

	var b strings.Builder
	b.Grow(end - start + 64)
	if start > 0 {
		b.WriteString(ellipsis)
	}
	at := start
	for _, s := range spans {
		if s.start < start {
			continue
		}
		if s.end > end {
			break
		}
		b.WriteString(html.EscapeString(text[at:s.start]))
		b.WriteString(markBefore)
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString(markAfter)
		at = s.end
	}
	b.WriteString(html.EscapeString(text[at:end]))
	if end < len(text) {
		b.WriteString(ellipsis)
	}
	return b.String()
}

// leading is the start of s, escaped: all of it when it is at most
// snippetLen runes, else cut at a word boundary with an ellipsis.
func leading(s string) string {
	if utf8.RuneCountInString(s) <= snippetLen {
		return html.EscapeString(s)
	}
	cut := s[:advance(s, 0, snippetLen)]
	if i := strings.LastIndexAny(cut, " \n\t"); i > snippetLen/2 {
		cut = cut[:i]
	}
	return html.EscapeString(strings.TrimSpace(cut)) + ellipsis
}

// advance returns the byte offset n runes after i in s, or len(s).
func advance(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// retreat returns the byte offset n runes before i in s, or 0.
func retreat(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}
