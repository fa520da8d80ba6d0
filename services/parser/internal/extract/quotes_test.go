package extract

import (
	"regexp"
	"strings"
	"testing"
)

// reQuoteSpec is the definition quoteSpans implements without a regular
// expression.
var reQuoteSpec = regexp.MustCompile(`["“]([^"“”]{8,}?)["”]`)

func checkQuoteSpans(t *testing.T, p string) {
	t.Helper()
	want := reQuoteSpec.FindAllStringSubmatchIndex(p, -1)
	got := quoteSpans(p)
	if len(got) != len(want) {
		t.Fatalf("quoteSpans(%q) = %v, want %v", p, got, want)
	}
	for i := range got {
		for j := range 4 {
			if got[i][j] != want[i][j] {
				t.Fatalf("quoteSpans(%q) = %v, want %v", p, got, want)
			}
		}
	}
}

func TestQuoteSpans(t *testing.T) {
	for _, p := range []string{
		``,
		`no quotes at all`,
		`"short" then "a long enough quote," he said`,
		`“Curly quotes are here,” she said. "Straight ones too."`,
		`”closing first then “an opening one that runs on”`,
		`"unterminated quote that goes on`,
		`"abc" "defghijkl" “mnopqrstu“ "x"`,
		`"éèêëéèêë" and "ééé"`,
		"\"truncated \xe2\x80",
		"\xe2\x80\x9c\xe2\x80\x9d\xe2\x80\x9c12345678\xe2\x80\x9d",
	} {
		checkQuoteSpans(t, p)
	}
}

func FuzzQuoteSpans(f *testing.F) {
	f.Add(`"short" then "a long enough quote," he said`)
	f.Add(`“Curly quotes are here,” she said. "Straight ones too."`)
	f.Fuzz(func(t *testing.T, p string) {
		checkQuoteSpans(t, p)
	})
}

func FuzzHasFields(f *testing.F) {
	for _, s := range []string{"", "a", "one two three four", " one\u00a0two\tthree four ", "a b c", "\xff \xfe x y"} {
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 10 {
			return
		}
		if got, want := hasFields(s, n), len(strings.Fields(s)) >= n; got != want {
			t.Fatalf("hasFields(%q, %d) = %v, want %v", s, n, got, want)
		}
	})
}
