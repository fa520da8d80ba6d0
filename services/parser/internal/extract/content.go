package extract

import (
	"bytes"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The body extractor is readability-style: paragraphs vote for their
// ancestors by the amount of text and commas they hold, class and id names
// push candidates up or down, link-heavy candidates lose, the best candidate
// and its worthy siblings become the article, and boilerplate inside it is
// removed. When the result is short, it retries with fewer filters.

type flags uint8

const (
	flagStripUnlikely flags = 1 << iota
	flagWeightClasses
	flagCleanConditionally
)

const allFlags = flagStripUnlikely | flagWeightClasses | flagCleanConditionally

// charThreshold is the text length under which a result is thought too
// short and the extractor retries with fewer filters.
const charThreshold = 500

var (
	reUnlikely = substringList("-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|cookie|consent|newsletter|subscribe|promo|share|trending|read-more|readmore|outbrain|taboola")
	reMaybe    = substringList("and|article|body|column|content|main|mathjax|shadow")
	rePositive = substringList("article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story")
	reNegative = substringList("-ad-|hidden|banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget|nav|cookie|newsletter|subscribe|social|read-more|readmore|caption|trending|taboola")
	// reBoilerplate names blocks that are never article text, matched as
	// whole words of a class or id.
	reBoilerplate = wordList("share|sharing|sharedaddy|social|socials|related|comment|comments|disqus|newsletter|subscribe|subscription|promo|promos|cookie|cookies|consent|gdpr|tags|tag-list|taglist|tags-list|sidebar|breadcrumb|breadcrumbs|advert|advertisement|advertising|ads|ad|adsbygoogle|sponsored|banner|popup|modal|outbrain|taboola|recommended|recommendations|trending|most-read|most-popular|read-more|readmore|more-stories|see-also|also-read|related-stories|related-articles|toolbar|signup|sign-up|nav|navbar|navigation|menu")
	reCaption     = wordList("caption|figcaption|credit|credits|photo-credit|image-credit|media__footer|wp-caption-text")
	reByline      = substringList("byline|author|dateline|writtenby|p-author")
	reShare       = wordList("share|sharedaddy")
	reSummary     = wordList("summary|standfirst|dek|lede|subtitle|subheadline|strapline|teaser|article__summary")
	// readMorePrefixes start "Read more" boxes and similar teasers.
	readMorePrefixes = strings.Split("read more|read also|also read|related|see also|recommended|more on this|more from|you may also like|you might also like|watch more|related stories|related articles|most read|trending|follow us|subscribe to|sign up for|click here|lesen sie auch|lesen sie mehr|mehr zum thema|auch interessant|weitere artikel|lire aussi|à lire aussi|a lire aussi|voir aussi|lee también|leer más|lea también|leia também|leia mais|leggi anche|читайте также|смотрите также", "|")
	reDateLine       = wordList("date|dates|time|timestamp|dateline|published|updated|pubdate|post-date|entry-date|meta|article-meta|post-meta|entry-meta")
	reSentenceEnd    = regexp.MustCompile(`\.( |$)`)
)

var unlikelyRoles = map[string]bool{
	"menu": true, "menubar": true, "complementary": true, "navigation": true,
	"alert": true, "alertdialog": true, "dialog": true,
}

// divToPElems are the elements that keep a div from being read as a paragraph.
var divToPElems = map[atom.Atom]bool{
	atom.A: false, atom.Blockquote: true, atom.Dl: true, atom.Div: true, atom.Img: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Table: true, atom.Ul: true,
	atom.Section: true, atom.Article: true, atom.Figure: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true,
	atom.Footer: true, atom.Aside: true, atom.Nav: true, atom.Form: true,
}

// phrasing elements may sit inside a paragraph.
var phrasing = map[atom.Atom]bool{
	atom.Abbr: true, atom.Audio: true, atom.B: true, atom.Bdo: true, atom.Br: true,
	atom.Button: true, atom.Cite: true, atom.Code: true, atom.Data: true, atom.Datalist: true,
	atom.Dfn: true, atom.Em: true, atom.Embed: true, atom.I: true, atom.Img: true,
	atom.Input: true, atom.Kbd: true, atom.Label: true, atom.Mark: true, atom.Math: true,
	atom.Meter: true, atom.Noscript: true, atom.Object: true, atom.Output: true,
	atom.Progress: true, atom.Q: true, atom.Ruby: true, atom.Samp: true, atom.Script: true,
	atom.Select: true, atom.Small: true, atom.Span: true, atom.Strong: true, atom.Sub: true,
	atom.Sup: true, atom.Textarea: true, atom.Time: true, atom.Var: true, atom.Wbr: true,
	atom.A: true, atom.Del: true, atom.Ins: true, atom.U: true, atom.S: true, atom.Font: true,
	atom.Tt: true, atom.Big: true, atom.Strike: true, atom.Acronym: true,
}

type contentExtractor struct {
	flags  flags
	scores map[*html.Node]float64
	// initial holds the score a candidate had before any paragraph voted.
	initial map[*html.Node]float64
	// title and description of the page: headings and standfirsts that
	// repeat them are not body text.
	title, description string
	// st memoises text statistics of the nodes being scored.
	st statCache
	// stripped counts the blocks stripUnlikely removed: when it removed
	// none, a retry without it would do the same work for the same result.
	stripped int
	// classes keeps the matchers' verdicts per class and id: a page
	// repeats a few class names thousands of times.
	classes *classMemo
	// log records the changes to the tree, for the next attempt (nil: not
	// recorded).
	log *treeLog
}

// remove detaches n and forgets the stats it contributed to.
func (e *contentExtractor) remove(n *html.Node) {
	if n == nil || n.Parent == nil {
		return
	}
	p := n.Parent
	e.log.remove(n)
	e.st.forget(p)
}

// classBits are the verdicts of the class and id matchers on a class
// and id string.
type classBits uint16

const (
	cUnlikely    classBits = 1 << iota // reUnlikely and not reMaybe
	cByline                            // reByline
	cCaption                           // reCaption
	cBoilerplate                       // reBoilerplate
	cShare                             // reShare
	cPositive                          // rePositive
	cNegative                          // reNegative
	cDateLine                          // reDateLine
	cSummary                           // reSummary
)

// cMaybe is reMaybe's bit in classSubstrings (cUnlikely there stands for
// reUnlikely alone).
const cMaybe classBits = 1 << 15

// classSubstrings and classWords hold the substring and word lists of
// classBitsOf together, so that it reads a class string once for each
// kind of list rather than once for each list.
var (
	classSubstrings = func() *bitSubstrings {
		m := &bitSubstrings{}
		for _, l := range []struct {
			s   *substrings
			bit classBits
		}{{reUnlikely, cUnlikely}, {reMaybe, cMaybe}, {reByline, cByline}, {rePositive, cPositive}, {reNegative, cNegative}} {
			for c, ws := range l.s.byFirst {
				for _, w := range ws {
					if len(w) < 2 {
						panic("extract: class substring " + w + " is shorter than two bytes")
					}
					m.byFirst[c] = append(m.byFirst[c], bitWord{w, l.bit})
					m.pairs[int(w[0])<<8|int(w[1])] = true
				}
			}
		}
		return m
	}()
	classWords = func() map[string]classBits {
		m := map[string]classBits{}
		for _, l := range []struct {
			s   wordSet
			bit classBits
		}{{reCaption, cCaption}, {reBoilerplate, cBoilerplate}, {reShare, cShare}, {reDateLine, cDateLine}, {reSummary, cSummary}} {
			for w := range l.s {
				m[w] |= l.bit
			}
		}
		return m
	}()
)

func classBitsOf(m string) classBits {
	b := classSubstrings.match(m) | wordBits(classWords, m)
	if b&cMaybe != 0 {
		b &^= cUnlikely
	}
	return b &^ cMaybe
}

type bitSubstrings struct {
	byFirst [256][]bitWord
	// pairs has the first two bytes of every string (all have two or
	// more), so that most positions are passed over at one look.
	pairs [1 << 16]bool
}

type bitWord struct {
	w   string
	bit classBits
}

// match returns the bits of the lists with a string in s.
func (m *bitSubstrings) match(s string) classBits {
	var b classBits
	for i := 0; i+1 < len(s); i++ {
		if !m.pairs[int(s[i])<<8|int(s[i+1])] {
			continue
		}
		for _, e := range m.byFirst[s[i]] {
			if b&e.bit == 0 && strings.HasPrefix(s[i:], e.w) {
				b |= e.bit
			}
		}
	}
	return b
}

// wordBits is the bits of the words of s (or two joined by '-') in m: for
// classWords, of every word set that has one, at once. Allocation-free: it
// runs for every class or id value.
func wordBits(m map[string]classBits, s string) classBits {
	var b classBits
	var buf [96]byte
	prevStart, prevEnd := -1, -1
	for i := 0; i < len(s); {
		if s[i] < 'a' || s[i] > 'z' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		b |= m[s[i:j]]
		if prevStart >= 0 && prevEnd-prevStart+1+j-i <= len(buf) {
			k := append(buf[:0], s[prevStart:prevEnd]...)
			k = append(k, '-')
			k = append(k, s[i:j]...)
			b |= m[string(k)]
		}
		prevStart, prevEnd = i, j
		i = j
	}
	return b
}

// classMemo holds, per class or id value, what classBitsOf needs of it,
// so that an element's bits come from those of its class and its id:
// a page repeats a few class names thousands of times, and its ids are
// short.
type classMemo struct {
	values map[string]valueBits
}

// valueBits is what the class and id matchers find in one lower-cased
// value: the substring and word-list bits (cUnlikely standing for
// reUnlikely alone, with cMaybe), and its first and last words, which
// make a pair with the other value's ("read" "more": "read-more").
type valueBits struct {
	sub, words  classBits
	first, last string
}

func (c *classMemo) value(v string) valueBits {
	if v == "" {
		return valueBits{}
	}
	if c.values == nil {
		c.values = map[string]valueBits{}
	}
	vb, ok := c.values[v]
	if !ok {
		l := strings.ToLower(v)
		vb = valueBits{sub: classSubstrings.match(l), words: wordBits(classWords, l)}
		for i := 0; i < len(l); i++ {
			if 'a' <= l[i] && l[i] <= 'z' {
				j := i + 1
				for j < len(l) && 'a' <= l[j] && l[j] <= 'z' {
					j++
				}
				if vb.first == "" {
					vb.first = l[i:j]
				}
				vb.last = l[i:j]
				i = j
			}
		}
		c.values[v] = vb
	}
	return vb
}

// of returns classBitsOf(classID(n)), and whether n has a class or id.
// No listed substring holds a space, so those of the joined "class id"
// are those of each; its words are each one's and the pair across.
func (c *classMemo) of(n *html.Node) (classBits, bool) {
	cl, id := attr(n, "class"), attr(n, "id")
	if cl == "" && id == "" {
		return 0, false
	}
	a, b := c.value(cl), c.value(id)
	bits := a.sub | b.sub | a.words | b.words
	if a.last != "" && b.first != "" && len(a.last)+1+len(b.first) <= 96 {
		var buf [96]byte
		k := append(buf[:0], a.last...)
		k = append(k, '-')
		k = append(k, b.first...)
		bits |= classWords[string(k)]
	}
	if bits&cMaybe != 0 {
		bits &^= cUnlikely
	}
	return bits &^ cMaybe, true
}

// ofValue returns the bits of strings.ToLower(v).
func (c *classMemo) ofValue(v string) classBits {
	vb := c.value(v)
	bits := vb.sub | vb.words
	if bits&cMaybe != 0 {
		bits &^= cUnlikely
	}
	return bits &^ cMaybe
}

func (e *contentExtractor) memo() *classMemo {
	if e.classes == nil {
		e.classes = &classMemo{}
	}
	return e.classes
}

// cleanDocument removes what is never content, whatever the flags.
func cleanDocument(doc *html.Node) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) bool {
		switch n.Type {
		case html.CommentNode:
			drop = append(drop, n)
			return false
		case html.ElementNode:
		default:
			return true
		}
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Link, atom.Meta,
			atom.Iframe, atom.Svg, atom.Canvas, atom.Object, atom.Embed, atom.Input,
			atom.Select, atom.Textarea, atom.Button, atom.Head, atom.Dialog:
			drop = append(drop, n)
			return false
		case atom.Form:
			// ASP.NET pages wrap the whole page in a form: keep big ones.
			if !textLongerThan(n, charThreshold) {
				drop = append(drop, n)
				return false
			}
		}
		if n.DataAtom == 0 && (n.Data == "math" || strings.Contains(n.Data, ":")) {
			// namespaced or unknown XML islands keep their text
			return true
		}
		if hasAttr(n, "hidden") || hiddenStyle(attr(n, "style")) ||
			(attr(n, "aria-hidden") == "true" && !strings.Contains(attr(n, "class"), "fallback-image")) {
			if !isElem(n, atom.Body, atom.Html) {
				drop = append(drop, n)
				return false
			}
		}
		return true
	})
	for _, n := range drop {
		removeNode(n)
	}
}

func (e *contentExtractor) classWeight(n *html.Node) float64 {
	if e.flags&flagWeightClasses == 0 {
		return 0
	}
	var w float64
	for _, v := range [2]string{attr(n, "class"), attr(n, "id")} {
		if v == "" {
			continue
		}
		b := e.memo().ofValue(v)
		if b&cNegative != 0 {
			w -= 25
		}
		if b&cPositive != 0 {
			w += 25
		}
	}
	return w
}

// stripUnlikely removes navigation, sidebars, comments, bylines and other
// blocks whose names or roles say they are not the article.
func (e *contentExtractor) stripUnlikely(doc *html.Node) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Html, atom.Body, atom.A, atom.Article, atom.Main:
			return true
		case atom.Nav, atom.Aside, atom.Footer:
			drop = append(drop, n)
			return false
		}
		if unlikelyRoles[attr(n, "role")] {
			drop = append(drop, n)
			return false
		}
		cb, _ := e.memo().of(n)
		if isByline(n, cb) && !textLongerThan(n, 100) {
			drop = append(drop, n)
			return false
		}
		if cb&cUnlikely != 0 && !hasAncestor(n, atom.Table, atom.Code) {
			drop = append(drop, n)
			return false
		}
		return true
	})
	for _, n := range drop {
		e.log.remove(n)
	}
	e.stripped = len(drop)
}

// isByline reports whether n is a byline, by its rel, itemprop or class
// and id (cb).
func isByline(n *html.Node, cb classBits) bool {
	if attr(n, "rel") == "author" || strings.Contains(attr(n, "itemprop"), "author") {
		return true
	}
	return cb&cByline != 0
}

func hasBlockDescendant(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (divToPElems[c.DataAtom] || hasBlockDescendant(c)) {
			return true
		}
	}
	return false
}

func isPhrasing(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		return true
	case html.ElementNode:
		if phrasing[n.DataAtom] {
			if n.DataAtom == atom.A || n.DataAtom == atom.Del || n.DataAtom == atom.Ins ||
				n.DataAtom == atom.Span || n.DataAtom == atom.Font {
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if !isPhrasing(c) {
						return false
					}
				}
			}
			return true
		}
	}
	return false
}

// divsToParagraphs turns divs without block children into paragraphs and
// wraps loose text inside divs with block children into paragraphs.
func divsToParagraphs(doc *html.Node, log *treeLog) {
	for _, n := range findAll(doc, atom.Div, atom.Section, atom.Article, atom.Main, atom.Td) {
		if n.DataAtom == atom.Div && !hasBlockDescendant(n) {
			log.retag(n, atom.P, "p")
			continue
		}
		if n.DataAtom == atom.Td {
			continue
		}
		var run []*html.Node
		flush := func(before *html.Node) {
			if len(run) == 0 {
				return
			}
			text := false
			for _, r := range run {
				if text = hasText(r); text {
					break
				}
			}
			if text {
				p := &html.Node{Type: html.ElementNode, DataAtom: atom.P, Data: "p"}
				log.insertBefore(n, p, run[0])
				for _, r := range run {
					log.remove(r)
					log.appendChild(p, r)
				}
			}
			run = run[:0]
		}
		for _, c := range children(n) {
			if isPhrasing(c) {
				run = append(run, c)
			} else {
				flush(c)
			}
		}
		flush(nil)
	}
}

var scoredTags = []atom.Atom{atom.P, atom.Pre, atom.Td, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote}

func (e *contentExtractor) initNode(n *html.Node) {
	if _, ok := e.scores[n]; ok {
		return
	}
	var s float64
	switch n.DataAtom {
	case atom.Div, atom.Article, atom.Main:
		s = 5
	case atom.Pre, atom.Td, atom.Blockquote:
		s = 3
	case atom.Address, atom.Ol, atom.Ul, atom.Dl, atom.Dd, atom.Dt, atom.Li, atom.Form:
		s = -3
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Th:
		s = -5
	}
	e.scores[n] = s + e.classWeight(n)
	e.initial[n] = e.scores[n]
}

// grab returns the article container of doc, or nil.
func (e *contentExtractor) grab(doc *html.Node) *html.Node {
	body := findFirst(doc, atom.Body)
	if body == nil {
		body = doc
	}
	if e.flags&flagStripUnlikely != 0 {
		e.stripUnlikely(body)
	}
	divsToParagraphs(body, e.log)
	// One walk finds the scored blocks and counts the elements, whose
	// stats the scoring memoises nearly all: sizing the cache up front
	// spares growing it.
	var scored []*html.Node
	elems := 0
	walk(body, func(c *html.Node) bool {
		if c.Type == html.ElementNode {
			elems++
		}
		if isElem(c, scoredTags...) {
			scored = append(scored, c)
		}
		return true
	})
	e.st = make(statCache, elems)

	e.scores = map[*html.Node]float64{}
	e.initial = map[*html.Node]float64{}
	var candidates []*html.Node
	for _, p := range scored {
		if p.Parent == nil || p.Parent.Type != html.ElementNode {
			continue
		}
		if isElem(p, atom.Blockquote) && hasBlockDescendant(p) {
			continue
		}
		// Length and commas from the memoised statistics: the same numbers
		// innerText would give, without building the text.
		ps := e.st.get(p)
		n, commas := ps.runes, ps.commas
		if n > 0 {
			n-- // a text starting or ending in white space counts it once
		}
		if n < 25 {
			continue
		}
		score := 1.0 + float64(commas+1) + math.Min(float64(n/100), 3)
		level := 0
		for a := p.Parent; a != nil && a.Type == html.ElementNode && level < 5; a = a.Parent {
			if _, ok := e.scores[a]; !ok {
				e.initNode(a)
				candidates = append(candidates, a)
			}
			div := 1.0
			switch {
			case level == 1:
				div = 2
			case level > 1:
				div = float64(level * 3)
			}
			e.scores[a] += score / div
			level++
		}
	}
	if len(candidates) == 0 {
		return body
	}
	for _, c := range candidates {
		e.scores[c] *= 1 - e.st.linkDensity(c)
	}
	sort.SliceStable(candidates, func(i, j int) bool { return e.scores[candidates[i]] > e.scores[candidates[j]] })
	top := candidates[0]
	if isElem(top, atom.Body, atom.Html) {
		return body
	}
	topScore := e.scores[top]

	// Several good candidates under one ancestor: the ancestor is the article.
	var alternatives [][]*html.Node
	for _, c := range candidates[1:min(len(candidates), 5)] {
		// Ancestors and descendants of top are the same content, not an alternative.
		if e.scores[c]/topScore >= 0.75 && !contains(c, top) && !contains(top, c) {
			var anc []*html.Node
			for a := c.Parent; a != nil; a = a.Parent {
				anc = append(anc, a)
			}
			alternatives = append(alternatives, anc)
		}
	}
	if len(alternatives) >= 3 {
		for p := top.Parent; p != nil && !isElem(p, atom.Body); p = p.Parent {
			count := 0
			for _, anc := range alternatives {
				for _, a := range anc {
					if a == p {
						count++
						break
					}
				}
			}
			if count >= 3 {
				top = p
				break
			}
		}
	}
	e.initNode(top)

	// Climb while the parent scores better.
	lastScore := e.scores[top]
	threshold := lastScore / 3
	for p := top.Parent; p != nil && p.Type == html.ElementNode && !isElem(p, atom.Body); p = p.Parent {
		ps, ok := e.scores[p]
		if !ok {
			continue
		}
		if ps < threshold {
			break
		}
		if ps > lastScore {
			top = p
			break
		}
		lastScore = ps
	}
	// An only child stands for its parent.
	for p := top.Parent; p != nil && p.Type == html.ElementNode && !isElem(p, atom.Body) && len(elementChildren(p)) == 1; p = p.Parent {
		top = p
	}
	e.initNode(top)
	topScore = e.scores[top]

	// Join siblings that look like more of the article.
	parent := top.Parent
	if parent == nil || isElem(top, atom.Body) {
		return top
	}
	sibThreshold := math.Max(10, topScore*0.2)
	topClass := attr(top, "class")
	var keep []*html.Node
	for _, s := range elementChildren(parent) {
		if s == top {
			keep = append(keep, s)
			continue
		}
		if e.isStandfirst(s) || (e.description != "" && similar(innerText(s), e.description)) {
			// A standfirst beside the body goes to Description.
			continue
		}
		ok := false
		bonus := 0.0
		if topClass != "" && attr(s, "class") == topClass {
			bonus = topScore * 0.2
		}
		// Siblings join by the text they hold, not by their class names.
		if sc, scored := e.scores[s]; scored && sc+bonus >= sibThreshold && sc-e.initial[s] >= sibThreshold/2 {
			ok = true
		} else if isElem(s, atom.P) {
			ld := e.st.linkDensity(s)
			text := innerText(s)
			n := utf8.RuneCountInString(text)
			if n > 80 && ld < 0.25 {
				ok = true
			} else if n < 80 && n > 0 && ld == 0 && reSentenceEnd.MatchString(text) {
				ok = true
			}
		}
		if ok {
			keep = append(keep, s)
		}
	}
	if len(keep) == 1 {
		return top
	}
	article := &html.Node{Type: html.ElementNode, DataAtom: atom.Div, Data: "div"}
	for _, s := range keep {
		e.log.remove(s)
		e.log.appendChild(article, s)
	}
	return article
}

// isStandfirst reports whether n is the standfirst (summary) of the page,
// which goes to Description, not to the text.
func (e *contentExtractor) isStandfirst(n *html.Node) bool {
	if cb, _ := e.memo().of(n); cb&cSummary != 0 && e.textLen(n) < 600 {
		return true
	}
	return false
}

func similar(a, b string) bool {
	a, b = strings.ToLower(collapse(a)), strings.ToLower(collapse(b))
	if a == b {
		return true
	}
	if len(a) > 20 && len(b) > 20 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		short := min(len(a), len(b))
		return float64(short)/float64(max(len(a), len(b))) > 0.8
	}
	return false
}

// prepare removes boilerplate inside the article container.
func (e *contentExtractor) prepare(article *html.Node) {
	if e.st == nil {
		e.st = statCache{}
	}
	st := e.st
	// Blocks that never belong to the text, by name or by role.
	var drop []*html.Node
	walk(article, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Figcaption, atom.Aside, atom.Nav, atom.Footer, atom.Form, atom.Fieldset,
			atom.H1, atom.Link, atom.Object, atom.Embed, atom.Menu:
			drop = append(drop, n)
			return false
		}
		if unlikelyRoles[attr(n, "role")] {
			drop = append(drop, n)
			return false
		}
		if cb, has := e.memo().of(n); has {
			if cb&cCaption != 0 && st.textLen(n) < 400 {
				drop = append(drop, n)
				return false
			}
			if cb&cBoilerplate != 0 {
				tl, ld := st.textLen(n), st.linkDensity(n)
				prose := isElem(n, atom.P) && tl >= 200 && ld < 0.3
				if !prose && (cb&cPositive == 0 || ld > 0.3 || tl < 200) {
					drop = append(drop, n)
					return false
				}
			}
			if cb&cShare != 0 && st.textLen(n) < 500 {
				drop = append(drop, n)
				return false
			}
			if isByline(n, cb) && st.textLen(n) < 100 {
				drop = append(drop, n)
				return false
			}
			if cb&cDateLine != 0 && st.textLen(n) < 100 {
				if _, _, ok := findDate(innerText(n)); ok {
					drop = append(drop, n)
					return false
				}
			}
		}
		return true
	})
	for _, n := range drop {
		e.remove(n)
	}

	// "Read more" boxes and similar teasers, by their text.
	drop = drop[:0]
	walk(article, func(n *html.Node) bool {
		if !isElem(n, atom.P, atom.Div, atom.Section, atom.Ul, atom.Li, atom.Blockquote, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6) {
			return true
		}
		if st.textLen(n) >= 300 {
			return true
		}
		// The teaser phrase opens the block: test the first words before
		// building the whole text.
		if !readMore(textPrefix(n, 48)) {
			return true
		}
		t := innerText(n)
		if len(t) < 300 && readMore(t) {
			ld := st.linkDensity(n)
			if ld > 0.3 || len(t) < 40 || strings.HasPrefix(strings.ToLower(t), "read more") {
				drop = append(drop, n)
				return false
			}
		}
		return true
	})
	for _, n := range drop {
		e.remove(n)
	}

	// Headings repeating the title.
	if e.title != "" {
		for _, h := range findAll(article, atom.H2, atom.H3) {
			if similar(innerText(h), e.title) {
				e.remove(h)
			}
		}
	}
	for _, h := range findAll(article, atom.H2) {
		if e.classWeight(h) < 0 {
			e.remove(h)
		}
	}
	// Standfirst blocks inside the container.
	for _, n := range findAll(article, atom.P, atom.Div) {
		if n.Parent != nil && e.isStandfirst(n) && n != article {
			e.remove(n)
		}
	}

	if e.flags&flagCleanConditionally != 0 {
		for _, tag := range []atom.Atom{atom.Table, atom.Ul, atom.Ol, atom.Div, atom.Section} {
			nodes := findAll(article, tag)
			for i := len(nodes) - 1; i >= 0; i-- {
				if e.shouldRemove(nodes[i]) {
					e.remove(nodes[i])
				}
			}
		}
	}

	// Figures left with nothing but a picture and no text stay (images);
	// empty paragraphs go.
	for _, p := range findAll(article, atom.P) {
		if s := st.get(p); s.runes == 0 && s.img == 0 {
			e.remove(p)
		}
	}
}

func isDataTable(t *html.Node) bool {
	if attr(t, "role") == "presentation" || attr(t, "datatable") == "0" {
		return false
	}
	if attr(t, "summary") != "" || findFirst(t, atom.Caption) != nil || findFirst(t, atom.Th) != nil ||
		findFirst(t, atom.Thead) != nil || findFirst(t, atom.Colgroup) != nil {
		return true
	}
	if findFirst(t, atom.Table) != nil {
		return false
	}
	rows := len(findAll(t, atom.Tr))
	cols := 0
	for _, tr := range findAll(t, atom.Tr) {
		cols = max(cols, len(findAll(tr, atom.Td)))
	}
	return rows >= 10 || cols > 4 || rows*cols > 10
}

func (e *contentExtractor) shouldRemove(n *html.Node) bool {
	if n.Parent == nil {
		return false
	}
	if isElem(n, atom.Table) && isDataTable(n) {
		return false
	}
	if hasAncestor(n, atom.Code, atom.Pre) {
		return false
	}
	isList := isElem(n, atom.Ul, atom.Ol)
	weight := e.classWeight(n)
	if weight+e.scores[n] < 0 {
		return true
	}
	st := e.st.get(n)
	if st.commas >= 10 {
		return false
	}
	p := float64(st.p)
	img := float64(st.img)
	li := float64(st.li) - 100
	input := float64(st.input)
	contentLength := st.runes
	headingLen := st.heading
	headingDensity := 0.0
	if contentLength > 0 {
		headingDensity = float64(headingLen) / float64(contentLength)
	}
	ld := e.st.linkDensity(n)
	inFigure := hasAncestor(n, atom.Figure)
	remove := (img > 1 && p/img < 0.5 && !inFigure) ||
		(!isList && li > p) ||
		(input > math.Floor(p/3)) ||
		(!isList && headingDensity < 0.9 && contentLength < 25 && (img == 0 || img > 2) && !inFigure) ||
		(!isList && weight < 25 && ld > 0.2) ||
		(weight >= 25 && ld > 0.5)
	if isList && remove {
		// A list of pictures is content.
		allImages := true
		for _, c := range elementChildren(n) {
			if len(elementChildren(c)) != 1 || findFirst(c, atom.Img) == nil {
				allImages = false
				break
			}
		}
		if allImages {
			return false
		}
	}
	if isList && !remove && ld > 0.5 && contentLength < 1000 {
		// link lists inside the body: "more on this", tag clouds
		return true
	}
	return remove
}

// contains reports whether n is a or one of its ancestors.
func contains(a, n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

// A classMatcher tests a lower-cased class and id string.
type classMatcher interface{ MatchString(string) bool }

// substrings matches when any of the |-separated strings occurs. The
// strings are indexed by their first byte, so that a match reads s once
// instead of once per string.
type substrings struct {
	byFirst [256][]string
}

func substringList(list string) *substrings {
	m := &substrings{}
	for _, w := range strings.Split(list, "|") {
		m.byFirst[w[0]] = append(m.byFirst[w[0]], w)
	}
	return m
}

func (m *substrings) MatchString(s string) bool {
	for i := 0; i < len(s); i++ {
		for _, w := range m.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], w) {
				return true
			}
		}
	}
	return false
}

// wordSet matches whole words of a class or id: runs of letters, or two or
// three such runs joined by '-' or '_' ("read-more", "media__footer").
// Every word maps to one bit, so wordBits scans for it as for classWords.
type wordSet map[string]classBits

func wordList(list string) wordSet {
	m := wordSet{}
	for _, w := range strings.Split(list, "|") {
		m[strings.NewReplacer("_", "-", "--", "-").Replace(w)] = 1
	}
	return m
}

func (m wordSet) MatchString(s string) bool { return wordBits(m, s) != 0 }

func (e *contentExtractor) textLen(n *html.Node) int {
	if e.st == nil {
		return textLen(n)
	}
	return e.st.textLen(n)
}

// junkPara reports whether a short paragraph is page furniture: "printer
// friendly", "e-mail this story", "click here to", a lone "Advertisement".
func junkPara(p string) bool {
	l := strings.ToLower(p)
	for _, s := range []string{"printer friendly", "printer-friendly", "email this ", "e-mail this ", "share this story", "share this article", "share this page", "click here to"} {
		if strings.Contains(l, s) {
			if !strings.HasPrefix(s, "e") || strings.Contains(l, s+"story") || strings.Contains(l, s+"article") || strings.Contains(l, s+"page") {
				return true
			}
		}
	}
	if strings.HasSuffix(l, "advertisement") {
		return true
	}
	switch strings.TrimSpace(l) {
	case "anzeige", "werbung", "publicité", "publicidad":
		return true
	}
	return false
}

// readMore reports whether t starts, after punctuation, with a teaser
// phrase ("Read more", "Lire aussi") as a whole word.
// readMoreFirst has the first letters of readMorePrefixes.
var readMoreFirst = func() map[rune]bool {
	m := map[rune]bool{}
	for _, p := range readMorePrefixes {
		r, _ := utf8.DecodeRuneInString(p)
		m[r] = true
	}
	return m
}()

func readMore(t string) bool {
	t = strings.TrimLeftFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' })
	if t == "" {
		return false
	}
	// Most blocks start with no phrase's first letter: tell before
	// lower-casing the text.
	if r, _ := utf8.DecodeRuneInString(t); !readMoreFirst[unicode.ToLower(r)] {
		return false
	}
	l := strings.ToLower(t)
	for _, p := range readMorePrefixes {
		if strings.HasPrefix(l, p) {
			rest := l[len(p):]
			r, _ := utf8.DecodeRuneInString(rest)
			if rest == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
				return true
			}
		}
	}
	return false
}

// hiddenStyle reports whether an inline style hides the element
// (display:none or visibility:hidden, any case and spacing).
func hiddenStyle(style string) bool {
	if style == "" {
		return false
	}
	var b [1024]byte
	k := b[:0]
	for i := 0; i < len(style) && len(k) < cap(b); i++ {
		c := style[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	return bytes.Contains(k, []byte("display:none")) || bytes.Contains(k, []byte("visibility:hidden"))
}
