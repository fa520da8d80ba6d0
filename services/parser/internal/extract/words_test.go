package extract

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// wordsReference is the plain rune-by-rune definition words must agree with.
func wordsReference(text string) []string {
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

var wordsSeeds = []string{"", "Hello, World!", "naïve Café au lait", "ÀBC déf GHI", "東京は晴れ 2024年", "abcÉdef", "Straße STRASSE", "a\u0301b", "x1Y2 z-3", "İstanbul", "\xff\xfeab"}

func TestWords(t *testing.T) {
	for _, s := range wordsSeeds {
		if got, want := words(s), wordsReference(s); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzWords(f *testing.F) {
	for _, s := range wordsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := words(s), wordsReference(s); !slices.Equal(got, want) {
			t.Fatalf("words(%q) = %q, want %q", s, got, want)
		}
	})
}

// simHashRef is simHashWords counting bit by bit.
func simHashRef(ws []string) uint64 {
	if len(ws) == 0 {
		return 0
	}
	var v [64]int
	n := 0
	add := func(x uint64) {
		n++
		for i := range 64 {
			if x>>i&1 != 0 {
				v[i]++
			}
		}
	}
	if len(ws) < 3 {
		add(fnvString(uint64(fnvOffset), strings.Join(ws, " ")))
	} else {
		for i := 0; i+3 <= len(ws); i++ {
			add(fnvString(uint64(fnvOffset), ws[i]+" "+ws[i+1]+" "+ws[i+2]))
		}
	}
	var out uint64
	for i := range 64 {
		if 2*v[i] > n {
			out |= 1 << i
		}
	}
	return out
}

func TestSimHashCounts(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 254, 256, 257, 258, 600, 2000} {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = strconv.Itoa(i * 7919 % 1000)
		}
		if got, want := simHashWords(ws), simHashRef(ws); got != want {
			t.Errorf("%d words: %016x, bit by bit %016x", n, got, want)
		}
	}
}

func FuzzSimHash(f *testing.F) {
	f.Add("the quick brown fox jumps over the lazy dog", 300)
	f.Add("", 0)
	f.Add("one", 0)
	f.Add("Two Wörds", 0)
	f.Add("東京 café ÉTÉ x", 5)
	f.Fuzz(func(t *testing.T, text string, repeat int) {
		if repeat < 0 || repeat > 1000 || len(text) > 1000 {
			return
		}
		ws := words(strings.Repeat(text+" ", repeat%7+1))
		for len(ws) < repeat {
			ws = append(ws, ws...)
			if len(ws) == 0 {
				break
			}
		}
		if got, want := simHashWords(ws), simHashRef(ws); got != want {
			t.Fatalf("%d words: %016x, bit by bit %016x", len(ws), got, want)
		}
		// Without the list of words: the same count and hash.
		for _, s := range []string{text, strings.Repeat(text+" ", repeat%300+1)} {
			n, h := wordCountSimHash(s)
			if ws := words(s); n != len(ws) || h != simHashWords(ws) {
				t.Fatalf("wordCountSimHash(%.40q) = %d, %016x; words: %d, %016x", s, n, h, len(ws), simHashWords(ws))
			}
		}
	})
}
