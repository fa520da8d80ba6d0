package extract

import "strings"

// stripScripts empties <script>, <style> and <svg> elements (JSON-LD
// scripts excepted) and drops HTML comments before the page is parsed.
// They are often half of a news page's bytes, are never text, and the
// tokenizer reads them one byte at a time; skipping them with a fast
// search makes the parse cheaper. The tags themselves stay, so nothing
// else about the tree changes.
func stripScripts(raw string) string {
	var b strings.Builder
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
			if b.Cap() == 0 {
				b.Grow(len(raw) / 2)
			}
			b.WriteString(raw[last:i])
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
		if name == "script" && strings.Contains(strings.ToLower(open), "ld+json") {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(raw) / 2)
		}
		b.WriteString(raw[last:bodyStart])
		last = end
	}
	if last == 0 {
		return raw
	}
	b.WriteString(raw[last:])
	return b.String()
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
