package extract

import "testing"

// checkCollapser asserts that writing s in two pieces, split at cut (moved
// back to a rune boundary: the extractor writes whole text nodes), gives
// collapse(s).
func checkCollapser(t *testing.T, s string, cut int) {
	t.Helper()
	cut = min(max(cut, 0), len(s))
	for cut > 0 && cut < len(s) && s[cut]&0xC0 == 0x80 {
		cut--
	}
	var c collapser
	c.write(s[:cut])
	c.write(s[cut:])
	if got, want := c.take(), collapse(s); got != want {
		t.Fatalf("collapser(%q | %q) = %q, want %q", s[:cut], s[cut:], got, want)
	}
	if len(c.buf) != 0 || c.space {
		t.Fatalf("take left %q, space %v", c.buf, c.space)
	}
}

func TestCollapser(t *testing.T) {
	for _, tc := range []struct {
		s   string
		cut int
	}{
		{"", 0},
		{"  a  b  ", 3},
		{"tab\tand\nnew line", 4},
		{"\u00a0nbsp\u200bzero\ufeffbom\u2003em ", 7},
		{"ünïcödé  wörds", 5},
		{"bad \xff byte", 5},
		{"word", 2},
		{" lead and trail ", 16},
	} {
		checkCollapser(t, tc.s, tc.cut)
	}
}

func FuzzCollapser(f *testing.F) {
	f.Add("  a  b  ", 3)
	f.Add("\u00a0nbsp\u200bzero\ufeffbom", 4)
	f.Fuzz(func(t *testing.T, s string, cut int) {
		checkCollapser(t, s, cut)
	})
}
