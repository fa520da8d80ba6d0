package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageIndex lists, in document order, the elements the metadata readers
// look at, gathered in one walk of the tree: reading metadata with a
// selector engine walked the whole tree once per question.
type pageIndex struct {
	root      *html.Node
	htmlElem  *html.Node
	title     *html.Node
	base      *html.Node // first <base href>
	canonical *html.Node // first <link rel~=canonical>
	metas     []*html.Node
	ldScripts []*html.Node
	h1s       []*html.Node
	// classed have a class or id attribute.
	classed []*html.Node
	// dated are <time>, itemprop date elements and elements with a class or id.
	dated []*html.Node
	// authorish match rel=author, itemprop~=author or a class/id naming a byline or author.
	authorish []*html.Node
	// inline are p, span, div, address, font, small, em, i, b, strong, td and li.
	inline []*html.Node
}

var inlineTextTags = map[atom.Atom]bool{
	atom.P: true, atom.Span: true, atom.Div: true, atom.Address: true, atom.Font: true, atom.Small: true,
	atom.Em: true, atom.I: true, atom.B: true, atom.Strong: true, atom.Td: true, atom.Li: true,
}

func indexPage(doc *html.Node) *pageIndex {
	ix := &pageIndex{root: doc}
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			ix.add(c)
			rec(c)
		}
	}
	rec(doc)
	return ix
}

func (ix *pageIndex) add(n *html.Node) {
	var class, id, itemprop, rel string
	hasClass, hasID := false, false
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "class":
			class, hasClass = a.Val, true
		case "id":
			id, hasID = a.Val, true
		case "itemprop":
			itemprop = a.Val
		case "rel":
			rel = a.Val
		}
	}
	switch n.DataAtom {
	case atom.Html:
		if ix.htmlElem == nil {
			ix.htmlElem = n
		}
	case atom.Title:
		if ix.title == nil {
			ix.title = n
		}
	case atom.Base:
		if ix.base == nil && hasAttr(n, "href") {
			ix.base = n
		}
	case atom.Link:
		if ix.canonical == nil && hasWord(rel, "canonical") && hasAttr(n, "href") {
			ix.canonical = n
		}
	case atom.Meta:
		ix.metas = append(ix.metas, n)
	case atom.Script:
		if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
			ix.ldScripts = append(ix.ldScripts, n)
		}
	case atom.H1:
		ix.h1s = append(ix.h1s, n)
	}
	if hasClass || hasID {
		ix.classed = append(ix.classed, n)
	}
	if n.DataAtom == atom.Time || hasClass || hasID || itemprop == "datePublished" || itemprop == "dateModified" || itemprop == "dateCreated" {
		ix.dated = append(ix.dated, n)
	}
	if rel == "author" || hasWord(itemprop, "author") || authorishClass(class) || strings.Contains(id, "byline") {
		ix.authorish = append(ix.authorish, n)
	}
	if inlineTextTags[n.DataAtom] {
		ix.inline = append(ix.inline, n)
	}
}

// authorishClass reports whether a class names a byline or an author
// ("byline", "Byline", "author", "Author", "autor"); each has a 'y' or a
// 'u', which most class names are rejected for lacking.
func authorishClass(c string) bool {
	if strings.IndexByte(c, 'y') < 0 && strings.IndexByte(c, 'u') < 0 {
		return false
	}
	return strings.Contains(c, "byline") || strings.Contains(c, "author") ||
		strings.Contains(c, "Byline") || strings.Contains(c, "Author") || strings.Contains(c, "autor")
}

// hasWord reports whether the space-separated list has w (as CSS ~= does).
func hasWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}

// firstWithAttr is the first element below n whose attribute key has the
// word w.
func firstWithAttr(n *html.Node, key, w string) *html.Node {
	var out *html.Node
	walk(n, func(c *html.Node) bool {
		if out != nil {
			return false
		}
		if c.Type == html.ElementNode && hasWord(attr(c, key), w) {
			out = c
			return false
		}
		return true
	})
	return out
}

// allText is the raw text below n (scripts included, as for <title> or a
// JSON-LD script).
func allText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			} else if c.Type == html.ElementNode {
				rec(c)
			}
		}
	}
	rec(n)
	return b.String()
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func elementChildCount(n *html.Node) int {
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			k++
		}
	}
	return k
}
