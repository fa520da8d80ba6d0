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
