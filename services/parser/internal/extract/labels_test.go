package extract

import (
	"strings"
	"testing"
)

func TestWordMatcher(t *testing.T) {
	wm := newWordMatcher([]string{"by ", "von "}, []string{"published", "опубликовано"})
	for _, c := range []struct {
		text string
		want uint8
	}{
		{"", 0},
		{"Written BY Jane", 1},
		{"Published: 2 May", 2},
		{"By Jane Doe. PUBLISHED 2 May", 3},
		{"Опубликовано 2 мая", 0}, // only ASCII letters are folded
		{"опубликовано 2 мая", 2},
		{"nearby", 0},
		{"publishe", 0},
	} {
		if got := wm.match(c.text); got != c.want {
			t.Errorf("match(%q) = %b, want %b", c.text, got, c.want)
		}
	}
}

// FuzzWordMatcher checks match against a lower-case-and-search reading of
// the same rule.
func FuzzWordMatcher(f *testing.F) {
	lists := [][]string{bylineWords, publishLabels}
	wm := newWordMatcher(lists...)
	f.Add("By Jane Doe, published today")
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		var want uint8
		for i, list := range lists {
			for _, w := range list {
				if strings.Contains(string(b), w) {
					want |= 1 << i
				}
			}
		}
		if got := wm.match(s); got != want {
			t.Fatalf("match(%q) = %b, want %b", s, got, want)
		}
	})
}
