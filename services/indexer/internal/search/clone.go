package search

import "github.com/newsflow/newsflow/pkg/events"

// CloneForEncode copies a so that events.Encode, which converts times to UTC
// in place, leaves the caller's article untouched.
func CloneForEncode(a *events.Article) *events.Article {
	c := *a
	if a.PublishedAt != nil {
		t := *a.PublishedAt
		c.PublishedAt = &t
	}
	if a.ModifiedAt != nil {
		t := *a.ModifiedAt
		c.ModifiedAt = &t
	}
	return &c
}
