package extract

import (
	"io"
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
		if i+1 >= len(raw) {
			break
		}
		// Most tags are none of these: one byte tells.
		if c := raw[i+1] | 0x20; c != '!'|0x20 && c != 's' {
			continue
		}
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

// keptAttr reports whether anything reads the attribute key (lower
// case): the extractor (through attr, attrOK, hasAttr, firstWithAttr and
// pageIndex.add; a test checks that every key they are given is here) or
// the HTML parser itself (<input type>, <annotation-xml encoding>; <font
// color|face|size> is a formatting element, whose attributes all stay).
func keptAttr(key string) bool {
	switch key {
	case "class", "id", "style", "hidden", "aria-hidden", "role",
		"href", "rel", "src", "srcset", "data-src", "data-lazy-src",
		"data-original", "data-url", "data-hi-res-src",
		"itemprop", "content", "value", "datetime", "title",
		"name", "property", "http-equiv", "lang", "xml:lang",
		"type", "summary", "datatable", "encoding":
		return true
	}
	return false
}

// tagKind is what dropAttrs needs to know of a start tag's name.
type tagKind uint8

const (
	tagPlain tagKind = iota
	// tagFormatting: an element the parser compares by its attributes
	// (the "Noah's Ark" clause), whose attributes all stay. An <a> is never
	// compared, because a new <a> first closes any open one.
	tagFormatting
	// tagRaw: its content is text up to its end tag (x/net/html's
	// Tokenizer.readStartTag list).
	tagRaw
	tagSVG
	// tagStop: filtering stops (MathML's foreign content, <plaintext>).
	tagStop
)

func kindOf(name string) tagKind {
	switch name {
	case "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u":
		return tagFormatting
	case "iframe", "noembed", "noframes", "noscript", "script", "style", "textarea", "title", "xmp":
		return tagRaw
	case "svg":
		return tagSVG
	case "math", "plaintext":
		return tagStop
	}
	return tagPlain
}

// dropAttrs leaves out of the start tags the attributes no one reads
// (keptAttr): onclick handlers, data-* and aria-* attributes, widths, and
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
	// last is where the part of the current piece not yet on out starts.
	last int
}

// piece filters s onto f.out; it returns false after giving up (s is
// then on f.out whole from where filtering stopped).
func (f *attrFilter) piece(s string) bool {
	f.last = 0
	i := 0
	for {
		if f.raw == "svg" {
			// stripScripts left the svg's end tag right after it, so the
			// parser leaves foreign content as soon as it entered it.
			if i == len(s) {
				break
			}
			if !closesAt(s, i, "svg") {
				return f.giveUp(s)
			}
			f.raw = ""
		}
		if f.raw != "" {
			end, ok := rawEnd(s, i, f.raw)
			if !ok {
				return f.giveUp(s)
			}
			if end < 0 {
				break // the element goes on in the next piece
			}
			f.raw, i = "", end
		}
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			break
		}
		k += i
		if k+1 >= len(s) {
			return f.giveUp(s)
		}
		var ok bool
		switch c := s[k+1]; {
		case isASCIILetter(c):
			i, ok = f.startTag(s, k+1)
		case c == '/':
			if k+2 >= len(s) {
				return f.giveUp(s)
			}
			switch c := s[k+2]; {
			case isASCIILetter(c):
				i, ok = f.tag(s, k+2, false)
			case c == '>':
				i, ok = k+3, true
			default:
				i, ok = closeAngle(s, k+2)
			}
		case c == '!':
			if k+3 >= len(s) || s[k+2] == '-' && s[k+3] == '-' || s[k+2] == '[' {
				return f.giveUp(s)
			}
			i, ok = closeAngle(s, k+1)
		case c == '?':
			i, ok = closeAngle(s, k+1)
		default:
			i, ok = k+1, true
		}
		if !ok {
			return f.giveUp(s)
		}
	}
	f.out = appendPart(f.out, s[f.last:])
	return true
}

func (f *attrFilter) giveUp(s string) bool {
	f.out = appendPart(f.out, s[f.last:])
	return false
}

// closeAngle is the offset after the first '>' from i: the end of a
// bogus comment or a doctype.
func closeAngle(s string, i int) (int, bool) {
	gt := strings.IndexByte(s[i:], '>')
	return i + gt + 1, gt >= 0
}

// startTag reads the start tag whose name starts at i, dropping its
// unread attributes, and returns the offset after it.
func (f *attrFilter) startTag(s string, i int) (int, bool) {
	j := i + 1
	for j < len(s) && byteClass[s[j]]&endsName == 0 {
		j++
	}
	name := s[i:j]
	kind := kindOf(name)
	if kind == tagPlain && hasUpperASCII(name) {
		kind = kindOf(strings.ToLower(name))
	}
	if kind == tagStop {
		return 0, false
	}
	end, ok := f.tag(s, i, kind != tagFormatting)
	switch kind {
	case tagRaw:
		f.raw = strings.ToLower(name)
	case tagSVG:
		f.raw = "svg"
	}
	return end, ok
}

// tag reads the tag whose name starts at i (after "<" or "</") as
// x/net/html's Tokenizer.readTag, readTagName, readTagAttrKey and
// readTagAttrVal do, and returns the offset after it; ok is false when s
// ends inside the tag. With drop, it leaves out of f.out the attributes
// no one reads that follow white space (so that nothing else of the tag
// reads otherwise: "<a/b>" would become the self-closing "<a/>").
func (f *attrFilter) tag(s string, i int, drop bool) (end int, ok bool) {
	n := len(s)
	// readTagName
	j := i + 1
	for j < n && byteClass[s[j]]&endsName == 0 {
		j++
	}
	for j < n && byteClass[s[j]]&space != 0 {
		j++
	}
	for {
		if j >= n {
			return 0, false
		}
		if s[j] == '>' {
			return j + 1, true
		}
		// readTagAttrKey
		start := j
		if s[j] == '=' {
			j++
		}
		for j < n && byteClass[s[j]]&endsKey == 0 {
			j++
		}
		keyEnd := j
		attrEnd := j
		// readTagAttrVal
		for j < n && byteClass[s[j]]&space != 0 {
			j++
		}
		if j >= n {
			return 0, false
		}
		switch s[j] {
		case '/':
			j++
		case '=':
			j++
			for j < n && byteClass[s[j]]&space != 0 {
				j++
			}
			if j >= n {
				return 0, false
			}
			switch q := s[j]; q {
			case '>':
				attrEnd = j
			case '\'', '"':
				e := strings.IndexByte(s[j+1:], q)
				if e < 0 {
					return 0, false
				}
				j += 1 + e + 1
				attrEnd = j
			default:
				for j < n && byteClass[s[j]]&endsValue == 0 {
					j++
				}
				if j >= n {
					return 0, false
				}
				attrEnd = j
			}
		}
		if drop && keyEnd > start && isHTMLSpace(s[start-1]) && !keptKey(s[start:keyEnd]) {
			f.out = appendPart(f.out, s[f.last:start])
			f.last = attrEnd
		}
		for j < n && byteClass[s[j]]&space != 0 {
			j++
		}
	}
}

// keptKey is keptAttr of a key as written (the tokenizer lower-cases it).
func keptKey(k string) bool {
	if hasUpperASCII(k) {
		k = strings.ToLower(k)
	}
	return keptAttr(k)
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

func isHTMLSpace(c byte) bool { return byteClass[c]&space != 0 }

// byteClass has, for each byte, the bits of the tag-reading loops it ends.
var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \n\r\t\f") {
		t[c] |= space | endsName | endsKey | endsValue
	}
	t['/'] |= endsName | endsKey
	t['>'] |= endsName | endsKey | endsValue
	t['='] |= endsKey
	return t
}()

const (
	space     = 1 << iota // HTML white space
	endsName              // white space, '/', '>'
	endsKey               // white space, '/', '>', '='
	endsValue             // white space, '>' (an unquoted value)
)

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}
