package extract

import (
	"slices"
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
