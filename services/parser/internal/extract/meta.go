package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/publicsuffix"
)

// metadata is what the page says about itself, read before the body is
// extracted (the body extractor mutates the tree).
type metadata struct {
	metas       map[string][]string // meta name/property/itemprop (lower-case) -> contents
	ld          linkedData
	htmlTitle   string
	h1          string
	siteName    string
	title       string
	description string
	canonical   string // raw, as given by rel=canonical or og:url
	ogURL       string
	base        *url.URL
	lang        string
	topImage    string
	authors     []string
	published   *time.Time
	// publishedFromURL is set when the only date found was in the URL.
	publishedFromURL bool
	modified         *time.Time
	tags             []string
	offMemo          map[*html.Node]bool
	// near marks the elements close to a byline or publication label
	// (labelled computes it once for both scans).
	near       map[*html.Node]uint8
	standfirst string
}

func (m *metadata) meta(keys ...string) string {
	for _, k := range keys {
		for _, v := range m.metas[k] {
			if v = collapse(v); v != "" {
				return v
			}
		}
	}
	return ""
}

func (m *metadata) metaAll(keys ...string) []string {
	var out []string
	for _, k := range keys {
		for _, v := range m.metas[k] {
			if v = collapse(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// readMetadata reads the page's metadata. pageURL is the effective URL.
func readMetadata(doc *html.Node, pageURL *url.URL) *metadata {
	ix := indexPage(doc)
	m := &metadata{metas: map[string][]string{}, base: pageURL}
	for _, n := range ix.metas {
		content, ok := attrOK(n, "content")
		if !ok {
			content, ok = attrOK(n, "value")
			if !ok {
				content = attr(n, "datetime")
			}
		}
		for _, k := range []string{"name", "property", "itemprop", "http-equiv"} {
			for _, key := range strings.Fields(strings.ToLower(attr(n, k))) {
				m.metas[key] = append(m.metas[key], content)
			}
		}
	}
	if ix.base != nil && pageURL != nil {
		if u, err := url.Parse(strings.TrimSpace(attr(ix.base, "href"))); err == nil {
			m.base = pageURL.ResolveReference(u)
		}
	}
	m.ld = readLinkedData(ix.ldScripts)
	if ix.title != nil {
		m.htmlTitle = collapse(allText(ix.title))
	}
	for _, h := range ix.h1s {
		if t := collapse(allText(h)); t != "" {
			m.h1 = t
			break
		}
	}

	m.siteName = firstOf(m.meta("og:site_name", "application-name", "al:android:app_name", "al:ios:app_name", "twitter:app:name:iphone"), m.ld.Publisher)

	// Title.
	domain := ""
	if pageURL != nil {
		domain = pageURL.Hostname()
		if d, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
			domain = d
		}
	}
	m.title = m.chooseTitle(domain)

	// Description, else the standfirst (looked for only when needed).
	m.description = firstOf(m.meta("og:description", "description", "dc:description", "dcterm:description", "twitter:description", "sailthru.description"), m.ld.Description)
	for _, n := range ix.classed {
		if m.description != "" {
			break
		}
		cid := classID(n)
		if !reSummary.MatchString(cid) || reNegative.MatchString(cid) && !strings.Contains(cid, "summary") {
			continue
		}
		if t, ok := boundedText(n, 2400); ok && len(t) > 30 && len(t) < 600 {
			m.standfirst = t
			break
		}
	}
	if m.description == "" {
		m.description = m.standfirst
	}

	// Canonical URL.
	if ix.canonical != nil {
		m.canonical = resolve(m.base, attr(ix.canonical, "href"))
	}
	m.ogURL = resolve(m.base, m.meta("og:url"))

	// Language.
	lang := attr(ix.htmlElem, "lang")
	if lang == "" {
		lang = attr(ix.htmlElem, "xml:lang")
	}
	if lang == "" {
		lang = firstOf(m.meta("content-language", "language", "dc.language", "dc:language"), m.ld.Language, m.meta("og:locale"))
	}
	m.lang = primaryLanguage(lang)

	m.topImage = resolve(m.base, firstOf(m.meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"), m.ld.Image))

	// Tags.
	var tags []string
	tags = append(tags, m.metaAll("article:tag", "og:article:tag")...)
	for _, k := range m.metaAll("keywords", "news_keywords") {
		tags = append(tags, splitList(k)...)
	}
	tags = append(tags, m.ld.Keywords...)
	m.tags = dedupe(tags, 50)

	m.readAuthors(ix)
	m.readDates(ix)
	return m
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// primaryLanguage turns "en-US", "en_GB", "EN" into "en".
func primaryLanguage(s string) string {
	s = strings.TrimSpace(strings.Split(s, ",")[0])
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return s
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if p = collapse(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dedupe(vs []string, limit int) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range vs {
		k := strings.ToLower(v)
		if v == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
		if len(out) == limit {
			break
		}
	}
	return out
}

// chooseTitle picks the headline: the schema.org headline, Dublin Core,
// Open Graph and Twitter titles, the <title> element and the first <h1>, in
// that order, each without the site's name; a candidate that merely names
// the site (a JSON-LD "name" that is the publisher's) is never the title.
func (m *metadata) chooseTitle(domain string) string {
	clean := func(t string) string { return cleanTitle(t, m.siteName, m.h1, domain) }
	named := func(t string) bool {
		return t == "" || siteLike(t, m.siteName) || siteLike(t, m.ld.Publisher) || siteLike(t, domain)
	}
	var cands []string
	headline, name := m.ld.Headline, m.ld.Name
	if headline != "" && name != "" && headline != name && m.htmlTitle != "" {
		// schema.org name and headline differ (one may be the site's name,
		// or a description): the one the <title> element repeats.
		if overlap(name, m.htmlTitle) > 0.75 && overlap(headline, m.htmlTitle) <= 0.75 {
			headline = name
		}
	}
	for _, t := range append([]string{headline}, m.metaAll("dc:title", "dc.title", "dcterm:title", "dcterms.title", "og:title", "weibo:article:title", "title", "twitter:title", "parsely-title", "sailthru.title")...) {
		// A title that is the site's name alone (og:title = og:site_name
		// on a page that gives no headline) says nothing of the article.
		if isName(t, m.siteName) || isName(t, m.ld.Publisher) {
			continue
		}
		if t = m.stripSite(t, domain); !named(t) {
			cands = append(cands, t)
		}
	}
	if n := m.stripSite(name, domain); !named(n) && len(cands) == 0 {
		cands = append(cands, n)
	}
	if len(cands) > 0 {
		return completeTitle(cands[0], append(cands[1:], m.h1, clean(m.htmlTitle)))
	}
	if t := clean(m.htmlTitle); t != "" {
		return completeTitle(t, []string{m.h1})
	}
	return clean(m.h1)
}

// completeTitle returns the first of others that t, cut short with an
// ellipsis, begins, else t: CMSs shorten the schema.org headline and the
// social titles to fit search results and cards (110 characters), the
// <h1> keeps the whole headline.
func completeTitle(t string, others []string) string {
	stem, ok := strings.CutSuffix(t, "…")
	if !ok {
		if stem, ok = strings.CutSuffix(t, "..."); !ok {
			return t
		}
	}
	stem = strings.TrimSpace(stem)
	if utf8.RuneCountInString(stem) < 20 {
		return t
	}
	for _, o := range others {
		if len(o) > len(t) && strings.HasPrefix(o, stem) && !strings.HasSuffix(o, "…") && !strings.HasSuffix(o, "...") {
			return o
		}
	}
	return t
}

// stripSite removes the site's name, as og:site_name, the publisher or the
// domain give it, from a title the page's metadata declares.
func (m *metadata) stripSite(t, domain string) string {
	t = stripSiteName(t, m.siteName, domain)
	if p := m.ld.Publisher; p != "" && p != m.siteName {
		t = stripSiteName(t, p, domain)
	}
	return t
}

// isName reports whether t is the name itself, punctuation and case aside.
func isName(t, name string) bool {
	n := normName(name)
	return n != "" && normName(t) == n
}

// overlap is the share of a's words that occur in b (case-folded).
func overlap(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 {
		return 0
	}
	in := make(map[string]bool, len(wb))
	for _, w := range wb {
		in[w] = true
	}
	n := 0
	for _, w := range wa {
		if in[w] {
			n++
		}
	}
	return float64(n) / float64(len(wa))
}

func hasCJK(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

var titleSeps = []string{" | ", " — ", " – ", " -- ", " - ", " :: ", " « ", " » ", " · ", " / ", " ~ ", " • "}

// cleanTitle removes a site name before or after the headline, and what
// looks like one: a <title> element is "headline SEP site" or "headline
// SEP section SEP site" on most sites, whatever the site is called.
func cleanTitle(t, site, h1, domain string) string {
	t = stripSiteName(t, site, domain)
	// The h1 is the headline when the title is "h1 SEP something".
	if h1 != "" && h1 != t && strings.HasPrefix(t, h1) {
		rest := strings.TrimSpace(t[len(h1):])
		for _, sep := range titleSeps {
			if strings.HasPrefix(rest, strings.TrimSpace(sep)+" ") {
				return h1
			}
		}
	}
	// The part after the last separator is the site's name when it looks
	// like a name: one part only, as the site is named once ("headline |
	// Section | Site" keeps its section), except along a path ("… » Local
	// » Noticias"), whose section names go too.
	for _, sep := range titleSeps {
		i := strings.LastIndex(t, sep)
		if i <= 0 {
			continue
		}
		head, tail := t[:i], t[i+len(sep):]
		if wordCount(head) >= 4 && siteTail(tail, sep) {
			t = strings.TrimSpace(head)
			if hierarchical[sep] {
				t = stripPath(t, sep)
			}
		}
		break
	}
	return t
}

// siteTail reports whether tail, the part of a <title> after sep, looks
// like a site's name: a short name in title case, or two words. After a
// pipe the name may be longer ("… | My Hero Academia [Archive of Our
// Own]"): headlines use dashes and colons, a pipe sets the page's name
// apart from the site's.
func siteTail(tail, sep string) bool {
	if strings.ContainsAny(tail, "?!:\"“") {
		return false
	}
	tw := wordCount(tail)
	if tw <= 2 {
		return true
	}
	return capitalized(tail) && (tw <= 4 || sep == " | ")
}

// hierarchical separators join the parts of a path: "headline » Section »
// Site".
var hierarchical = map[string]bool{" » ": true, " / ": true, " :: ": true}

// stripPath removes the short section names left at the end of t once the
// site's name after the same hierarchical separator is gone.
func stripPath(t, sep string) string {
	for range 4 {
		i := strings.LastIndex(t, sep)
		if i <= 0 {
			break
		}
		head, tail := t[:i], t[i+len(sep):]
		if wordCount(head) < 4 || wordCount(tail) > 3 || !capitalized(tail) || strings.ContainsAny(tail, "?!:\"“") {
			break
		}
		t = strings.TrimSpace(head)
	}
	return t
}

// stripSiteName removes the site's name (or its domain) before or after
// the headline, and a short name glued on without spaces in CJK titles.
// Other parts stay: a title given in the page's metadata ("headline | Jane
// Doe", "chapter - story") says what the page wants to be called, and only
// the site's own name is known not to be part of it.
func stripSiteName(t, site, domain string) string {
	t = collapse(t)
	if t == "" {
		return ""
	}
	for range 2 {
		stripped := false
		for _, sep := range titleSeps {
			i := strings.LastIndex(t, sep)
			if i > 0 {
				head, tail := t[:i], t[i+len(sep):]
				if siteLike(tail, site) || siteLike(tail, domain) {
					t, stripped = strings.TrimSpace(head), true
					if hierarchical[sep] {
						t = stripPath(t, sep)
					}
					break
				}
			}
			if j := strings.Index(t, sep); j > 0 {
				head, tail := t[:j], t[j+len(sep):]
				if (siteLike(head, site) || siteLike(head, domain)) && wordCount(tail) >= 2 {
					t, stripped = strings.TrimSpace(tail), true
					break
				}
			}
		}
		if !stripped {
			break
		}
	}
	// Scripts written without spaces glue the site name on: "标题-新华网".
	if hasCJK(t) {
		// Only a single glued part: "标题_科技_腾讯网" is a channel path,
		// and cutting one part would leave "标题_科技".
		if i := strings.LastIndexAny(t, "-_|｜—"); i > 0 && strings.IndexAny(t, "-_|｜—") == i {
			head, tail := strings.TrimSpace(t[:i]), strings.TrimSpace(t[i+1:])
			if _, size := utf8.DecodeRuneInString(t[i:]); size > 1 {
				tail = strings.TrimSpace(t[i+size:])
			}
			if n := utf8.RuneCountInString(tail); n > 0 && n <= 8 && !strings.Contains(tail, " ") && utf8.RuneCountInString(head) >= 2*n {
				t = head
			}
		}
	}
	return t
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func capitalized(s string) bool {
	for _, w := range strings.Fields(s) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && len(w) > 3 {
			return false
		}
	}
	return true
}

func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// siteLike reports whether part of a title names the site.
func siteLike(part, site string) bool {
	p := normName(part)
	if p == "" {
		return false
	}
	if site != "" && !strings.Contains(site, " ") && strings.Contains(site, ".") {
		// a domain: compare with its first label(s) without the suffix
		d := strings.TrimPrefix(strings.ToLower(site), "www.")
		if i := strings.LastIndex(d, "."); i > 0 {
			d = d[:i]
		}
		// the name the domain spells, alone or followed by a place or
		// a word: "Ultima Hora Mallorca" on ultimahora.es
		if nd := normName(d); nd == p || len(nd) >= 5 && strings.HasPrefix(p, nd) {
			return true
		}
	}
	if s := normName(site); s != "" {
		if p == s || (len(s) >= 3 && strings.HasPrefix(p, s)) || (len(p) >= 3 && strings.HasPrefix(s, p)) {
			return true
		}
	}
	return strings.Contains(part, ".") && !strings.Contains(part, " ") && len(part) < 40 // "example.com"
}

var (
	reByPrefix  = regexp.MustCompile(`(?i)^\s*(?:(?:written|posted|reported|words|text|story)\s+by|by|von|par|por|di|door|av|autor(?:in)?:?|author:?|de)\s*:?\s+`)
	reNameNoise = regexp.MustCompile(`(?i)\s*(?:\||,|-|–|—)?\s*(?:(?:edited|reviewed|fact[- ]checked|photos?|photographs?|illustrations?|graphics|additional reporting)\s+by\b|updated|published|posted|last updated|follow|twitter|email|staff writer|contributor|correspondent|reporter|editor|\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}).*$`)
)

var (
	// reNameURL matches a URL or e-mail address in a byline, with the
	// parentheses around it: "Jane Doe (https://example.com/jane)".
	reNameURL = regexp.MustCompile(`\(?\s*(?:https?://|www\.|mailto:)[^\s)]*\s*\)?|\(?\s*[\w.+-]+@[\w-]+\.[\w.]+\s*\)?`)
	// reNameWith turns "A (with B, C)" into "A, B, C".
	reNameWith = regexp.MustCompile(`(?i)\(\s*(?:avec|with|mit|con|com|met)\s+([^)]*)\)`)
)

// splitNames turns a byline into names.
func splitNames(s string) []string {
	s = collapse(s)
	if s == "" {
		return nil
	}
	s = reNameURL.ReplaceAllString(s, "")
	s = reNameWith.ReplaceAllString(s, ", $1")
	s = reByPrefix.ReplaceAllString(s, "")
	s = reNameNoise.ReplaceAllString(s, "")
	parts := regexp.MustCompile(`\s*(?:,|;|\||&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*`).Split(s, -1)
	var out []string
	for _, p := range parts {
		p = strings.Trim(collapse(reByPrefix.ReplaceAllString(p, "")), " .:-–—")
		if looksLikeName(p) {
			out = append(out, p)
		}
	}
	return out
}

func looksLikeName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 60 || strings.ContainsAny(s, "@/<>{}=") || strings.Contains(s, "http") {
		return false
	}
	words := strings.Fields(s)
	// Quotes only around a nickname inside a full name: Amanda "Tania Mae" Tan.
	if q := strings.Count(s, `"`); q > 0 && (q != 2 || len(words) < 3) {
		return false
	}
	if len(words) == 1 && utf8.RuneCountInString(s) <= 3 && !hasCJK(s) {
		// "MA", "PhD", "AP": degrees and agencies, not names
		return false
	}
	if len(words) > 6 {
		return false
	}
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if digits > 0 {
		return false
	}
	switch strings.ToLower(s) {
	case "admin", "staff", "editor", "editors", "unknown", "anonymous", "reuters", "ap", "afp", "associated press", "rt", "cnn":
		return false
	}
	// A single lower-case word is no name ("by admin").
	if len(words) == 1 {
		r, _ := utf8.DecodeRuneInString(s)
		if unicode.IsLower(r) {
			return false
		}
	}
	return true
}

// readAuthors fills m.authors from JSON-LD, meta tags and visible bylines.
func (m *metadata) readAuthors(ix *pageIndex) {
	var names []string
	names = append(names, m.ld.Authors...)
	if len(names) == 0 {
		for _, v := range m.metaAll("dc:creator", "dc.creator", "dcterm:creator", "author", "parsely-author", "sailthru.author", "article:author", "byl") {
			if strings.HasPrefix(v, "http") {
				continue
			}
			names = append(names, splitNames(v)...)
			if len(names) > 0 {
				break
			}
		}
	}
	if len(names) == 0 {
		for _, n := range ix.authorish {
			if !m.authorFrom(n, &names) {
				break
			}
		}
	}
	if len(names) == 0 {
		// A visible "By Jane Doe" line near the top.
		near := m.labelled(ix)
		for _, n := range ix.inline {
			if near[n]&labelByline == 0 || elementChildCount(n) > 3 {
				continue
			}
			t, ok := boundedText(n, 600)
			if !ok || len(t) < 6 || len(t) > 150 || m.offArticle(n) {
				continue
			}
			if len(t) <= 80 && reByLine.MatchString(t) {
				if got := splitNames(t); len(got) > 0 && len(got) <= 4 {
					names = append(names, got...)
					break
				}
			}
			if mm := reByInside.FindStringSubmatch(t); mm != nil {
				if got := splitNames(mm[1]); len(got) > 0 {
					names = append(names, got...)
					break
				}
			}
		}
	}
	m.finishAuthors(names)
}

// authorFrom reads names from an element marked as the author or byline;
// it returns false once names are found.
func (m *metadata) authorFrom(n *html.Node, names *[]string) bool {
	if m.offArticle(n) || n.DataAtom == atom.Meta || n.DataAtom == atom.Link {
		return true
	}
	var t string
	if nm := firstWithAttr(n, "itemprop", "name"); nm != nil {
		t = attr(nm, "content")
		if t == "" {
			t = allText(nm)
		}
	} else {
		t, _ = boundedText(n, 800)
	}
	t = collapse(t)
	if t == "" || utf8.RuneCountInString(t) > 100 {
		return true
	}
	if got := splitNames(t); len(got) > 0 {
		*names = append(*names, got...)
		return false
	}
	return true
}

// finishAuthors drops the outlet from the names found and keeps ten.
func (m *metadata) finishAuthors(names []string) {
	var out []string
	site := normName(m.siteName)
	for _, n := range dedupe(names, 10) {
		if site != "" && normName(n) == site {
			continue
		}
		// "Kelli Miller WebMD Health News": the outlet glued to the name.
		if m.siteName != "" && len(m.siteName) >= 3 {
			if i := strings.Index(strings.ToLower(n), strings.ToLower(m.siteName)); i > 0 {
				n = strings.TrimSpace(strings.Trim(n[:i], " ,-–—|"))
				if !looksLikeName(n) {
					continue
				}
			}
		}
		out = append(out, n)
	}
	m.authors = dedupe(out, 10)
}

var reByLine = regexp.MustCompile(`^(?i:by)\s+\p{Lu}\p{L}+(?:[\s.'-]+\p{Lu}\p{L}*\.?){1,3}(?:\s*(?:,|and|&)\s*\p{Lu}\p{L}+(?:[\s.'-]+\p{Lu}\p{L}*\.?){1,3})*$`)

// inBoilerplate reports whether n sits in navigation, comments or
// related-content blocks, where dates and names are not the article's.
func inBoilerplate(n *html.Node) bool {
	return offArticle(n, nil)
}

// offArticle is inBoilerplate with the answers per element kept in memo
// (nil: none kept): the metadata scans ask it of many elements that share
// ancestors.
func offArticle(n *html.Node, memo map[*html.Node]bool) bool {
	if n == nil {
		return false
	}
	if v, ok := memo[n]; ok {
		return v
	}
	v := selfOffArticle(n) || offArticle(n.Parent, memo)
	if memo != nil {
		memo[n] = v
	}
	return v
}

// offArticle reports whether n sits in navigation, comments or related
// content, remembering the answers for the page.
func (m *metadata) offArticle(n *html.Node) bool {
	if m.offMemo == nil {
		m.offMemo = map[*html.Node]bool{}
	}
	return offArticle(n, m.offMemo)
}

func selfOffArticle(p *html.Node) bool {
	if p.Type != html.ElementNode {
		return false
	}
	switch p.Data {
	case "nav", "aside", "footer":
		return true
	}
	m := classID(p)
	return m != "" && reOffArticle.MatchString(m)
}

var reOffArticle = wordList("comment|comments|comment-list|disqus|related|sidebar|trending|most-read|most-popular|recommended|more-stories|read-more|readmore|promo|footer|nav|navbar|menu|teaser|card|widget")

var (
	rePublishLabel = regexp.MustCompile(`(?i)^\W*(posted|published|updated|last updated|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|опубликовано)\b`)
	// publishLabels are rePublishLabel's words, for a quick test.
	publishLabels = []string{"posted", "published", "updated", "veröffentlicht", "aktualisiert", "publié", "mis à jour", "publicado", "actualizado", "pubblicato", "aggiornato", "опубликовано", "Опубликовано", "ОПУБЛИКОВАНО"}
	// bylineWords start a visible byline.
	bylineWords = []string{"by ", "by\n", "von ", "par ", "por "}
	// labelWords finds both in one pass (bits labelByline, labelPublish).
	labelWords    = newWordMatcher(bylineWords, publishLabels)
	reByStart     = regexp.MustCompile(`^(?:By|BY|Von|VON|Par|Por|Door)\s+\p{Lu}`)
	reByInside    = regexp.MustCompile(`(?:^|[·|•,—–-]\s*|\s)(?:By|BY|Von|Par|Por)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}\.)?(?:\s+(?:de |van |von |da |del |le )?\p{Lu}[\p{L}'’-]+){1,2})`)
	rePublishWord = regexp.MustCompile(`(?i)publi|posted|erschienen|veröffentlicht|publicado|pubblicato|опубликовано|date|datum|fecha`)
	reModifyWord  = regexp.MustCompile(`(?i)edit|updat|modif|aktualisiert|actualizado|aggiornato|mis à jour|обновлено`)
	// dateClassWords are the class and id names of date lines (any case).
	dateClassWords = newWordMatcher(strings.Split("date|time|publish|posted|dateline|timestamp|byline|meta|datum|fecha", "|"))
)

// Bits of metadata.near.
const (
	labelByline uint8 = 1 << iota
	labelPublish
)

// labelled marks, in one pass over the page's text, the elements up to
// three levels above a text that holds a byline word ("By ") or a
// publication label ("Published"): the author and date scans read the text
// of those elements only.
func (m *metadata) labelled(ix *pageIndex) map[*html.Node]uint8 {
	if m.near == nil {
		m.near = markTextAncestors(ix.root, 3, labelWords)
	}
	return m.near
}

// readDates fills the publication and modification times.
func (m *metadata) readDates(ix *pageIndex) {
	pick := func(vs ...string) *time.Time {
		for _, v := range vs {
			if t, _, ok := parseDate(v); ok {
				return &t
			}
		}
		return nil
	}
	m.published = pick(append([]string{m.ld.DatePublished}, m.metaAll(
		"article:published_time", "og:article:published_time", "published_time", "article:published",
		"datepublished", "publishdate", "publish-date", "pubdate", "publish_date", "date",
		"dc.date.issued", "dc.date", "dc:date", "dcterms.issued", "dcterms.created", "dcterms.date", "sailthru.date",
		"parsely-pub-date", "article.published", "original-publish-date", "datecreated", "citation_publication_date",
		"citation_date", "og:published_time")...)...)
	m.modified = pick(append([]string{m.ld.DateModified}, m.metaAll(
		"article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "dcterms.modified",
		"last-modified", "article.updated", "lastmod")...)...)
	if m.published != nil && m.modified != nil {
		return
	}

	// <time datetime>, itemprop dates and visible date lines.
	var pubVisible, modVisible *time.Time
	for _, n := range ix.dated {
		if !m.dateFrom(n, &pubVisible, &modVisible) {
			break
		}
	}
	if pubVisible == nil {
		// "Posted: March 2, 2011 at 10:15 pm EST" in an unmarked element.
		near := m.labelled(ix)
		for _, n := range ix.inline {
			if near[n]&labelPublish == 0 {
				continue
			}
			t, ok := boundedText(n, 600)
			if !ok || len(t) > 150 || len(t) < 8 || !rePublishLabel.MatchString(t) || m.offArticle(n) {
				continue
			}
			if tt, _, ok := findDate(t); ok {
				pubVisible = &tt
				break
			}
		}
	}
	if m.published == nil {
		m.published = pubVisible
	}
	if m.modified == nil {
		m.modified = modVisible
	}
	if m.published == nil && m.base != nil {
		if t, ok := urlDate(m.base.Path); ok {
			m.published, m.publishedFromURL = &t, true
		}
	}
}

// dateFrom reads a date from a <time>, an itemprop date or an element whose
// class names a date; it returns false once both dates are known.
func (m *metadata) dateFrom(n *html.Node, pubVisible, modVisible **time.Time) bool {
	isTime := n.DataAtom == atom.Time
	prop := attr(n, "itemprop")
	if prop != "datePublished" && prop != "dateModified" && prop != "dateCreated" {
		prop = ""
	}
	prop = strings.ToLower(prop)
	if !isTime && prop == "" && dateClassWords.match(attr(n, "class")) == 0 && dateClassWords.match(attr(n, "id")) == 0 {
		return true
	}
	cid := classID(n)
	if m.offArticle(n) {
		return true
	}
	text, ok := boundedText(n, 600)
	if !ok || utf8.RuneCountInString(text) > 150 {
		if !isTime && prop == "" {
			return true
		}
		text = ""
	}
	label := text + " " + cid + " " + prop
	modified := strings.Contains(prop, "modified") || (reModifyWord.MatchString(label) && !rePublishWord.MatchString(strings.ToLower(prop+" "+text)))
	var t *time.Time
	for _, v := range []string{attr(n, "datetime"), attr(n, "content"), attr(n, "title"), text} {
		if v == "" {
			continue
		}
		if tt, _, ok := parseDate(v); ok {
			t = &tt
			break
		}
	}
	if t == nil {
		return true
	}
	if modified {
		if *modVisible == nil {
			*modVisible = t
		}
	} else if *pubVisible == nil {
		*pubVisible = t
	}
	return *pubVisible == nil || *modVisible == nil
}
