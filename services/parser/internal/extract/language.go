package extract

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"
	_ "unsafe" // for go:linkname

	"github.com/abadojack/whatlanggo"
)

// Language detection for pages that declare none (no <html lang>, no
// Content-Language, no inLanguage, no og:locale).
//
// whatlanggo (a port of the Rust whatlang: trigram profiles for 84
// languages, pure Go, no model files, a few hundred KB in the binary, no
// dependencies) is used rather than lingua-go: lingua is more accurate on
// short strings but embeds about 100 MB of n-gram models, which would
// multiply the size and start-up memory of every parser binary for a
// fallback that is rarely taken and is given a full article body, where
// trigram detection is reliable. Only a reliable answer is kept: absent
// beats wrong.

// langSample bounds the text given to the detector: its cost grows with
// the text and the first paragraphs decide the language as well as all.
const langSample = 500

// detectLanguage returns the ISO 639-1 code of the text's language, or ""
// when the text is too short or the detector is not confident.
func detectLanguage(text string) string {
	if len(text) > langSample {
		cut := langSample
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if utf8.RuneCountInString(text) < 40 {
		return ""
	}
	return detectSample(text)
}

// detectSample is whatlanggo.Detect's answer when reliable, else "".
func detectSample(text string) string {
	lang, ok := detectTrigrams(text)
	if !ok {
		info := whatlanggo.Detect(text)
		if !info.IsReliable() {
			return ""
		}
		lang = info.Lang
	}
	if lang < 0 {
		return ""
	}
	return lang.Iso6391()
}

// whatlanggo compares a text's trigrams with each language's 300 most
// common ones through a map lookup per language and trigram: 15,000
// lookups for a Latin-script text, most of the time the extractor spends
// on a page without a declared language. detectTrigrams gets the same
// answer from an index of the same profiles by trigram, so that each of
// the text's trigrams is looked up once. The profiles are whatlanggo's
// own (pinned in go.mod; a test checks the answers against Detect).
var (
	//go:linkname wlLatin github.com/abadojack/whatlanggo.latinLangs
	wlLatin map[whatlanggo.Lang][]string
	//go:linkname wlCyrillic github.com/abadojack/whatlanggo.cyrillicLangs
	wlCyrillic map[whatlanggo.Lang][]string
	//go:linkname wlArabic github.com/abadojack/whatlanggo.arabicLangs
	wlArabic map[whatlanggo.Lang][]string
	//go:linkname wlDevanagari github.com/abadojack/whatlanggo.devanagariLangs
	wlDevanagari map[whatlanggo.Lang][]string
	//go:linkname wlHebrew github.com/abadojack/whatlanggo.hebrewLangs
	wlHebrew map[whatlanggo.Lang][]string
	//go:linkname wlEthiopic github.com/abadojack/whatlanggo.ethiopicLangs
	wlEthiopic map[whatlanggo.Lang][]string
)

// whatlanggo's constants (constants.go).
const (
	maxTrigramDistance = 300
	maxTotalDistance   = 90000
)

// trigramIndex is the profiles of one script's languages by trigram.
type trigramIndex struct {
	langs []whatlanggo.Lang
	// full is each language's distance from a text with none of its
	// trigrams.
	full     []int
	postings map[uint64][]posting
}

type posting struct {
	lang int32 // index into langs
	rank int32 // the trigram's place in the language's profile
}

// trigramIndexes are built on first use; nil when a profile list is
// missing or not made of three-rune trigrams (a whatlanggo other than the
// one this was written for), and whatlanggo.Detect answers instead.
var trigramIndexes = sync.OnceValue(func() map[*unicode.RangeTable]*trigramIndex {
	out := map[*unicode.RangeTable]*trigramIndex{}
	for script, list := range map[*unicode.RangeTable]map[whatlanggo.Lang][]string{
		unicode.Latin: wlLatin, unicode.Cyrillic: wlCyrillic, unicode.Arabic: wlArabic,
		unicode.Devanagari: wlDevanagari, unicode.Hebrew: wlHebrew, unicode.Ethiopic: wlEthiopic,
	} {
		if len(list) < 2 {
			return nil
		}
		ix := &trigramIndex{postings: map[uint64][]posting{}}
		for lang := range list {
			ix.langs = append(ix.langs, lang)
		}
		slices.Sort(ix.langs)
		for i, lang := range ix.langs {
			for rank, tg := range list[lang] {
				key, ok := trigramKey(tg)
				if !ok {
					return nil
				}
				ix.postings[key] = append(ix.postings[key], posting{int32(i), int32(rank)})
			}
			ix.full = append(ix.full, maxTrigramDistance*len(list[lang]))
		}
		out[script] = ix
	}
	return out
})

// detectScript is whatlanggo.DetectScript, which returns the first
// script with more letters than half the text's bytes: Latin when ASCII
// letters alone are that many, since no other script's letters (two bytes
// or more each) can then be.
func detectScript(text string) *unicode.RangeTable {
	letters := 0
	for i := 0; i < len(text); i++ {
		if c := text[i] | 0x20; 'a' <= c && c <= 'z' {
			letters++
		}
	}
	if letters > len(text)/2 {
		return unicode.Latin
	}
	return whatlanggo.DetectScript(text)
}

// trigramKey packs a three-rune string into a number that sorts as the
// string does.
func trigramKey(tg string) (uint64, bool) {
	var key uint64
	n := 0
	for _, r := range tg {
		key = key<<21 | uint64(r)
		n++
	}
	return key, n == 3
}

// detectTrigrams is whatlanggo.Detect for the scripts it tells apart by
// trigrams: the language when the answer is reliable, -1 when it is
// not; ok is false for other scripts (and when the index is missing),
// which whatlanggo.Detect answers cheaply.
func detectTrigrams(text string) (whatlanggo.Lang, bool) {
	indexes := trigramIndexes()
	if indexes == nil {
		return 0, false
	}
	ix := indexes[detectScript(text)]
	if ix == nil {
		return 0, false
	}
	// whatlanggo's count and getTrigramsWithPositions: lower-cased runes,
	// punctuation, symbols, digits and spaces as spaces, a space after
	// the text; trigrams whose middle is a space next to another are not
	// counted; the most frequent trigram is at position 0 (ties: the
	// greater string first).
	keys := make([]uint64, 0, len(text)+1)
	r1, r2 := rune(' '), rune(-1)
	add := func(r3 rune) {
		if r2 >= 0 && !(r2 == ' ' && (r1 == ' ' || r3 == ' ')) {
			keys = append(keys, uint64(r1)<<42|uint64(r2)<<21|uint64(r3))
		}
		if r2 >= 0 {
			r1 = r2
		}
		r2 = r3
	}
	for _, r := range text {
		if unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r) {
			r = ' '
		}
		add(unicode.ToLower(r))
	}
	add(' ')
	slices.Sort(keys)
	// Distinct trigrams with their counts, in increasing order.
	type counted struct {
		key   uint64
		count int
	}
	tgs := make([]counted, 0, len(keys))
	maxCount := 0
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		tgs = append(tgs, counted{keys[i], j - i})
		maxCount = max(maxCount, j-i)
		i = j
	}
	// Positions by count, then by trigram, both decreasing: a counting
	// sort over the trigrams taken from the greatest.
	next := make([]int, maxCount+2)
	for _, tg := range tgs {
		next[tg.count]++
	}
	for c, pos := maxCount, 0; c >= 1; c-- {
		next[c], pos = pos, pos+next[c]
	}
	dist := slices.Clone(ix.full)
	for i := len(tgs) - 1; i >= 0; i-- {
		tg := tgs[i]
		pos := next[tg.count]
		next[tg.count]++
		for _, p := range ix.postings[tg.key] {
			d := pos - int(p.rank)
			if d < 0 {
				d = -d
			}
			dist[p.lang] += d - maxTrigramDistance
		}
	}
	// whatlanggo's calculateConfidence. Languages at the same distance
	// come in map order there; here in a fixed one. The answer differs
	// only when the best two tie, and is unreliable then in both.
	best, second := -1, -1
	for i, d := range dist {
		switch {
		case best < 0 || d < dist[best]:
			best, second = i, best
		case second < 0 || d < dist[second]:
			second = i
		}
	}
	score1 := maxTotalDistance - dist[best]
	score2 := maxTotalDistance - dist[second]
	var confidence float64
	switch {
	case score1 == 0:
		return -1, true
	case score2 == 0:
		confidence = min(float64(score1/500), 1) // integer division, as there
	default:
		rate := float64(score1-score2) / float64(score2)
		confidentRate := 12.0/float64(len(tgs)) + 0.05
		if rate > confidentRate {
			confidence = 1
		} else {
			confidence = rate / confidentRate
		}
	}
	if confidence <= whatlanggo.ReliableConfidenceThreshold {
		return -1, true
	}
	return ix.langs[best], true
}
