package extract

import (
	"unicode"
	"unicode/utf8"
)

// collapser builds text with white space collapsed as it is written: the
// same result as collapse applied to everything written, without first
// building the uncollapsed text. Runs of white space (and zero-width
// spaces and byte-order marks) become one space; leading and trailing ones
// are dropped.
type collapser struct {
	buf   []byte
	space bool // white space is pending
	// nonSpace counts the bytes of non-space runes written.
	nonSpace int
}

// write appends s.
func (c *collapser) write(s string) {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if asciiSpace[b] {
				c.space = true
				i++
				continue
			}
			// A run of ASCII non-space bytes goes in at once.
			j := i + 1
			for j < len(s) && s[j] < utf8.RuneSelf && !asciiSpace[s[j]] {
				j++
			}
			if c.space && len(c.buf) > 0 {
				c.buf = append(c.buf, ' ')
			}
			c.space = false
			c.buf = append(c.buf, s[i:j]...)
			c.nonSpace += j - i
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			c.space = true
			i += size
			continue
		}
		if c.space && len(c.buf) > 0 {
			c.buf = append(c.buf, ' ')
		}
		c.space = false
		if r == utf8.RuneError && size == 1 {
			c.buf = utf8.AppendRune(c.buf, r)
		} else {
			c.buf = append(c.buf, s[i:i+size]...)
		}
		c.nonSpace += size
		i += size
	}
}

// asciiSpace are the ASCII white-space bytes collapse and the collapser
// fold (unicode.IsSpace's).
var asciiSpace = [utf8.RuneSelf]bool{' ': true, '\n': true, '\t': true, '\r': true, '\f': true, '\v': true}

// spaceBreak marks a word break, as writing a space would.
func (c *collapser) spaceBreak() { c.space = true }

// take returns the text written so far and empties c, keeping its buffer.
func (c *collapser) take() string {
	s := string(c.buf)
	c.reset()
	return s
}

func (c *collapser) reset() {
	c.buf, c.space, c.nonSpace = c.buf[:0], false, 0
}
