package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Small helpers over *html.Node. The extractor walks nodes directly: it is
// faster than selector matching and it lets the scorer keep state per node.

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return true
		}
	}
	return false
}

func isElem(n *html.Node, a ...atom.Atom) bool {
	if n == nil || n.Type != html.ElementNode {
		return false
	}
	if len(a) == 0 {
		return true
	}
	for _, x := range a {
		if n.DataAtom == x {
			return true
		}
	}
	return false
}

// classID is the lower-cased class and id of n, joined by a space.
func classID(n *html.Node) string {
	c, id := attr(n, "class"), attr(n, "id")
	switch {
	case c == "" && id == "":
		return ""
	case id == "":
		return strings.ToLower(c) // no copy when already lower-case
	case c == "":
		return strings.ToLower(id)
	}
	return strings.ToLower(c + " " + id)
}

// removeNode detaches n from its parent.
func removeNode(n *html.Node) {
	if n != nil && n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// treeLog records the changes an extraction attempt makes to the tree,
// so that undo can restore it for the next attempt: a copy of the tree,
// made before the first attempt, would be thrown away for 9 pages in 10.
// A nil log changes the tree the same way and records nothing.
type treeLog struct{ ops []treeOp }

type treeOp struct {
	kind            treeOpKind
	n, parent, next *html.Node
	atom            atom.Atom
	data            string
}

type treeOpKind uint8

const (
	opRemove treeOpKind = iota // n left parent, before next
	opAdd                      // n was added to parent
	opRetag                    // n was atom/data
)

func (l *treeLog) remove(n *html.Node) {
	p := n.Parent
	if p == nil {
		return
	}
	if l != nil {
		l.ops = append(l.ops, treeOp{kind: opRemove, n: n, parent: p, next: n.NextSibling})
	}
	p.RemoveChild(n)
}

func (l *treeLog) appendChild(parent, n *html.Node) {
	parent.AppendChild(n)
	if l != nil {
		l.ops = append(l.ops, treeOp{kind: opAdd, n: n, parent: parent})
	}
}

func (l *treeLog) insertBefore(parent, n, ref *html.Node) {
	parent.InsertBefore(n, ref)
	if l != nil {
		l.ops = append(l.ops, treeOp{kind: opAdd, n: n, parent: parent})
	}
}

func (l *treeLog) retag(n *html.Node, a atom.Atom, data string) {
	if l != nil {
		l.ops = append(l.ops, treeOp{kind: opRetag, n: n, atom: n.DataAtom, data: n.Data})
	}
	n.DataAtom, n.Data = a, data
}

// undo reverts the recorded changes, last first, and empties the log.
func (l *treeLog) undo() {
	for i := len(l.ops) - 1; i >= 0; i-- {
		switch op := l.ops[i]; op.kind {
		case opRemove:
			op.parent.InsertBefore(op.n, op.next)
		case opAdd:
			op.parent.RemoveChild(op.n)
		case opRetag:
			op.n.DataAtom, op.n.Data = op.atom, op.data
		}
	}
	clear(l.ops)
	l.ops = l.ops[:0]
}

// children returns a snapshot of n's child nodes, safe to mutate while iterating.
func children(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

func elementChildren(n *html.Node) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			out = append(out, c)
		}
	}
	return out
}

// walk calls f for every node below n in document order; when f returns
// false the node's children are skipped.
func walk(n *html.Node, f func(*html.Node) bool) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		if f(c) {
			walk(c, f)
		}
		c = next
	}
}

// findAll returns the elements below n with one of the given tags.
func findAll(n *html.Node, tags ...atom.Atom) []*html.Node {
	return appendAll(nil, n, tags)
}

// appendAll is findAll without a closure call per node: it runs for
// every tag list on the whole of a candidate article.
func appendAll(out []*html.Node, n *html.Node, tags []atom.Atom) []*html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			if len(tags) == 0 {
				out = append(out, c) // as isElem: any element
			}
			for _, t := range tags {
				if c.DataAtom == t {
					out = append(out, c)
					break
				}
			}
		}
		out = appendAll(out, c, tags)
	}
	return out
}

func findFirst(n *html.Node, tag atom.Atom) *html.Node {
	var out *html.Node
	walk(n, func(c *html.Node) bool {
		if out != nil {
			return false
		}
		if isElem(c, tag) {
			out = c
			return false
		}
		return true
	})
	return out
}

// hasAncestor reports whether n has an ancestor with one of the tags.
func hasAncestor(n *html.Node, tags ...atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if isElem(p, tags...) {
			return true
		}
	}
	return false
}

var skipText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: false, atom.Head: true, atom.Title: true,
	atom.Iframe: true, atom.Object: true, atom.Select: true, atom.Textarea: true,
	atom.Button: true,
}

// writeText writes the text below n to c, without scripts and styles.
func writeText(n *html.Node, c *collapser) {
	switch n.Type {
	case html.TextNode:
		c.write(n.Data)
		return
	case html.ElementNode:
		if skipText[n.DataAtom] {
			return
		}
		if n.DataAtom == atom.Br {
			c.spaceBreak()
		}
	case html.CommentNode:
		return
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		writeText(ch, c)
		if ch.Type == html.ElementNode && blockTags[ch.DataAtom] {
			c.spaceBreak()
		}
	}
}

// innerText is the whitespace-collapsed text below n.
func innerText(n *html.Node) string {
	var c collapser
	writeText(n, &c)
	return c.take()
}

// hasText reports whether there is text other than white space below n.
func hasText(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return textHasNonSpace(n.Data)
	case html.ElementNode:
		if skipText[n.DataAtom] {
			return false
		}
	case html.CommentNode:
		return false
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if hasText(ch) {
			return true
		}
	}
	return false
}

// textHasNonSpace reports whether s has a rune strings.TrimSpace keeps.
func textHasNonSpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// textLen is the number of runes of innerText(n).
func textLen(n *html.Node) int {
	return utf8.RuneCountInString(innerText(n))
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string {
	if collapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// linkDensity is the share of n's text that sits inside links; links to
// fragments of the same page weigh less.
func linkDensity(n *html.Node) float64 {
	total := textLen(n)
	if total == 0 {
		return 0
	}
	var linked float64
	walk(n, func(c *html.Node) bool {
		if isElem(c, atom.A) {
			w := 1.0
			if strings.HasPrefix(attr(c, "href"), "#") {
				w = 0.3
			}
			linked += float64(textLen(c)) * w
			return false
		}
		return true
	})
	return linked / float64(total)
}

// blockTags are elements that start a new paragraph in the text output.
var blockTags = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Caption: true, atom.Center: true, atom.Dd: true, atom.Details: true,
	atom.Dialog: true, atom.Div: true, atom.Dl: true, atom.Dt: true,
	atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true,
	atom.Form: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true,
	atom.H5: true, atom.H6: true, atom.Header: true, atom.Hgroup: true, atom.Hr: true,
	atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true, atom.P: true,
	atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true,
	atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Tr: true, atom.Ul: true,
	atom.Legend: true, atom.Menu: true, atom.Body: true, atom.Html: true,
	atom.Td: false, atom.Th: false,
}

// textLongerThan reports whether the text below n has more than limit
// runes; it stops reading as soon as it knows, so asking it of a big
// container costs no more than limit.
func textLongerThan(n *html.Node, limit int) bool {
	count := 0
	var rec func(*html.Node) bool
	rec = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				r, _ := textRunes(c.Data)
				if count += r; count > limit {
					return true
				}
			case html.ElementNode:
				if !skipText[c.DataAtom] && rec(c) {
					return true
				}
			}
		}
		return false
	}
	return rec(n)
}

// boundedText is innerText(n) when that has at most limit bytes before
// white space is collapsed; ok is false (and the text empty) when it is
// longer. Loops that test every element of a page use it so they stay
// linear: a big container is rejected without building its text.
func boundedText(n *html.Node, limit int) (string, bool) {
	var c collapser
	read := 0
	var rec func(*html.Node) bool
	rec = func(n *html.Node) bool {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.Type {
			case html.TextNode:
				if read += len(ch.Data); read > limit {
					return false
				}
				c.write(ch.Data)
			case html.ElementNode:
				if skipText[ch.DataAtom] {
					continue
				}
				if ch.DataAtom == atom.Br {
					read++
					c.spaceBreak()
				}
				if !rec(ch) {
					return false
				}
				if blockTags[ch.DataAtom] {
					read++
					c.spaceBreak()
				}
			}
		}
		return true
	}
	if !rec(n) {
		return "", false
	}
	return c.take(), true
}

// markTextAncestors marks the elements up to levels above every text node
// that contains a word of one of wm's lists: bit i of an element's mark
// says a word of list i is near. Scans that test the text of many elements
// ask it first, so they read text only where it can match instead of
// re-reading every subtree.
func markTextAncestors(root *html.Node, levels int, wm *wordMatcher) map[*html.Node]uint8 {
	out := map[*html.Node]uint8{}
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if mark := wm.match(c.Data); mark != 0 {
					for p, i := c.Parent, 0; p != nil && i <= levels; p, i = p.Parent, i+1 {
						out[p] |= mark
					}
				}
			case html.ElementNode, html.DocumentNode:
				if !skipText[c.DataAtom] {
					rec(c)
				}
			}
		}
	}
	rec(root)
	return out
}

// wordMatcher finds which of several lists of words occur in a text, in
// one pass over it: words are lower-case, ASCII letters of the text are
// folded, other letters must match as given.
type wordMatcher struct {
	byFirst [256][]matchWord
	// starts has the bytes a word can start with, in either case.
	starts [256]bool
	all    uint8
}

type matchWord struct {
	w   string
	bit uint8
}

func newWordMatcher(lists ...[]string) *wordMatcher {
	wm := &wordMatcher{}
	for i, list := range lists {
		bit := uint8(1) << i
		wm.all |= bit
		for _, w := range list {
			wm.byFirst[w[0]] = append(wm.byFirst[w[0]], matchWord{w, bit})
			wm.starts[w[0]] = true
			if c := w[0]; 'a' <= c && c <= 'z' {
				wm.starts[c-'a'+'A'] = true
			}
		}
	}
	return wm
}

// match returns the bits of the lists with a word in s.
func (wm *wordMatcher) match(s string) uint8 {
	var mark uint8
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !wm.starts[c] {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		for _, e := range wm.byFirst[c] {
			if mark&e.bit == 0 && hasPrefixFoldASCII(s[i:], e.w) {
				if mark |= e.bit; mark == wm.all {
					return mark
				}
			}
		}
	}
	return mark
}

// hasPrefixFoldASCII reports whether s starts with the lower-case w, ASCII
// letters of s folded.
func hasPrefixFoldASCII(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// collapsed reports whether s is ASCII with single spaces between words
// and none at the ends: collapse would return it as is.
func collapsed(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || (c == ' ' && prev == ' ') {
			return false
		}
		prev = c
	}
	return true
}

// textPrefix is the start of innerText(n): at least limit bytes of it when
// n has that much, white space collapsed.
func textPrefix(n *html.Node, limit int) string {
	var c collapser
	var rec func(*html.Node) bool
	rec = func(n *html.Node) bool {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.Type {
			case html.TextNode:
				c.write(ch.Data)
				if c.nonSpace > limit {
					return true
				}
			case html.ElementNode:
				if skipText[ch.DataAtom] {
					continue
				}
				if ch.DataAtom == atom.Br {
					c.spaceBreak()
				}
				if rec(ch) {
					return true
				}
				if blockTags[ch.DataAtom] {
					c.spaceBreak()
				}
			}
		}
		return false
	}
	rec(n)
	return c.take()
}
