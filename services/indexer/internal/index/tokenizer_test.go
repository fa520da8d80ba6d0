package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// tokenDump renders every property of the tokens.
func tokenDump(ts analysis.TokenStream) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%q %d-%d @%d t%d\n", t.Term, t.Start, t.End, t.Position, t.Type)
	}
	return b.String()
}

// tokenizerAlphabet mixes what the ASCII rules look at with runes of
// other word break classes: curly apostrophe (MidNumLet), combining mark
// (Extend), no-break space, Han, Katakana, Hebrew, Cyrillic, emoji, ZWJ,
// line separator.
var tokenizerAlphabet = []string{
	"a", "b", "Z", "é", "1", "9", "_", ":", ".", "'", ",", ";", "\"", " ", "  ", "\t", "\n", "\r\n", "\v",
	"-", "!", "(", "/", "’", "“", "—", "\u0301", "\u00a0", "日", "カ", "א", "д", "😀", "\u200d", "\u2028", "\x00",
}

func TestFastUnicodeTokenizer(t *testing.T) {
	slow := unicode.NewUnicodeTokenizer()
	fast := fastUnicodeTokenizer{slow: slow}
	check := func(t *testing.T, s string) {
		t.Helper()
		want := tokenDump(slow.Tokenize([]byte(s)))
		if got := tokenDump(fast.Tokenize([]byte(s))); got != want {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
	for _, s := range []string{
		"", " ", "a", "The U.S. economy grew 3.5% in Q3, e.g. 1,000,000 jobs; it's 10:30.",
		"don't rock'n'roll a.b.c 1.2.3 a1.5 1a.b 1.a a.1 a_.b a._b _ __ _._ snake_case 2_000 x:y:z a:1 1:2",
		"foo--bar (parenthesised) \"quoted\" 'single' end. trailing' 'leading ...dots... ,,, ;;",
		"Café déjà-vu: l’éruption “volcanique” — 日本語のカタカナ и русский текст 😀 אב\"ג",
		"line\r\nbreaks\rand\vvertical\ftabs\t\tmixed",
		"e\u0301 a\u0301b \u0301x",
		"0 \x990000", // invalid UTF-8: the segmenter stops there
	} {
		check(t, s)
	}
	r := rand.New(rand.NewPCG(3, 5))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(tokenizerAlphabet[r.IntN(len(tokenizerAlphabet))])
		}
		check(t, b.String())
	}
}

func FuzzFastUnicodeTokenizer(f *testing.F) {
	for _, s := range []string{"it's 3.5 a.b_c", "l’éruption “x” 日本", "a:b 1,2;3 _."} {
		f.Add(s)
	}
	slow := unicode.NewUnicodeTokenizer()
	fast := fastUnicodeTokenizer{slow: slow}
	f.Fuzz(func(t *testing.T, s string) {
		want := tokenDump(slow.Tokenize([]byte(s)))
		if got := tokenDump(fast.Tokenize([]byte(s))); got != want {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}
