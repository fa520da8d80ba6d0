package extract

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

// textRunesRef is textRunes rune by rune.
func textRunesRef(s string) (n, commas int) {
	space, any := false, false
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\f' || (r >= 0x80 && (unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff')) {
			space = true
			continue
		}
		if space {
			n++
			space = false
		}
		any = true
		n++
		switch r {
		case ',', '\u060C', '\uFE50', '\uFE10', '\uFE11', '\u2E41', '\u2E34', '\u2E32', '\uFF0C':
			commas++
		}
	}
	if !any {
		return 0, 0
	}
	if space {
		n++
	}
	return n, commas
}

func TestTextRunes(t *testing.T) {
	cases := []struct {
		in            string
		runes, commas int
	}{
		{"", 0, 0},
		{"   \n\t", 0, 0},
		{"a, b", 4, 1},
		{" a  b ", 5, 0},
		{"x\vy", 3, 0},
		{"café,\u00a0naïve،", 12, 2},
		{"a\u200bb", 3, 0},
	}
	for _, c := range cases {
		if n, commas := textRunes(c.in); n != c.runes || commas != c.commas {
			t.Errorf("textRunes(%q) = %d, %d; want %d, %d", c.in, n, commas, c.runes, c.commas)
		}
	}
}

func FuzzTextRunes(f *testing.F) {
	f.Add("a, b  c\n\td\v,é ،\u00a0x")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		n, c := textRunes(s)
		if n2, c2 := textRunesRef(s); n != n2 || c != c2 {
			t.Fatalf("textRunes(%q) = %d, %d; rune by rune %d, %d", s, n, c, n2, c2)
		}
	})
}
