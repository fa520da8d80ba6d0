package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// nodeStats sums what the scorer asks of a subtree: text length, linked
// text, commas and the number of some descendants. Computing them once per
// node (bottom-up, memoised) instead of walking the subtree for every
// question keeps the extractor linear in the page size: readability-style
// scoring otherwise re-reads the text of every candidate and its ancestors.
//
// The counts are int32 (pages are cut at 8 MB) so that the per-element
// cache is smaller.
type nodeStats struct {
	link    float64 // text length inside links (fragment links weigh 0.3)
	runes   int32   // text length, every white-space run counted as one
	commas  int32
	heading int32 // text length inside h1–h6
	p, img  int32
	li      int32
	input   int32
}

// statCache memoises nodeStats per element. Removing a node must go
// through forget so the ancestors are recomputed.
type statCache map[*html.Node]nodeStats

func (c statCache) get(n *html.Node) nodeStats {
	if s, ok := c[n]; ok {
		return s
	}
	var s nodeStats
	c.fill(n, &s)
	c[n] = s
	return s
}

func (c statCache) fill(n *html.Node, s *nodeStats) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			r, commas := textRunes(ch.Data)
			s.runes += int32(r)
			s.commas += int32(commas)
		case html.ElementNode:
			if skipText[ch.DataAtom] {
				if ch.DataAtom == atom.Input || ch.DataAtom == atom.Select || ch.DataAtom == atom.Textarea || ch.DataAtom == atom.Button {
					s.input++
				}
				continue
			}
			cs := c.get(ch)
			s.runes += cs.runes
			s.commas += cs.commas
			s.heading += cs.heading
			s.p += cs.p
			s.img += cs.img
			s.li += cs.li
			s.input += cs.input
			switch ch.DataAtom {
			case atom.A:
				w := 1.0
				if strings.HasPrefix(attr(ch, "href"), "#") {
					w = 0.3
				}
				s.link += float64(cs.runes) * w
			default:
				s.link += cs.link
			}
			switch ch.DataAtom {
			case atom.P:
				s.p++
			case atom.Img:
				s.img++
			case atom.Li:
				s.li++
			case atom.Input:
				s.input++
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				s.heading += cs.runes - cs.heading
			}
		}
	}
}

// forget drops the memoised stats of n and its ancestors.
func (c statCache) forget(n *html.Node) {
	for ; n != nil; n = n.Parent {
		delete(c, n)
	}
}

func (c statCache) textLen(n *html.Node) int { return int(c.get(n).runes) }

func (c statCache) linkDensity(n *html.Node) float64 {
	s := c.get(n)
	if s.runes == 0 {
		return 0
	}
	return s.link / float64(s.runes)
}

// textRunesSpace are the ASCII bytes textRunes takes for white space
// (not '\v', which unicode.IsSpace has).
var textRunesSpace = [utf8.RuneSelf]bool{' ': true, '\n': true, '\t': true, '\r': true, '\f': true}

// textRunes counts the runes of s with every white-space run as one, and
// its commas; a text of white space only counts nothing.
func textRunes(s string) (n, commas int) {
	space, any := false, false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		if c < utf8.RuneSelf {
			if c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f' {
				// A run of ASCII bytes that are not white space here
				// counts at once.
				j := i
				for ; j < len(s) && s[j] < utf8.RuneSelf && !textRunesSpace[s[j]]; j++ {
					if s[j] == ',' {
						commas++
					}
				}
				if space {
					n++
					space = false
				}
				any = true
				n += j - i
				i = j
				continue
			}
			r = rune(c)
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
		}
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
