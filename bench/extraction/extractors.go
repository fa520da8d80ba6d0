package main

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/parser"
)

// Result is what an extractor found on one page.
type Result struct {
	Text      string
	Title     string
	Published *time.Time
	Authors   []string
}

// Extractor runs one article extractor on a page's bytes.
type Extractor struct {
	Name    string
	Extract func(html []byte, pageURL *url.URL) (Result, error)
}

// Extractors are the contenders, ours first.
var Extractors = []Extractor{
	{Name: "newsflow", Extract: extractNewsflow},
	{Name: "go-trafilatura", Extract: extractTrafilatura},
	{Name: "go-readability", Extract: extractReadability},
}

// fetchedAt is fixed so that runs are reproducible.
var fetchedAt = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// extractNewsflow runs the parser service's own code path (parser.Parse).
func extractNewsflow(h []byte, u *url.URL) (Result, error) {
	page := &events.Page{SchemaVersion: events.SchemaVersion, URL: u.String(), StatusCode: 200, FetchedAt: fetchedAt, HTML: string(h)}
	if id, err := events.ArticleID(page.URL); err == nil {
		page.ID = id
	}
	a, err := parser.Parse(page)
	if err != nil {
		if errors.Is(err, parser.ErrNoContent) {
			return Result{}, nil
		}
		return Result{}, err
	}
	return Result{Text: a.Text, Title: a.Title, Published: a.PublishedAt, Authors: a.Authors}, nil
}

// extractTrafilatura runs go-trafilatura without its fallback extractors
// (they would run readability and dom-distiller too, several times slower),
// comments excluded, as a news pipeline would run it.
func extractTrafilatura(h []byte, u *url.URL) (Result, error) {
	r, err := trafilatura.Extract(bytes.NewReader(h), trafilatura.Options{OriginalURL: u, ExcludeComments: true})
	if err != nil {
		// trafilatura reports "no content" as an error: an empty result.
		return Result{}, nil
	}
	res := Result{Text: r.ContentText, Title: r.Metadata.Title}
	if !r.Metadata.Date.IsZero() {
		d := r.Metadata.Date.UTC()
		res.Published = &d
	}
	if a := strings.TrimSpace(r.Metadata.Author); a != "" {
		res.Authors = splitAuthors(a)
	}
	return res, nil
}

// extractReadability runs readeck's go-readability v2 (Mozilla
// Readability's port) and renders its text.
func extractReadability(h []byte, u *url.URL) (Result, error) {
	a, err := readability.FromReader(bytes.NewReader(h), u)
	if err != nil {
		return Result{}, nil
	}
	var b strings.Builder
	if a.Node != nil {
		if err := a.RenderText(&b); err != nil {
			return Result{}, err
		}
	}
	res := Result{Text: b.String(), Title: a.Title()}
	if t, err := a.PublishedTime(); err == nil && !t.IsZero() {
		t = t.UTC()
		res.Published = &t
	}
	if by := strings.TrimSpace(a.Byline()); by != "" {
		res.Authors = splitAuthors(by)
	}
	return res, nil
}
