package events

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Stream names. Each stream captures every subject of one message kind.
const (
	StreamItems    = "NEWS_ITEMS"
	StreamPages    = "NEWS_PAGES"
	StreamArticles = "NEWS_ARTICLES"
	StreamDLQ      = "NEWS_DLQ"
)

// Subject prefixes; a full subject appends one source token, e.g.
// "news.articles.v1.rt_com". The version is part of the subject so that a
// breaking change to a message gets new subjects instead of surprising readers.
const (
	SubjectItems    = "news.items.v1"
	SubjectPages    = "news.pages.v1"
	SubjectArticles = "news.articles.v1"
	SubjectDLQ      = "news.dlq"
)

// Stage names, used in DLQ subjects, consumer names and metrics.
const (
	StageFetcher = "fetcher"
	StageParser  = "parser"
	StageIndexer = "indexer"
)

// ItemSubject is the subject a FeedItem from the source token src is published on.
func ItemSubject(src string) string { return SubjectItems + "." + src }

// PageSubject is the subject a Page from the source token src is published on.
func PageSubject(src string) string { return SubjectPages + "." + src }

// ArticleSubject is the subject an Article from the source token src is published on.
func ArticleSubject(src string) string { return SubjectArticles + "." + src }

// DLQSubject is the dead-letter subject of a pipeline stage.
func DLQSubject(stage string) string { return SubjectDLQ + "." + stage }

// All returns the wildcard that matches every subject under prefix.
func All(prefix string) string { return prefix + ".>" }

// RegistrableDomain returns the registrable domain (eTLD+1) of a URL's host,
// lower-cased: "https://www.bbc.co.uk/news" gives "bbc.co.uk". For an IP
// address or a host that has no public suffix (localhost), the host itself is
// returned.
func RegistrableDomain(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("registrable domain of %q: %w", rawURL, err)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("registrable domain of %q: %w", rawURL, ErrNoHost)
	}
	if net.ParseIP(host) != nil {
		return host, nil
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		// A bare suffix or single-label host: the host is the best name there is.
		return host, nil
	}
	return d, nil
}

// SourceToken turns a domain into one NATS subject token: dots (and anything
// else that is not a letter, digit, '-' or '_') become '_', so "rt.com" is
// "rt_com" and a consumer can subscribe to one source with
// "news.articles.v1.rt_com".
func SourceToken(domain string) string {
	if domain == "" {
		return "unknown"
	}
	b := []byte(strings.ToLower(domain))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// SourceTokenOf is SourceToken of the registrable domain of rawURL.
func SourceTokenOf(rawURL string) string {
	d, err := RegistrableDomain(rawURL)
	if err != nil {
		return SourceToken("")
	}
	return SourceToken(d)
}
