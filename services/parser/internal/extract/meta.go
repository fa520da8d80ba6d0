package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
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
	standfirst       string
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
func readMetadata(doc *goquery.Document, pageURL *url.URL) *metadata {
	m := &metadata{metas: map[string][]string{}, base: pageURL}
	doc.Find("meta").Each(func(_ int, s *goquery.Selection) {
		content, ok := s.Attr("content")
		if !ok {
			content, ok = s.Attr("value")
			if !ok {
				if v, ok2 := s.Attr("datetime"); ok2 {
					content = v
				}
			}
		}
		for _, k := range []string{"name", "property", "itemprop", "http-equiv"} {
			v, _ := s.Attr(k)
			for _, key := range strings.Fields(strings.ToLower(v)) {
				m.metas[key] = append(m.metas[key], content)
			}
		}
	})
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok && pageURL != nil {
		if u, err := url.Parse(strings.TrimSpace(href)); err == nil {
			m.base = pageURL.ResolveReference(u)
		}
	}
	m.ld = readLinkedData(doc)
	m.htmlTitle = collapse(doc.Find("title").First().Text())
	doc.Find("h1").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if t := collapse(s.Text()); t != "" {
			m.h1 = t
			return false
		}
		return true
	})

	m.siteName = firstOf(m.meta("og:site_name", "application-name", "al:android:app_name", "al:ios:app_name", "twitter:app:name:iphone"), m.ld.Publisher)

	// Title.
	headline := m.ld.Headline
	if n := m.ld.Name; n != "" && n != headline && m.htmlTitle != "" {
		// schema.org name and headline differ: the one the <title> carries.
		if strings.Contains(m.htmlTitle, n) && !strings.Contains(m.htmlTitle, headline) {
			headline = n
		}
	}
	raw := firstOf(headline, m.meta("dc:title", "dcterm:title", "og:title", "weibo:article:title", "title", "twitter:title", "parsely-title", "sailthru.title"))
	if raw == "" {
		raw = m.htmlTitle
	}
	if raw == "" {
		raw = m.h1
	}
	domain := ""
	if pageURL != nil {
		domain = pageURL.Hostname()
		if d, err := publicsuffix.EffectiveTLDPlusOne(domain); err == nil {
			domain = d
		}
	}
	m.title = cleanTitle(raw, m.siteName, m.h1, domain)

	// Standfirst and description.
	doc.Find("[class],[id]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		n := s.Get(0)
		cid := classID(n)
		if !reSummary.MatchString(cid) || reNegative.MatchString(cid) && !strings.Contains(cid, "summary") {
			return true
		}
		if t := collapse(s.Text()); len(t) > 30 && len(t) < 600 {
			m.standfirst = t
			return false
		}
		return true
	})
	m.description = firstOf(m.meta("og:description", "description", "dc:description", "dcterm:description", "twitter:description", "sailthru.description"), m.ld.Description, m.standfirst)

	// Canonical URL.
	if href, ok := doc.Find(`link[rel~="canonical"]`).First().Attr("href"); ok {
		m.canonical = resolve(m.base, href)
	}
	m.ogURL = resolve(m.base, m.meta("og:url"))

	// Language.
	lang, _ := doc.Find("html").First().Attr("lang")
	if lang == "" {
		lang, _ = doc.Find("html").First().Attr("xml:lang")
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

	m.readAuthors(doc)
	m.readDates(doc)
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

var titleSeps = []string{" | ", " — ", " – ", " -- ", " - ", " :: ", " « ", " » ", " · ", " / ", " ~ ", " • "}

// cleanTitle removes a site name before or after the headline.
func cleanTitle(t, site, h1, domain string) string {
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
	// The h1 is the headline when the title is "h1 SEP something".
	if h1 != "" && h1 != t && strings.HasPrefix(t, h1) {
		rest := strings.TrimSpace(t[len(h1):])
		for _, sep := range titleSeps {
			if strings.HasPrefix(rest, strings.TrimSpace(sep)+" ") {
				return h1
			}
		}
	}
	// A short trailing part after a separator looks like a site name.
	for _, sep := range titleSeps {
		i := strings.LastIndex(t, sep)
		if i <= 0 {
			continue
		}
		head, tail := t[:i], t[i+len(sep):]
		if wordCount(tail) <= 4 && wordCount(head) >= 4 && capitalized(tail) && !strings.ContainsAny(tail, "?!:\"“") {
			return strings.TrimSpace(head)
		}
		break
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
		if normName(d) == p {
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
	reNameNoise = regexp.MustCompile(`(?i)\s*(?:\||,|-|–|—)?\s*(?:updated|published|posted|last updated|follow|twitter|email|staff writer|contributor|correspondent|reporter|editor|\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}).*$`)
)

// splitNames turns a byline into names.
func splitNames(s string) []string {
	s = collapse(s)
	if s == "" {
		return nil
	}
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
	if s == "" || utf8.RuneCountInString(s) > 60 || strings.ContainsAny(s, "@/<>{}=\"") || strings.Contains(s, "http") {
		return false
	}
	words := strings.Fields(s)
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
func (m *metadata) readAuthors(doc *goquery.Document) {
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
		doc.Find(`[rel="author"], [itemprop~="author"], [class*="byline"], [class*="author"], [id*="byline"], [class*="Byline"], [class*="Author"], [class*="autor"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			n := s.Get(0)
			if inBoilerplate(n) {
				return true
			}
			if n.Data == "meta" || n.Data == "link" {
				return true
			}
			var t string
			if nm := s.Find(`[itemprop~="name"]`).First(); nm.Length() > 0 {
				t = nm.AttrOr("content", "")
				if t == "" {
					t = nm.Text()
				}
			} else {
				t = s.Text()
			}
			t = collapse(t)
			if t == "" || utf8.RuneCountInString(t) > 100 {
				return true
			}
			if got := splitNames(t); len(got) > 0 {
				names = append(names, got...)
				return false
			}
			return true
		})
	}
	if len(names) == 0 {
		// A visible "By Jane Doe" line near the top.
		doc.Find("p, span, div, address, font, small, em, i, b, strong, td, li").EachWithBreak(func(i int, s *goquery.Selection) bool {
			if s.Children().Length() > 3 {
				return true
			}
			t := collapse(s.Text())
			if len(t) < 6 || len(t) > 150 || inBoilerplate(s.Get(0)) {
				return true
			}
			if len(t) <= 80 && reByLine.MatchString(t) {
				if got := splitNames(t); len(got) > 0 && len(got) <= 4 {
					names = append(names, got...)
					return false
				}
			}
			if mm := reByInside.FindStringSubmatch(t); mm != nil {
				if got := splitNames(mm[1]); len(got) > 0 {
					names = append(names, got...)
					return false
				}
			}
			return true
		})
	}
	var out []string
	site := normName(m.siteName)
	for _, n := range dedupe(names, 10) {
		if site != "" && normName(n) == site {
			continue
		}
		out = append(out, n)
	}
	m.authors = out
}

var reByLine = regexp.MustCompile(`^(?i:by)\s+\p{Lu}\p{L}+(?:[\s.'-]+\p{Lu}\p{L}*\.?){1,3}(?:\s*(?:,|and|&)\s*\p{Lu}\p{L}+(?:[\s.'-]+\p{Lu}\p{L}*\.?){1,3})*$`)

// inBoilerplate reports whether n sits in navigation, comments or
// related-content blocks, where dates and names are not the article's.
func inBoilerplate(n *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		switch p.Data {
		case "nav", "aside", "footer":
			return true
		}
		if m := classID(p); m != "" && reOffArticle.MatchString(m) {
			return true
		}
	}
	return false
}

var reOffArticle = wordList("comment|comments|comment-list|disqus|related|sidebar|trending|most-read|most-popular|recommended|more-stories|read-more|readmore|promo|footer|nav|navbar|menu|teaser|card|widget")

var (
	rePublishLabel = regexp.MustCompile(`(?i)^\W*(posted|published|updated|last updated|veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|aggiornato|опубликовано)\b`)
	reByStart      = regexp.MustCompile(`^(?:By|BY|Von|VON|Par|Por|Door)\s+\p{Lu}`)
	reByInside     = regexp.MustCompile(`(?:^|[·|•,—–-]\s*|\s)(?:By|BY|Von|Par|Por)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}\.)?(?:\s+(?:de |van |von |da |del |le )?\p{Lu}[\p{L}'’-]+){1,2})`)
	rePublishWord  = regexp.MustCompile(`(?i)publi|posted|erschienen|veröffentlicht|publicado|pubblicato|опубликовано|date|datum|fecha`)
	reModifyWord   = regexp.MustCompile(`(?i)edit|updat|modif|aktualisiert|actualizado|aggiornato|mis à jour|обновлено`)
	reDateClass    = substrings("date|time|publish|posted|dateline|timestamp|byline|meta|datum|fecha")
)

// readDates fills the publication and modification times.
func (m *metadata) readDates(doc *goquery.Document) {
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
	doc.Find(`time, [itemprop="datePublished"], [itemprop="dateModified"], [itemprop="dateCreated"], [class], [id]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		n := s.Get(0)
		isTime := n.Data == "time"
		prop := strings.ToLower(s.AttrOr("itemprop", ""))
		cid := classID(n)
		if !isTime && prop == "" && !reDateClass.MatchString(cid) {
			return true
		}
		if inBoilerplate(n) {
			return true
		}
		text := collapse(s.Text())
		if utf8.RuneCountInString(text) > 150 {
			if !isTime && prop == "" {
				return true
			}
			text = ""
		}
		label := text + " " + cid + " " + prop
		modified := strings.Contains(prop, "modified") || (reModifyWord.MatchString(label) && !rePublishWord.MatchString(strings.ToLower(prop+" "+text)))
		var t *time.Time
		for _, v := range []string{s.AttrOr("datetime", ""), s.AttrOr("content", ""), s.AttrOr("title", ""), text} {
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
			if modVisible == nil {
				modVisible = t
			}
		} else if pubVisible == nil {
			pubVisible = t
		}
		return pubVisible == nil || modVisible == nil
	})
	if pubVisible == nil {
		// "Posted: March 2, 2011 at 10:15 pm EST" in an unmarked element.
		doc.Find("p, span, div, font, small, em, i, b, strong, td, li, address").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			t := collapse(s.Text())
			if len(t) > 150 || len(t) < 8 || !rePublishLabel.MatchString(t) || inBoilerplate(s.Get(0)) {
				return true
			}
			if tt, _, ok := findDate(t); ok {
				pubVisible = &tt
				return false
			}
			return true
		})
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
