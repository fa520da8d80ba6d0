package extract

import (
	"hash/fnv"
	"strings"
	"unicode"
)

// words splits text into lower-case words: runs of letters and digits, with
// every CJK ideograph, kana or hangul syllable counted as a word of its own.
func words(text string) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Thai, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// SimHash returns the 64-bit simhash of text over word 3-shingles (FNV-1a
// hashes of lower-cased words, three at a time). Texts that share most of
// their shingles differ in few bits; an empty text hashes to 0.
func SimHash(text string) uint64 {
	ws := words(text)
	if len(ws) == 0 {
		return 0
	}
	var v [64]int
	add := func(s string) {
		h := fnv.New64a()
		h.Write([]byte(s))
		x := h.Sum64()
		for i := range 64 {
			if x&(1<<uint(i)) != 0 {
				v[i]++
			} else {
				v[i]--
			}
		}
	}
	if len(ws) < 3 {
		add(strings.Join(ws, " "))
	} else {
		for i := 0; i+3 <= len(ws); i++ {
			add(ws[i] + " " + ws[i+1] + " " + ws[i+2])
		}
	}
	var out uint64
	for i := range 64 {
		if v[i] > 0 {
			out |= 1 << uint(i)
		}
	}
	return out
}
