// Package search is the backend-neutral model of article search: the Query a
// reader asks (with its query syntax parsed into an Expr), its limits, and the
// Result, Hit, Facets and Stats every index backend returns. The embedded
// bleve index and the PostgreSQL index both implement it, so the HTTP API and
// its test suite do not care which one answers.
package search

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors, for errors.Is.
var (
	// ErrNotFound means no article with the requested id is stored.
	ErrNotFound = errors.New("article not found")
	// ErrBadQuery is wrapped by every rejected search Query; the message says why.
	ErrBadQuery = errors.New("bad query")
)

// Limits and defaults of a search Query.
const (
	// DefaultSize is the page size when Query.Size is 0.
	DefaultSize = 10
	// MaxSize is the largest page size.
	MaxSize = 100
	// MaxWindow bounds the depth of paging: Page*Size may not exceed it.
	MaxWindow = 1000
	// MaxTextLen is the longest Query.Text, in bytes.
	MaxTextLen = 512
	// MaxWords is the most words Query.Text may have.
	MaxWords = 32
	// MaxFilterLen is the longest filter value (source, lang, author, tag), in bytes.
	MaxFilterLen = 253
	// MaxDistance is the largest Hamming distance between the simhashes of
	// two articles that are collapsed as near-duplicates.
	MaxDistance = 3
)

// Sort orders of a Query.
const (
	// SortRelevance orders hits by score, best first (the default).
	SortRelevance = "relevance"
	// SortNewest orders hits by published_at, newest first; undated articles last.
	SortNewest = "newest"
)

// Query is a search: text in the query syntax (see Parse), filters, order and page.
type Query struct {
	// Text is the query in the query syntax: words (all must match),
	// "phrases", -exclusions, OR, and field filters such as source:rt.com.
	// Empty matches every article that passes the filters.
	Text string
	// Source keeps articles whose source domain or source name equals it
	// (case-insensitive).
	Source string
	// Lang keeps articles in this language; "en" also matches "en-GB".
	Lang string
	// Author keeps articles with this author (case-insensitive, whole name).
	Author string
	// Tag keeps articles with this tag (case-insensitive, whole tag).
	Tag string
	// From keeps articles published at or after it, when not zero.
	From time.Time
	// To keeps articles published before it, when not zero.
	To time.Time
	// Sort is "relevance" (or empty) or "newest".
	Sort string
	// Page is the 1-based page number; 0 means 1.
	Page int
	// Size is the number of hits per page, 1..MaxSize; 0 means DefaultSize.
	Size int
	// Expand turns off the collapsing of near-duplicates: every article is
	// its own hit.
	Expand bool

	// Expr is Text parsed, with the filter fields added as groups; set by Normalize.
	Expr Expr
}

// Normalize checks q, fills in defaults and parses Text into Expr (adding
// Source, Lang, Author and Tag as field groups). Every error wraps ErrBadQuery.
func Normalize(q Query) (Query, error) {
	bad := func(format string, args ...any) (Query, error) {
		return Query{}, fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, args...))
	}
	q.Text = strings.TrimSpace(q.Text)
	q.Source = strings.ToLower(strings.TrimSpace(q.Source))
	q.Lang = NormLang(q.Lang)
	q.Author = strings.ToLower(strings.TrimSpace(q.Author))
	q.Tag = strings.ToLower(strings.TrimSpace(q.Tag))
	switch {
	case !utf8.ValidString(q.Text):
		return bad("text is not valid UTF-8")
	case len(q.Text) > MaxTextLen:
		return bad("text is longer than %d bytes", MaxTextLen)
	case len(strings.Fields(q.Text)) > MaxWords:
		return bad("text has more than %d words", MaxWords)
	case !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To):
		return bad("from must be before to")
	}
	for name, v := range map[string]string{"source": q.Source, "lang": q.Lang, "author": q.Author, "tag": q.Tag} {
		if len(v) > MaxFilterLen || !utf8.ValidString(v) {
			return bad("%s is longer than %d bytes or not UTF-8", name, MaxFilterLen)
		}
	}
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortNewest:
	default:
		return bad("sort must be %q or %q", SortRelevance, SortNewest)
	}
	if q.Size == 0 {
		q.Size = DefaultSize
	}
	if q.Size < 1 || q.Size > MaxSize {
		return bad("size must be 1..%d", MaxSize)
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Page < 1 {
		return bad("page must be at least 1")
	}
	if q.Page > MaxWindow/q.Size {
		return bad("page %d of size %d is deeper than %d results", q.Page, q.Size, MaxWindow)
	}
	q.Expr = Parse(q.Text)
	for _, f := range []struct{ field, v string }{
		{FieldSource, q.Source}, {FieldLang, q.Lang}, {FieldAuthor, q.Author}, {FieldTag, q.Tag},
	} {
		if f.v != "" {
			q.Expr.All = append(q.Expr.All, Group{{Field: f.field, Value: f.v}})
		}
	}
	return q, nil
}

// Window is how many ranked candidates a backend reads to fill q's page
// after collapsing near-duplicates: the page's end, doubled, plus slack, at
// most 2*MaxWindow.
func (q Query) Window() int {
	if q.Expand {
		return q.Page * q.Size
	}
	return min(2*q.Page*q.Size+50, 2*MaxWindow)
}

// NormLang lower-cases a language tag and writes "_" as "-" (en_US → en-us).
func NormLang(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
}
