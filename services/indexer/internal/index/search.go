package index

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsflow/newsflow/pkg/events"
)

// Limits and defaults of a search Query.
const (
	// DefaultSize is the page size when Query.Size is 0.
	DefaultSize = 10
	// MaxSize is the largest page size.
	MaxSize = 100
	// MaxWindow bounds the depth of paging: Page*Size may not exceed it.
	MaxWindow = 10000
	// MaxTextLen is the longest Query.Text, in bytes.
	MaxTextLen = 512
	// MaxWords is the most words Query.Text may have.
	MaxWords = 32
	// MaxFilterLen is the longest Query.Source or Query.Lang, in bytes.
	MaxFilterLen = 253
)

// Sort orders of a Query.
const (
	// SortRelevance orders hits by score, best first (the default).
	SortRelevance = "relevance"
	// SortNewest orders hits by published_at, newest first; undated articles last.
	SortNewest = "newest"
)

// Boosts of the full-text fields at query time: a word in the title counts
// more than the same word in the body.
const (
	boostTitle       = 3.0
	boostDescription = 1.5
	boostText        = 1.0
)

// snippetLen is the length, in runes, of a snippet made without highlighting.
const snippetLen = 200

// Query is a search: words, filters, order and page.
type Query struct {
	// Text is plain words (no query syntax); every word must occur in the
	// title, description or text. English stemming and stop words apply.
	// Empty matches every article that passes the filters.
	Text string
	// Source keeps articles whose source domain or source name equals it
	// (case-insensitive).
	Source string
	// Lang keeps articles in this language; "en" also matches "en-GB".
	Lang string
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
}

// Result is one page of search hits.
type Result struct {
	// Total is the number of matching articles (not just this page).
	Total uint64 `json:"total"`
	// Hits are this page's articles, best first.
	Hits []Hit `json:"hits"`
	// Took is how long the search took, e.g. "1.2ms".
	Took string `json:"took"`
}

// Hit is one matching article.
type Hit struct {
	// ID is the article id.
	ID string `json:"id"`
	// Title is the headline.
	Title string `json:"title"`
	// URL is the address the article was fetched from.
	URL string `json:"url"`
	// Source is the publishing site.
	Source events.Source `json:"source"`
	// PublishedAt is the publication time (to the second, UTC), when known.
	PublishedAt *time.Time `json:"published_at,omitempty"`
	// Snippet is an HTML fragment of the body (else description, else title):
	// text is escaped and matched words are wrapped in <mark>…</mark>.
	Snippet string `json:"snippet"`
	// Score is the relevance score.
	Score float64 `json:"score"`
}

// normalize checks q and fills in defaults. Every error wraps ErrBadQuery.
func (q Query) normalize() (Query, error) {
	bad := func(format string, args ...any) (Query, error) {
		return Query{}, fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, args...))
	}
	q.Text = strings.TrimSpace(q.Text)
	q.Source = strings.ToLower(strings.TrimSpace(q.Source))
	q.Lang = normLang(q.Lang)
	switch {
	case !utf8.ValidString(q.Text):
		return bad("text is not valid UTF-8")
	case len(q.Text) > MaxTextLen:
		return bad("text is longer than %d bytes", MaxTextLen)
	case len(strings.Fields(q.Text)) > MaxWords:
		return bad("text has more than %d words", MaxWords)
	case len(q.Source) > MaxFilterLen || !utf8.ValidString(q.Source):
		return bad("source is longer than %d bytes or not UTF-8", MaxFilterLen)
	case len(q.Lang) > MaxFilterLen || !utf8.ValidString(q.Lang):
		return bad("lang is longer than %d bytes or not UTF-8", MaxFilterLen)
	case !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To):
		return bad("from must be before to")
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
	return q, nil
}

// Search runs q and returns one page of hits. Invalid queries return an
// error wrapping ErrBadQuery.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	q, err := q.normalize()
	if err != nil {
		return nil, err
	}
	bq, err := ix.buildQuery(q)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(bq, q.Size, (q.Page-1)*q.Size, false)
	req.Fields = []string{fieldTitle, fieldURL, fieldSourceDomain, fieldSourceName, fieldPublishedAt}
	req.Highlight = bleve.NewHighlightWithStyle(htmlhl.Name)
	req.Highlight.Fields = []string{fieldText, fieldDescription, fieldTitle}
	if q.Sort == SortNewest {
		req.SortByCustom(newestFirst())
	} else {
		req.SortBy([]string{"-_score", "-" + fieldPublishedAt, "_id"})
	}
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index search %q: %w", q.Text, err)
	}
	out := &Result{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits)), Took: res.Took.String()}
	for _, h := range res.Hits {
		hit := Hit{
			ID:    h.ID,
			Score: h.Score,
		}
		hit.Title, _ = h.Fields[fieldTitle].(string)
		hit.URL, _ = h.Fields[fieldURL].(string)
		hit.Source.Domain, _ = h.Fields[fieldSourceDomain].(string)
		hit.Source.Name, _ = h.Fields[fieldSourceName].(string)
		if s, ok := h.Fields[fieldPublishedAt].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				hit.PublishedAt = utcPtr(t)
			}
		}
		hit.Snippet = snippet(h.Fragments)
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}

// newestFirst sorts by published_at descending (undated last), then by
// score and id so that the order is stable.
func newestFirst() search.SortOrder {
	return search.SortOrder{
		&search.SortField{Field: fieldPublishedAt, Desc: true, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast},
		&search.SortScore{Desc: true},
		&search.SortDocID{},
	}
}

// buildQuery turns a normalized Query into a bleve query: a conjunction of
// one disjunction per analyzed word (title^3, description^1.5, text), with
// the filters applied as a non-scoring filter.
func (ix *Index) buildQuery(q Query) (query.Query, error) {
	var must query.Query
	if q.Text == "" {
		must = query.NewMatchAllQuery()
	} else {
		terms, err := ix.analyze(q.Text)
		if err != nil {
			return nil, err
		}
		if len(terms) == 0 {
			// Only stop words or punctuation: nothing can match.
			must = query.NewMatchNoneQuery()
		} else {
			conj := make([]query.Query, 0, len(terms))
			for _, t := range terms {
				conj = append(conj, query.NewDisjunctionQuery([]query.Query{
					termQuery(fieldTitle, t, boostTitle),
					termQuery(fieldDescription, t, boostDescription),
					termQuery(fieldText, t, boostText),
				}))
			}
			must = query.NewConjunctionQuery(conj)
		}
	}

	var filters []query.Query
	if q.Source != "" {
		filters = append(filters, query.NewDisjunctionQuery([]query.Query{
			termQuery(fieldSourceDomain, q.Source, 1),
			termQuery(fieldSourceName, q.Source, 1),
		}))
	}
	if q.Lang != "" {
		p := query.NewPrefixQuery(q.Lang + "-")
		p.SetField(fieldLanguage)
		filters = append(filters, query.NewDisjunctionQuery([]query.Query{
			termQuery(fieldLanguage, q.Lang, 1), p,
		}))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl, excl := true, false
		dr := query.NewDateRangeInclusiveQuery(q.From.UTC(), q.To.UTC(), &incl, &excl)
		dr.SetField(fieldPublishedAt)
		filters = append(filters, dr)
	}
	if len(filters) == 0 {
		return must, nil
	}
	bq := query.NewBooleanQuery([]query.Query{must}, nil, nil)
	bq.AddFilter(query.NewConjunctionQuery(filters))
	return bq, nil
}

func termQuery(field, term string, boost float64) *query.TermQuery {
	tq := query.NewTermQuery(term)
	tq.SetField(field)
	tq.SetBoost(boost)
	return tq
}

// analyze splits text into the distinct terms the English analyzer indexes.
func (ix *Index) analyze(text string) ([]string, error) {
	a := ix.idx.Mapping().AnalyzerNamed(en.AnalyzerName)
	if a == nil {
		return nil, errors.New("index search: english analyzer missing")
	}
	seen := make(map[string]bool)
	var terms []string
	for _, tok := range a.Analyze([]byte(text)) {
		t := string(tok.Term)
		if t != "" && !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	return terms, nil
}

// snippet picks the first highlighted fragment of text, description, title;
// failing that, the start of the description or text (escaped, shortened).
func snippet(frags map[string][]string) string {
	fields := []string{fieldText, fieldDescription, fieldTitle}
	for _, f := range fields {
		for _, s := range frags[f] {
			if strings.Contains(s, "<mark>") {
				return s
			}
		}
	}
	for _, f := range fields[:2] {
		if fs := frags[f]; len(fs) > 0 && fs[0] != "" {
			return shorten(fs[0])
		}
	}
	return ""
}

// shorten cuts an escaped, unhighlighted fragment to about snippetLen runes
// at a word boundary, without splitting an HTML entity.
func shorten(s string) string {
	plain := html.UnescapeString(s)
	if utf8.RuneCountInString(plain) <= snippetLen {
		return s
	}
	r := []rune(plain)[:snippetLen]
	cut := string(r)
	if i := strings.LastIndexAny(cut, " \n\t"); i > snippetLen/2 {
		cut = cut[:i]
	}
	return html.EscapeString(strings.TrimSpace(cut)) + "…"
}
