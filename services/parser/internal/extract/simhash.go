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
	var cur strings.Builder
	start := -1 // start of a pending run of lower-case ASCII letters and digits
	lowerRun := true
	flush := func(i int) {
		if start >= 0 {
			if lowerRun {
				out = append(out, text[start:i])
			} else {
				out = append(out, strings.ToLower(text[start:i]))
			}
			start, lowerRun = -1, true
		}
		if cur.Len() > 0 {
			out = append(out, cur.String())
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
			out = append(out, string(unicode.ToLower(r)))
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
	return out
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
	// v counts the set bits per position over all n shingle hashes; a bit
	// of the result is set when more than half of the hashes have it.
	// The counting goes through acc, eight counters of eight one-byte
	// lanes (lane m of acc[k] counts bit 8m+k), emptied into v before a
	// lane can overflow: eight additions per hash instead of one per set
	// bit.
	var (
		v       [64]int
		acc     [8]uint64
		n       int
		pending int
	)
	flush := func() {
		for k, a := range acc {
			for m := 0; m < 8; m++ {
				v[8*m+k] += int(a >> (8 * m) & 0xff)
			}
		}
		acc, pending = [8]uint64{}, 0
	}
	add := func(x uint64) {
		n++
		for k := range acc {
			acc[k] += x >> k & 0x0101010101010101
		}
		if pending++; pending == 255 {
			flush()
		}
	}
	if len(ws) < 3 {
		h := uint64(fnvOffset)
		for i, w := range ws {
			if i > 0 {
				h = fnvString(h, " ")
			}
			h = fnvString(h, w)
		}
		add(h)
	} else {
		for i := 0; i+3 <= len(ws); i++ {
			h := fnvString(uint64(fnvOffset), ws[i])
			h = fnvString(h, " ")
			h = fnvString(h, ws[i+1])
			h = fnvString(h, " ")
			add(fnvString(h, ws[i+2]))
		}
	}
	flush()
	var out uint64
	for i := range 64 {
		if 2*v[i] > n {
			out |= 1 << uint(i)
		}
	}
	return out
}
