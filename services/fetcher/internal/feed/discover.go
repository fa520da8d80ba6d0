package feed

import (
	"bytes"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// feedTypes are the <link type> values that announce a feed.
// application/rdf+xml is RSS 1.0, still served by some older sites.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      true,
	"application/rdf+xml":   true,
}

// DiscoverFeeds returns the feeds an HTML page announces with
// <link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json">,
// resolved to absolute http(s) URLs (against <base href> when the page has
// one, else pageURL), in page order and without repeats. It returns nil when
// there are none or pageURL is not an absolute URL.
func DiscoverFeeds(htmlBody []byte, pageURL string) []string {
	base, err := parseHTTPURL(strings.TrimSpace(pageURL))
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	baseSet := false
	// The tokenizer, not a full parse: it is faster, allocates less and
	// tolerates any markup; the links need no tree.
	z := html.NewTokenizer(bytes.NewReader(htmlBody))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if a != atom.Link && a != atom.Base {
			continue
		}
		var rel, typ, href string
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			switch string(k) { // the tokenizer lower-cases attribute names
			case "rel":
				rel = string(v)
			case "type":
				typ = string(v)
			case "href":
				href = string(v)
			}
		}
		if a == atom.Base {
			// Only the first <base href> counts, as in browsers.
			if !baseSet && strings.TrimSpace(href) != "" {
				baseSet = true
				if b, err := url.Parse(strings.TrimSpace(href)); err == nil {
					base = base.ResolveReference(b)
				}
			}
			continue
		}
		if !hasToken(rel, "alternate") || !isFeedType(typ) {
			continue
		}
		if u := resolveHTTP(base, href); u != "" && !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func isFeedType(t string) bool {
	mt, _, err := mime.ParseMediaType(t)
	if err != nil {
		return false
	}
	return feedTypes[mt]
}
