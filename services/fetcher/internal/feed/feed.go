// Package feed turns an RSS, Atom or JSON Feed body into events.FeedItem
// values. It never fetches: the body comes from the fetcher's own HTTP client,
// which enforces the timeouts and size limits gofeed's ParseURL lacks.
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	gfjson "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
	"github.com/newsflow/newsflow/pkg/events"
	"golang.org/x/net/html"
)

// ErrNotAFeed means the body is not a feed: an HTML page, an empty body or
// garbage where a feed was expected. It is bad input, not worth a retry.
var ErrNotAFeed = errors.New("not a feed")

// ErrMalformed means the body looks like a feed (an <rss>, <feed> or JSON
// root) but cannot be parsed. Errors that match it also match ErrNotAFeed.
var ErrMalformed = errors.New("malformed feed")

// maxTTL caps an RSS <ttl>: a feed asking not to be polled for years is
// more likely a typo than a wish, and the scheduler applies its own bounds.
const maxTTL = 7 * 24 * time.Hour

// Feed is a parsed feed.
type Feed struct {
	Title string
	Link  string // the site's address, absolute; "" when absent or not http(s)
	// Items are the feed's entries in feed order, each valid. Items with the
	// same ID appear once (the first).
	Items []events.FeedItem
	// TTL is the RSS <ttl> (minutes in the feed), 0 when absent or invalid.
	TTL time.Duration
	// UpdatePeriod is the syndication module's sy:updatePeriod divided by
	// sy:updateFrequency (how often the publisher says the feed changes),
	// 0 when absent or invalid.
	UpdatePeriod time.Duration
	// Skipped counts entries dropped for having no usable http(s) link, or
	// for repeating an earlier entry's ID.
	Skipped int
}

// Parse parses an RSS, Atom or JSON Feed body. feedURL is the feed's own
// URL: relative links are resolved against it and item IDs are derived from
// it, so it must be the same string on every poll. now is every item's
// DiscoveredAt.
//
// It returns an error matching ErrNotAFeed when body is not a feed.
func Parse(body []byte, feedURL string, now time.Time) (f *Feed, err error) {
	feedURL = strings.TrimSpace(feedURL)
	base, err := parseHTTPURL(feedURL)
	if err != nil {
		return nil, fmt.Errorf("parse feed: feed url %q: %w", feedURL, err)
	}
	if now.IsZero() {
		return nil, errors.New("parse feed: discovery time is zero")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse feed %s: empty body: %w", feedURL, ErrNotAFeed)
	}

	gf, err := parseGofeed(body)
	if err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", feedURL, err)
	}

	if orig, ok := gf.OriginalFeed().(*gfjson.Feed); ok && !strings.Contains(strings.ToLower(orig.Version), "jsonfeed.org/version/") {
		// gofeed takes any JSON object for a JSON Feed; an API error such as
		// {"error":"rate limited"} would pass as a feed with no items. The
		// spec requires the version URL, so its absence marks a non-feed.
		return nil, fmt.Errorf("parse feed %s: JSON without a JSON Feed version: %w", feedURL, ErrNotAFeed)
	}

	f = &Feed{
		Title: plainText(gf.Title),
		Link:  resolveHTTP(base, gf.Link),
	}
	f.UpdatePeriod = syndicationPeriod(gf.Extensions)
	var rssItems []*rss.Item
	if orig, ok := gf.OriginalFeed().(*rss.Feed); ok {
		f.TTL = parseTTL(orig.TTL)
		// The universal items are translated one for one, in order, from
		// these: the index pairs them.
		if len(orig.Items) == len(gf.Items) {
			rssItems = orig.Items
		}
	}
	// Atom and JSON Feed entries without an author inherit the feed's
	// (both specs say so); RSS has no such rule: its managingEditor is not
	// the author of every story.
	var feedAuthors []string
	if gf.FeedType == "atom" || gf.FeedType == "json" {
		feedAuthors = authorNames(gf.Authors)
	}

	now = now.UTC()
	seen := make(map[string]bool, len(gf.Items))
	f.Items = make([]events.FeedItem, 0, len(gf.Items))
	for i, gi := range gf.Items {
		if gi == nil {
			f.Skipped++
			continue
		}
		var ri *rss.Item
		if rssItems != nil {
			ri = rssItems[i]
		}
		it, ok := makeItem(gi, ri, base, feedURL, f.Title, now)
		if !ok || seen[it.ID] {
			f.Skipped++
			continue
		}
		seen[it.ID] = true
		if len(it.Authors) == 0 {
			it.Authors = slices.Clone(feedAuthors)
		}
		if err := it.Validate(); err != nil {
			// makeItem only builds valid items; this guards the contract
			// should either side change.
			f.Skipped++
			continue
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

// parseGofeed runs gofeed on body, turning its failures (and, should a
// hostile feed find one, its panics) into errors that match ErrNotAFeed.
func parseGofeed(body []byte) (gf *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			gf, err = nil, fmt.Errorf("%w (%w): parser panic: %v", ErrNotAFeed, ErrMalformed, r)
		}
	}()
	p := gofeed.NewParser()
	// The original RSS feed carries <ttl> and guid isPermaLink, which the
	// universal Feed drops.
	p.KeepOriginalFeed = true
	gf, err = p.Parse(bytes.NewReader(body))
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return nil, ErrNotAFeed
	case err != nil:
		return nil, fmt.Errorf("%w (%w): %v", ErrNotAFeed, ErrMalformed, err)
	case gf == nil:
		return nil, ErrNotAFeed
	}
	return gf, nil
}

// makeItem builds the event for one entry; ok is false when the entry has
// no usable http(s) link.
func makeItem(gi *gofeed.Item, ri *rss.Item, base *url.URL, feedURL, feedTitle string, now time.Time) (events.FeedItem, bool) {
	link := itemLink(gi, ri, base)
	if link == "" {
		return events.FeedItem{}, false
	}
	articleID, err := events.ArticleID(link)
	if err != nil {
		return events.FeedItem{}, false
	}
	guid := strings.TrimSpace(gi.GUID)
	title := plainText(gi.Title)
	it := events.FeedItem{
		SchemaVersion: events.SchemaVersion,
		ID:            events.ItemID(feedURL, itemKey(guid, link, title, gi)),
		ArticleID:     articleID,
		FeedURL:       feedURL,
		FeedTitle:     feedTitle,
		GUID:          guid,
		URL:           link,
		Title:         title,
		Description:   strings.TrimSpace(gi.Description),
		Content:       strings.TrimSpace(gi.Content),
		Authors:       authorNames(gi.Authors),
		Categories:    categories(gi.Categories),
		PublishedAt:   utc(gi.PublishedParsed),
		UpdatedAt:     utc(gi.UpdatedParsed),
		DiscoveredAt:  now,
	}
	if base2, err := url.Parse(link); err == nil {
		// Images found in the content are relative to the article, not the feed.
		it.Image = itemImage(gi, base2)
	}
	return it, true
}

// itemKey is what makes an item the same item on the next poll: its GUID,
// else its canonical link, else its title and date. The last is weak (a
// corrected title is a new item) but is all such an entry offers.
func itemKey(guid, link, title string, gi *gofeed.Item) string {
	switch {
	case guid != "":
		return guid
	case link != "":
		return link
	}
	date := strings.TrimSpace(gi.Published)
	if gi.PublishedParsed != nil {
		date = gi.PublishedParsed.UTC().Format(time.RFC3339)
	}
	return title + "\x00" + date
}

// itemLink returns the entry's link, absolute and canonical, or "". When the
// main link is missing or unusable it falls back to the other links and, for
// RSS, to a GUID the feed marks (by default) as a permalink.
func itemLink(gi *gofeed.Item, ri *rss.Item, base *url.URL) string {
	candidates := make([]string, 0, 2+len(gi.Links))
	candidates = append(candidates, gi.Link)
	candidates = append(candidates, gi.Links...)
	if ri != nil && ri.GUID != nil && !strings.EqualFold(strings.TrimSpace(ri.GUID.IsPermalink), "false") {
		candidates = append(candidates, ri.GUID.Value)
	}
	for _, c := range candidates {
		abs := resolveHTTP(base, c)
		if abs == "" {
			continue
		}
		if canon, err := events.CanonicalURL(abs); err == nil {
			return canon
		}
	}
	return ""
}

// itemImage returns the entry's image, or the first image enclosure,
// absolute; "" when none is an http(s) URL.
func itemImage(gi *gofeed.Item, base *url.URL) string {
	if gi.Image != nil {
		if u := resolveHTTP(base, gi.Image.URL); u != "" {
			return u
		}
	}
	for _, e := range gi.Enclosures {
		if e == nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(e.Type)), "image/") {
			continue
		}
		if u := resolveHTTP(base, e.URL); u != "" {
			return u
		}
	}
	return ""
}

// resolveHTTP resolves ref against base and returns it when the result is an
// absolute http(s) URL with a host, else "".
func resolveHTTP(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	u := base.ResolveReference(r)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("not an absolute http(s) URL")
	}
	return u, nil
}

func authorNames(ps []*gofeed.Person) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ps {
		if p == nil {
			continue
		}
		// Only names: an e-mail address is personal data the pipeline has
		// no use for.
		n := strings.TrimSpace(p.Name)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

func categories(cs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, c)
	}
	return out
}

// utc returns t in UTC, or nil when t is nil or outside the years JSON can
// encode (encoding/json refuses a time.Time outside 0..9999, and one bad date
// must not make the whole item unpublishable).
func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	if u.Year() < 1 || u.Year() > 9999 {
		return nil
	}
	return &u
}

// syndicationPeriod reads the RSS syndication module (sy:updatePeriod,
// sy:updateFrequency): "hourly" and 2 mean every 30 minutes.
func syndicationPeriod(exts ext.Extensions) time.Duration {
	sy := exts["sy"]
	if sy == nil {
		return 0
	}
	value := func(name string) string {
		if es := sy[name]; len(es) > 0 {
			return strings.ToLower(strings.TrimSpace(es[0].Value))
		}
		return ""
	}
	var period time.Duration
	switch value("updatePeriod") {
	case "hourly":
		period = time.Hour
	case "daily", "":
		// Daily is the module's default when only the frequency is given.
		period = 24 * time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly", "yearly":
		period = maxTTL
	default:
		return 0
	}
	if value("updatePeriod") == "" && value("updateFrequency") == "" {
		return 0
	}
	freq := int64(1)
	if v := value("updateFrequency"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		freq = n
	}
	return min(period/time.Duration(freq), maxTTL)
}

// parseTTL reads an RSS <ttl>: whole minutes.
func parseTTL(s string) time.Duration {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	if n > int64(maxTTL/time.Minute) {
		return maxTTL
	}
	return time.Duration(n) * time.Minute
}

// plainText turns a title into plain text. Titles are meant to be text, but
// Atom's type="html" titles carry markup and entities, and many RSS feeds
// escape twice ("&amp;#8217;"): downstream wants "’", not entity soup.
func plainText(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			// Unescape once more for the double-escaped case; a literal
			// "&amp;" in a title is rarer than a doubly escaped entity.
			return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			b.WriteByte(' ') // "a<br>b" is two words
		}
	}
}
