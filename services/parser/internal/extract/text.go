package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// paragraphs renders n as plain-text paragraphs: every block element
// (paragraph, heading, list item, quote, table row, ...) and every line break
// ends a paragraph; table cells are joined with a space; white space is
// collapsed.
func paragraphs(n *html.Node) []string {
	var (
		out []string
		cur = collapser{buf: make([]byte, 0, 512)}
	)
	flush := func() {
		if len(cur.buf) > 0 {
			out = append(out, cur.take())
		}
		cur.reset()
	}
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.write(n.Data)
			return
		case html.ElementNode:
			if skipText[n.DataAtom] {
				return
			}
			switch n.DataAtom {
			case atom.Br, atom.Hr:
				flush()
				return
			case atom.Td, atom.Th:
				cur.spaceBreak()
			case atom.Img:
				return
			}
		case html.CommentNode, html.DoctypeNode:
			return
		}
		block := n.Type == html.ElementNode && blockTags[n.DataAtom]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
		if block {
			flush()
		} else if isElem(n, atom.Td, atom.Th) {
			cur.spaceBreak()
		}
	}
	rec(n)
	flush()
	return out
}

// images lists the absolute URLs of the pictures inside n, in order, once each.
func images(n *html.Node, base *url.URL) []string {
	var out []string
	seen := map[string]bool{}
	for _, img := range findAll(n, atom.Img) {
		src := imageSrc(img)
		if src == "" {
			continue
		}
		abs := resolve(base, src)
		if abs == "" || seen[abs] {
			continue
		}
		seen[abs] = true
		out = append(out, abs)
	}
	return out
}

// imageSrc is the address of an img, preferring lazy-loading attributes
// when src is a placeholder.
func imageSrc(img *html.Node) string {
	src := strings.TrimSpace(attr(img, "src"))
	if src == "" || strings.HasPrefix(src, "data:") || strings.Contains(src, "placeholder") || strings.Contains(src, "blank.gif") {
		for _, k := range []string{"data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src"} {
			if v := strings.TrimSpace(attr(img, k)); v != "" && !strings.HasPrefix(v, "data:") {
				return v
			}
		}
		if ss := attr(img, "srcset"); ss != "" {
			first := strings.Fields(strings.Split(ss, ",")[0])
			if len(first) > 0 {
				return first[0]
			}
		}
		if strings.HasPrefix(src, "data:") {
			return ""
		}
	}
	return src
}

// resolve makes ref absolute against base; only http(s) results are kept.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}
