// Package extract turns a fetched page into a normalized events.Article:
// metadata from JSON-LD, Open Graph and other meta tags and visible bylines;
// the body by readability-style scoring of the page's blocks, with
// boilerplate (navigation, share bars, "Read more" boxes, related stories,
// captions, comments) removed. It runs no JavaScript and has no site rules.
package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/events"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Version of the extractor, stored in Article.Extraction.Version.
const Version = "0.2.0"

// Extraction methods, stored in Article.Extraction.Method.
const (
	MethodDOM    = "dom"
	MethodJSONLD = "json-ld"
	MethodFeed   = "feed"
)

// ErrNoContent means the page yields neither a body nor a title: a
// permanent failure, retrying will not help.
var ErrNoContent = errors.New("no article content")

// maxHTML bounds the input the extractor reads; bigger pages are cut.
const maxHTML = 8 << 20

// Article extracts an events.Article from page (page.HTML is UTF-8). It
// fills every field it can find and never invents one: the id from the
// canonical URL (rel=canonical or og:url on the page's own site), source,
// title without the site's suffix, description, authors, publication and
// modification times in UTC, language, the body as plain-text paragraphs
// separated by blank lines, lead, images, tags, word count, content hash and
// simhash. When the page yields no body, the feed item's full content is
// used (method "feed"), and the item's title, date and authors fill what the
// page lacks. It returns an error wrapping ErrNoContent when there is neither
// title nor text; a returned Article always passes Validate.
func Article(page *events.Page) (*events.Article, error) {
	if page == nil {
		return nil, fmt.Errorf("extract: nil page: %w", ErrNoContent)
	}
	pageURL := page.EffectiveURL()
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract: page url: %w", err)
	}
	canonPage, err := events.CanonicalURL(pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract: page url: %w", err)
	}
	domain, err := events.RegistrableDomain(canonPage)
	if err != nil {
		return nil, fmt.Errorf("extract: page url: %w", err)
	}
	raw := page.HTML
	if len(raw) > maxHTML {
		raw = raw[:maxHTML]
	}
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	parts := stripScripts(raw).dropAttrs()

	doc, err := html.Parse(parts.reader())
	if err != nil {
		// The parser refuses trees it cannot build safely (more than 512
		// open elements): such a page is no article, and never will be.
		return nil, fmt.Errorf("extract: parse html: %w: %w", err, ErrNoContent)
	}
	m := readMetadata(doc, base)

	a := &events.Article{
		SchemaVersion: events.SchemaVersion,
		URL:           pageURL,
		CanonicalURL:  canonPage,
		FeedURL:       page.FeedURL,
		Source:        events.Source{Name: m.siteName, Domain: domain},
		Title:         m.title,
		Description:   m.description,
		Authors:       m.authors,
		PublishedAt:   utc(m.published),
		ModifiedAt:    utc(m.modified),
		FetchedAt:     page.FetchedAt.UTC(),
		Language:      m.lang,
		TopImage:      m.topImage,
		Tags:          m.tags,
		Extraction:    events.Extraction{Method: MethodDOM, Version: Version},
	}
	for _, c := range []string{m.canonical, m.ogURL} {
		if c == "" {
			continue
		}
		if d, err := events.RegistrableDomain(c); err != nil || d != domain {
			continue
		}
		if cu, err := events.CanonicalURL(c); err == nil {
			a.CanonicalURL = cu
			break
		}
	}
	a.ID, err = events.ArticleID(a.CanonicalURL)
	if err != nil {
		return nil, fmt.Errorf("extract: article id: %w", err)
	}

	// n is textSize(paras) throughout.
	paras, imgs, n := extractBody(doc, m)
	if n < charThreshold && m.ld.ArticleBody != "" {
		if ld := splitPlain(m.ld.ArticleBody); textSize(ld) > n {
			paras, n, a.Extraction.Method = ld, textSize(ld), MethodJSONLD
		}
	}
	// Only a page with little text of its own is examined for being a
	// script-rendered shell.
	needsJS := false
	if n < charThreshold {
		needsJS = jsSignals(raw).needsJS(n)
	}
	if item := page.Item; item != nil {
		if n < charThreshold/2 && item.Content != "" {
			if fp, fimgs := feedBody(item.Content, base); textSize(fp) > n {
				paras, imgs, a.Extraction.Method = fp, fimgs, MethodFeed
			}
		}
		fillFromItem(a, item, a.Extraction.Method == MethodFeed, m.publishedFromURL)
	}
	if a.Source.Name == "" && page.Item != nil {
		a.Source.Name = page.Item.FeedTitle
	}
	if len(paras) == 0 && a.Title == "" {
		return nil, fmt.Errorf("extract: %s: %w", pageURL, ErrNoContent)
	}
	a.Extraction.NeedsJS = needsJS

	a.Text = strings.Join(paras, "\n\n")
	if a.Language == "" {
		a.Language = detectLanguage(a.Text)
	}
	if len(paras) > 0 {
		a.Lead = paras[0]
	}
	a.Images = imgs
	if a.TopImage == "" && len(imgs) > 0 {
		a.TopImage = imgs[0]
	}
	var simHash uint64
	a.WordCount, simHash = wordCountSimHash(a.Text)
	sum := sha256.Sum256([]byte(a.Text))
	a.ContentHash = hex.EncodeToString(sum[:])
	if a.Text != "" {
		a.SimHash = fmt.Sprintf("%016x", simHash)
	}
	a.Quotes = Quotes(paras)
	if err := a.Validate(); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return a, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func textSize(paras []string) int {
	n := 0
	for _, p := range paras {
		n += utf8.RuneCountInString(p)
	}
	return n
}

// extractBody runs the body extractor, with fewer filters each time the
// result is too short, and keeps the longest result: its paragraphs,
// images and textSize.
func extractBody(doc *html.Node, m *metadata) ([]string, []string, int) {
	var (
		bestParas []string
		bestImgs  []string
		bestLen   = -1
	)
	attempts := []flags{
		allFlags,
		allFlags &^ flagStripUnlikely,
		allFlags &^ flagStripUnlikely &^ flagWeightClasses,
		0,
	}
	skipNext := false
	// The attempts change the tree: the log of the changes restores the
	// cleaned tree for the next (a retry is common: 1 page in 10 of a news
	// corpus).
	cleanDocument(doc)
	var log treeLog
	classes := &classMemo{}
	for _, f := range attempts {
		if skipNext {
			skipNext = false
			continue
		}
		log.undo()
		ce := &contentExtractor{flags: f, title: m.title, description: m.description, log: &log, classes: classes}
		c := ce.grab(doc)
		if c == nil {
			continue
		}
		ce.prepare(c)
		// Without anything stripped as unlikely, the next attempt (the
		// same minus stripping) would give the same result.
		skipNext = f&flagStripUnlikely != 0 && ce.stripped == 0
		paras := dropFurniture(dropTitle(paragraphs(c), m))
		n := textSize(paras)
		if n > bestLen {
			bestParas, bestImgs, bestLen = paras, images(c, m.base), n
		}
		if n >= charThreshold {
			break
		}
	}
	return bestParas, bestImgs, max(bestLen, 0)
}

// dropTitle removes leading paragraphs that repeat the headline, the site's
// title or the standfirst.
func dropTitle(paras []string, m *metadata) []string {
	for len(paras) > 0 {
		p := paras[0]
		if (m.title != "" && similar(p, m.title)) || (m.h1 != "" && similar(p, m.h1)) ||
			(m.htmlTitle != "" && similar(p, m.htmlTitle)) {
			paras = paras[1:]
			continue
		}
		break
	}
	return paras
}

// dropFurniture removes dateline and byline paragraphs at the top and
// "e-mail this story" lines anywhere.
func dropFurniture(paras []string) []string {
	out := paras[:0:0]
	for i, p := range paras {
		n := utf8.RuneCountInString(p)
		if n < 200 && junkPara(p) {
			continue
		}
		if i < 3 && len(out) == 0 && n < 150 {
			if reByStart.MatchString(p) || rePublishLabel.MatchString(p) {
				if _, _, ok := findDate(p); ok || reByStart.MatchString(p) && n < 80 {
					continue
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// splitPlain splits plain text (JSON-LD articleBody) into paragraphs.
func splitPlain(s string) []string {
	if strings.Contains(s, "<") && strings.Contains(s, ">") {
		if doc, err := html.Parse(strings.NewReader(s)); err == nil {
			return paragraphs(doc)
		}
	}
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") {
		if p = collapse(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// feedBody renders a feed item's HTML content.
func feedBody(content string, base *url.URL) ([]string, []string) {
	nodes, err := html.ParseFragment(strings.NewReader(content), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return nil, nil
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	cleanDocument(root)
	ce := &contentExtractor{flags: 0}
	ce.prepare(root)
	return paragraphs(root), images(root, base)
}

// fillFromItem takes from the feed item what the page lacks.
// When the body itself came from the feed, the page's own title is suspect
// (a "Loading…" shell) and the item's wins; an item's exact date beats a
// date guessed from the URL.
func fillFromItem(a *events.Article, it *events.FeedItem, fromFeed, weakDate bool) {
	if t := collapse(it.Title); t != "" && (a.Title == "" || fromFeed) {
		a.Title = t
	}
	if it.PublishedAt != nil && (a.PublishedAt == nil || weakDate) {
		a.PublishedAt = utc(it.PublishedAt)
	}
	if a.ModifiedAt == nil && it.UpdatedAt != nil {
		a.ModifiedAt = utc(it.UpdatedAt)
	}
	if len(a.Authors) == 0 {
		for _, n := range it.Authors {
			a.Authors = append(a.Authors, splitNames(n)...)
		}
		a.Authors = dedupe(a.Authors, 10)
	}
	if a.Description == "" && it.Description != "" {
		if doc, err := html.Parse(strings.NewReader(it.Description)); err == nil {
			a.Description = strings.Join(paragraphs(doc), " ")
		}
	}
	if len(a.Tags) == 0 {
		a.Tags = dedupe(it.Categories, 50)
	}
	if a.TopImage == "" {
		a.TopImage = it.Image
	}
}
