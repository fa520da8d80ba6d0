package extract

import (
	"io"
	"slices"
	"strings"
)

// pageParts is a page with the bodies of <script>, <style> and <svg>
// elements (JSON-LD scripts excepted) and HTML comments left out, held as
// the kept pieces of the original string. They are often half of a news
// page's bytes, are never text, and the tokenizer reads them one byte at a
// time; skipping them with a fast search makes the parse cheaper. The tags
// themselves stay, so nothing else about the tree changes. The parser reads
// the pieces through reader, so no copy of the page is made.
type pageParts []string

// stripScripts splits raw into the pieces the parser is given.
func stripScripts(raw string) pageParts {
	var parts pageParts
	last, pos := 0, 0
	for {
		i := strings.IndexByte(raw[pos:], '<')
		if i < 0 {
			break
		}
		i += pos
		pos = i + 1
		name := ""
		switch {
		case strings.HasPrefix(raw[i+1:], "!--"):
			end := strings.Index(raw[i+4:], "-->")
			if end < 0 {
				break
			}
			end += i + 4 + 3
			parts = appendPart(parts, raw[last:i])
			last, pos = end, end
			continue
		case hasFoldPrefix(raw[i+1:], "svg"):
			name = "svg"
		case hasFoldPrefix(raw[i+1:], "script"):
			name = "script"
		case hasFoldPrefix(raw[i+1:], "style"):
			name = "style"
		default:
			continue
		}
		after := i + 1 + len(name)
		if after >= len(raw) || !(raw[after] == '>' || raw[after] == ' ' || raw[after] == '\t' || raw[after] == '\n' || raw[after] == '\r' || raw[after] == '/') {
			continue
		}
		gt := strings.IndexByte(raw[after:], '>')
		if gt < 0 {
			break
		}
		open := raw[i : after+gt+1]
		bodyStart := after + gt + 1
		end := indexCloseTag(raw, bodyStart, name)
		if end < 0 {
			break
		}
		pos = end
		if name == "script" && containsFold(open, "ld+json") {
			continue
		}
		parts = appendPart(parts, raw[last:bodyStart])
		last = end
	}
	return appendPart(parts, raw[last:])
}

func appendPart(parts pageParts, s string) pageParts {
	if s == "" {
		return parts
	}
	return append(parts, s)
}

// reader reads the pieces one after the other.
func (p pageParts) reader() io.Reader { return &partsReader{parts: p} }

// size is the number of bytes the pieces hold.
func (p pageParts) size() int {
	n := 0
	for _, s := range p {
		n += len(s)
	}
	return n
}

type partsReader struct {
	parts []string
	off   int
}

func (r *partsReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) && len(r.parts) > 0 {
		k := copy(b[n:], r.parts[0][r.off:])
		n += k
		r.off += k
		if r.off == len(r.parts[0]) {
			r.parts, r.off = r.parts[1:], 0
		}
	}
	if n == 0 && len(b) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// indexCloseTag finds "</name" (any case) from start, or -1.
func indexCloseTag(raw string, start int, name string) int {
	for p := start; ; {
		i := strings.Index(raw[p:], "</")
		if i < 0 {
			return -1
		}
		i += p
		if hasFoldPrefix(raw[i+2:], name) {
			return i
		}
		p = i + 2
	}
}

func hasFoldPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// containsFold reports whether s contains the lower-case ASCII word w in
// any case.
func containsFold(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if hasFoldPrefix(s[i:], w) {
			return true
		}
	}
	return false
}

// keptAttrs are the attributes anything reads: the extractor (through
// attr, attrOK, hasAttr, firstWithAttr and pageIndex.add; a test checks
// that every key they are given is here) and the HTML parser itself
// (<input type>, <annotation-xml encoding>; <font color|face|size> is a
// formatting element, whose attributes are all kept).
var keptAttrs = map[string]bool{
	"class": true, "id": true, "style": true, "hidden": true, "aria-hidden": true, "role": true,
	"href": true, "rel": true, "src": true, "srcset": true, "data-src": true, "data-lazy-src": true,
	"data-original": true, "data-url": true, "data-hi-res-src": true,
	"itemprop": true, "content": true, "value": true, "datetime": true, "title": true,
	"name": true, "property": true, "http-equiv": true, "lang": true, "xml:lang": true,
	"type": true, "summary": true, "datatable": true, "encoding": true,
}

// rawTextTags are the elements whose content the tokenizer reads as text
// up to the matching end tag (x/net/html's Tokenizer.readStartTag list).
var rawTextTags = []string{"iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"}

// formattingTags are the elements the parser compares by their attributes
// (the "Noah's Ark" clause): their attributes are all kept. An <a> is
// never compared, because a new <a> first closes any open one.
var formattingTags = []string{"b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"}

// dropAttrs leaves out of the start tags the attributes no one reads
// (keptAttrs): onclick handlers, data-* and aria-* attributes, widths, and
// the like are a tenth of a news page's bytes and a third of its
// attributes, and the tokenizer copies every one several times. It reads
// the pieces as the tokenizer will, so it never takes text, a comment or a
// raw-text element's content for a tag, and it gives up (keeping the rest
// as it is) at anything whose reading it does not mirror exactly: a
// comment or CDATA section left in the stream, MathML, <plaintext>, a tag
// cut between two pieces. The tree parsed from the result is the tree
// parsed from p less the dropped attributes.
func (p pageParts) dropAttrs() pageParts {
	f := attrFilter{out: make(pageParts, 0, 2*len(p))}
	for i, s := range p {
		if !f.piece(s) {
			return append(f.out, p[i+1:]...)
		}
	}
	return f.out
}

type attrFilter struct {
	out pageParts
	// raw is the raw-text element whose end tag the stream is in, or
	// "svg" right after an svg start tag, or "".
	raw string
}

// piece filters s onto f.out; it returns false after giving up (s is
// then on f.out whole from where filtering stopped).
func (f *attrFilter) piece(s string) bool {
	last, i := 0, 0
	giveUp := func() bool {
		f.out = appendPart(f.out, s[last:])
		return false
	}
	for {
		if f.raw == "svg" {
			// stripScripts left the svg's end tag right after it, so the
			// parser leaves foreign content as soon as it entered it.
			if i == len(s) {
				f.out = appendPart(f.out, s[last:])
				return true
			}
			if !closesAt(s, i, "svg") {
				return giveUp()
			}
			f.raw = ""
		}
		if f.raw != "" {
			end, ok := rawEnd(s, i, f.raw)
			if !ok {
				return giveUp()
			}
			if end < 0 {
				// The element goes on in the next piece.
				f.out = appendPart(f.out, s[last:])
				return true
			}
			f.raw, i = "", end
		}
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			f.out = appendPart(f.out, s[last:])
			return true
		}
		k += i
		if k+1 >= len(s) {
			return giveUp()
		}
		switch c := s[k+1]; {
		case isASCIILetter(c):
			t, ok := scanTag(s, k+1)
			if !ok {
				return giveUp()
			}
			name := lowerASCII(s[k+1 : t.nameEnd])
			if name == "math" || name == "plaintext" {
				return giveUp()
			}
			if !slices.Contains(formattingTags, name) {
				for _, a := range t.attrs {
					if a.start > 0 && isHTMLSpace(s[a.start-1]) && !keptAttrs[lowerASCII(s[a.start:a.keyEnd])] {
						f.out = appendPart(f.out, s[last:a.start])
						last = a.end
					}
				}
			}
			if name == "svg" || slices.Contains(rawTextTags, name) {
				f.raw = name
			}
			i = t.end
		case c == '/':
			if k+2 >= len(s) {
				return giveUp()
			}
			switch c := s[k+2]; {
			case isASCIILetter(c):
				t, ok := scanTag(s, k+2)
				if !ok {
					return giveUp()
				}
				i = t.end
			case c == '>':
				i = k + 3
			default:
				gt := strings.IndexByte(s[k+2:], '>')
				if gt < 0 {
					return giveUp()
				}
				i = k + 2 + gt + 1
			}
		case c == '!':
			if strings.HasPrefix(s[k:], "<!--") || strings.HasPrefix(s[k:], "<![") || k+3 >= len(s) {
				return giveUp()
			}
			fallthrough
		case c == '?':
			gt := strings.IndexByte(s[k+1:], '>')
			if gt < 0 {
				return giveUp()
			}
			i = k + 1 + gt + 1
		default:
			i = k + 1
		}
	}
}

// rawEnd finds, from i, the end tag that closes the raw-text element
// name ("</name" then white space, '/' or '>'), as the tokenizer does:
// its offset, or -1 when s ends first. ok is false when the tokenizer
// might read it otherwise: "<!--" in a script (which starts the script
// data escape states), or an end tag cut at the end of s.
func rawEnd(s string, i int, name string) (int, bool) {
	for {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return -1, true
		}
		k += i
		if k+len(name)+2 >= len(s) {
			return 0, false
		}
		if name == "script" && strings.HasPrefix(s[k:], "<!--") {
			return 0, false
		}
		if s[k+1] == '/' && hasFoldPrefix(s[k+2:], name) {
			switch s[k+2+len(name)] {
			case ' ', '\n', '\r', '\t', '\f', '/', '>':
				return k, true
			}
		}
		i = k + 1
	}
}

// closesAt reports whether s has the end tag of name at i.
func closesAt(s string, i int, name string) bool {
	if !strings.HasPrefix(s[i:], "</") || !hasFoldPrefix(s[i+2:], name) || i+2+len(name) >= len(s) {
		return false
	}
	switch s[i+2+len(name)] {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		return true
	}
	return false
}

// tagSpan is a tag read as x/net/html's Tokenizer.readTag reads it.
type tagSpan struct {
	nameEnd int
	attrs   []attrSpan
	end     int // after the closing '>'
}

// attrSpan is one attribute: key, then "=value" if any, to end.
type attrSpan struct{ start, keyEnd, end int }

// scanTag reads the tag whose name starts at i (after "<" or "</"),
// mirroring x/net/html's readTag, readTagName, readTagAttrKey and
// readTagAttrVal; ok is false when s ends inside the tag.
func scanTag(s string, i int) (t tagSpan, ok bool) {
	n := len(s)
	// readTagName
	j := i + 1
	for j < n && !isHTMLSpace(s[j]) && s[j] != '/' && s[j] != '>' {
		j++
	}
	if j >= n {
		return t, false
	}
	t.nameEnd = j
	skip := func() {
		for j < n && isHTMLSpace(s[j]) {
			j++
		}
	}
	skip()
	for {
		if j >= n {
			return t, false
		}
		if s[j] == '>' {
			t.end = j + 1
			return t, true
		}
		// readTagAttrKey
		a := attrSpan{start: j}
		for {
			if j >= n {
				return t, false
			}
			c := s[j]
			if c == '=' && j == a.start {
				j++
				continue
			}
			if c == '=' || isHTMLSpace(c) || c == '/' || c == '>' {
				break
			}
			j++
		}
		a.keyEnd, a.end = j, j
		// readTagAttrVal
		skip()
		if j >= n {
			return t, false
		}
		switch s[j] {
		case '/':
			j++
		case '=':
			j++
			skip()
			if j >= n {
				return t, false
			}
			switch q := s[j]; q {
			case '>':
				a.end = j
			case '\'', '"':
				e := strings.IndexByte(s[j+1:], q)
				if e < 0 {
					return t, false
				}
				j += 1 + e + 1
				a.end = j
			default:
				for j < n && !isHTMLSpace(s[j]) && s[j] != '>' {
					j++
				}
				if j >= n {
					return t, false
				}
				a.end = j
				if s[j] != '>' {
					j++
				}
			}
		}
		if a.keyEnd > a.start {
			t.attrs = append(t.attrs, a)
		}
		skip()
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f'
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// lowerASCII lower-cases the ASCII letters of s, as the tokenizer does
// tag names and attribute keys; it copies only when it changes s.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
