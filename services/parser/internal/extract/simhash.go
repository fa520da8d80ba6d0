package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// words splits text into lower-case words: runs of letters and digits, with
// every CJK ideograph, kana or hangul syllable counted as a word of its own.
// ASCII runs take a fast path: most of a page's text is ASCII.
func words(text string) []string {
	out := make([]string, 0, len(text)/6)
	eachWord(text, func(w string) { out = append(out, w) })
	return out
}

// eachWord calls emit with the words of text, as words lists them.
func eachWord(text string, emit func(string)) {
	var cur strings.Builder
	start := -1 // start of a pending run of lower-case ASCII letters and digits
	lowerRun := true
	flush := func(i int) {
		if start >= 0 {
			if lowerRun {
				emit(text[start:i])
			} else {
				emit(strings.ToLower(text[start:i]))
			}
			start, lowerRun = -1, true
		}
		if cur.Len() > 0 {
			emit(cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
				if cur.Len() > 0 {
					// a run that began with non-ASCII letters continues
					cur.WriteByte(c | 0x20*b2u(c >= 'A' && c <= 'Z'))
				} else {
					if start < 0 {
						start = i
					}
					if c >= 'A' && c <= 'Z' {
						lowerRun = false
					}
				}
			} else {
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Thai, r):
			flush(i)
			emit(string(unicode.ToLower(r)))
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if start >= 0 {
				// move the ASCII run so far into the builder
				cur.WriteString(strings.ToLower(text[start:i]))
				start, lowerRun = -1, true
			}
			cur.WriteString(strings.ToLower(string(r)))
		default:
			flush(i)
		}
		i += size
	}
	flush(len(text))
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// SimHash returns the 64-bit simhash of text over word 3-shingles (FNV-1a
// hashes of lower-cased words, three at a time). Texts that share most of
// their shingles differ in few bits; an empty text hashes to 0.
func SimHash(text string) uint64 { return simHashWords(words(text)) }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func simHashWords(ws []string) uint64 {
	if len(ws) == 0 {
		return 0
	}
	var bc bitCounter
	if len(ws) < 3 {
		h := uint64(fnvOffset)
		for i, w := range ws {
			if i > 0 {
				h = fnvString(h, " ")
			}
			h = fnvString(h, w)
		}
		bc.add(h)
	} else {
		for i := 0; i+3 <= len(ws); i++ {
			bc.add(shingleHash(ws[i], ws[i+1], ws[i+2]))
		}
	}
	return bc.majority()
}

func shingleHash(a, b, c string) uint64 {
	h := fnvString(uint64(fnvOffset), a)
	h = fnvString(h, " ")
	h = fnvString(h, b)
	h = fnvString(h, " ")
	return fnvString(h, c)
}

// wordCountSimHash is len(words(text)) and SimHash(text), without the
// list of words. The three shingles a word belongs to are hashed side by
// side, each byte of the word going into all three: three independent
// multiply chains instead of one three times as long.
func wordCountSimHash(text string) (int, uint64) {
	var (
		bc     bitCounter
		n      int
		w1, w2 string
		// hA has taken "w1 w2 ", hB "w2 ": the shingles that end and go
		// on with the next word.
		hA, hB uint64
	)
	eachWord(text, func(w string) {
		hC := uint64(fnvOffset)
		for i := 0; i < len(w); i++ {
			c := uint64(w[i])
			hA = (hA ^ c) * fnvPrime
			hB = (hB ^ c) * fnvPrime
			hC = (hC ^ c) * fnvPrime
		}
		if n >= 2 {
			bc.add(hA)
		}
		hA = (hB ^ ' ') * fnvPrime
		hB = (hC ^ ' ') * fnvPrime
		w1, w2 = w2, w
		n++
	})
	switch n {
	case 0:
		return 0, 0
	case 1:
		bc.add(fnvString(uint64(fnvOffset), w2))
	case 2:
		bc.add(fnvString(fnvString(fnvString(uint64(fnvOffset), w1), " "), w2))
	}
	return n, bc.majority()
}

// bitCounter counts the set bits per position over the hashes added;
// majority has the bits more than half of them have. The counting goes
// through acc, eight counters of eight one-byte lanes (lane m of acc[k]
// counts bit 8m+k), emptied into v before a lane can overflow: eight
// additions per hash instead of one per set bit.
type bitCounter struct {
	v       [64]int
	acc     [8]uint64
	n       int
	pending int
}

func (c *bitCounter) add(x uint64) {
	c.n++
	for k := range c.acc {
		c.acc[k] += x >> k & 0x0101010101010101
	}
	if c.pending++; c.pending == 255 {
		c.flush()
	}
}

func (c *bitCounter) flush() {
	for k, a := range c.acc {
		for m := 0; m < 8; m++ {
			c.v[8*m+k] += int(a >> (8 * m) & 0xff)
		}
	}
	c.acc, c.pending = [8]uint64{}, 0
}

func (c *bitCounter) majority() uint64 {
	c.flush()
	var out uint64
	for i := range 64 {
		if 2*c.v[i] > c.n {
			out |= 1 << uint(i)
		}
	}
	return out
}
