package search

import (
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

// Result is one page of search hits.
type Result struct {
	// Total is the number of matching articles (near-duplicates included).
	Total uint64 `json:"total"`
	// Hits are this page's articles, best first.
	Hits []Hit `json:"hits"`
	// Facets count the matching articles by source, language and day.
	Facets Facets `json:"facets"`
	// Took is how long the search took, e.g. "1.2ms".
	Took string `json:"took"`
}

// Hit is one matching article, standing for its near-duplicates too.
type Hit struct {
	// ID is the article id.
	ID string `json:"id"`
	// Title is the headline.
	Title string `json:"title"`
	// URL is the address the article was fetched from.
	URL string `json:"url"`
	// Source is the publishing site.
	Source events.Source `json:"source"`
	// Language is the article's language tag, when known.
	Language string `json:"language,omitempty"`
	// PublishedAt is the publication time (UTC), when known.
	PublishedAt *time.Time `json:"published_at,omitempty"`
	// Snippet is an HTML fragment of the body (else description, else title):
	// text is escaped and matched words are wrapped in <mark>…</mark>.
	Snippet string `json:"snippet"`
	// Score is the relevance score (its scale depends on the backend).
	Score float64 `json:"score"`
	// Duplicates are the near-duplicates collapsed into this hit (same
	// simhash neighbourhood), when there are any.
	Duplicates *Duplicates `json:"duplicates,omitempty"`
}

// Duplicates are the other articles a Hit stands for.
type Duplicates struct {
	// Count is len(IDs).
	Count int `json:"count"`
	// IDs are the near-duplicates' ids, in rank order.
	IDs []string `json:"ids"`
}

// Facets count matching articles by value.
type Facets struct {
	// Source counts by source domain, most first.
	Source []FacetValue `json:"source"`
	// Language counts by language tag, most first.
	Language []FacetValue `json:"language"`
	// Day counts by UTC publication day (YYYY-MM-DD), newest first.
	Day []FacetValue `json:"day"`
}

// FacetValue is one value of a facet and how many articles have it.
type FacetValue struct {
	Value string `json:"value"`
	Count uint64 `json:"count"`
}

// Facet sizes: how many values each facet lists.
const (
	FacetSize    = 10
	FacetDaySize = 31
)

// Stats describe the index as a whole.
type Stats struct {
	// Backend is "bleve" or "postgres".
	Backend string `json:"backend"`
	// Articles is the number of stored articles.
	Articles uint64 `json:"articles"`
	// Sources and Languages are the largest ones, most first.
	Sources   []FacetValue `json:"sources"`
	Languages []FacetValue `json:"languages"`
	// Newest is the latest publication time, when any article has one.
	Newest *time.Time `json:"newest_published_at,omitempty"`
}

// Usage is how much an index holds: cheap enough to read on every metrics
// scrape, unlike Stats.
type Usage struct {
	// Documents is the number of stored articles.
	Documents uint64
	// Bytes is the index's size: its files on disk (bleve), or the articles
	// table with its indexes and TOAST (PostgreSQL).
	Bytes int64
}
