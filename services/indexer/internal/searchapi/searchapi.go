// Package searchapi is the HTTP search API over the article index:
//
//	GET /v1/search?q=&source=&lang=&author=&tag=&from=&to=&sort=&page=&size=&expand=
//	                        → search.Result as JSON (hits, facets, near-duplicates collapsed)
//	GET /v1/articles/{id}   → the Article as JSON
//	GET /v1/stats           → search.Stats as JSON
//
// Errors are JSON objects {"error": "..."}: 400 for bad parameters, 404 for an
// unknown article or route, 405 for another method, 500 otherwise (details
// are logged, not returned), 503 when the search timed out.
package searchapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

// Timeout bounds one search or lookup.
const Timeout = 10 * time.Second

// maxIDLen bounds the article id in a path; real ids are 32 hex digits.
const maxIDLen = 128

// Searcher is what the API needs from an index backend (bleve or PostgreSQL).
type Searcher interface {
	// Search runs q; an invalid q returns an error wrapping search.ErrBadQuery.
	Search(ctx context.Context, q search.Query) (*search.Result, error)
	// Get returns one article; an unknown id returns an error wrapping search.ErrNotFound.
	Get(ctx context.Context, id string) (*events.Article, error)
	// Stats describes the whole index.
	Stats(ctx context.Context) (*search.Stats, error)
}

// Handler returns the search API served from s, logging server-side errors to log.
func Handler(s Searcher, log *zap.Logger) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	a := &api{s: s, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/search", a.search)
	mux.HandleFunc("GET /v1/articles/{id}", a.article)
	mux.HandleFunc("GET /v1/stats", a.stats)
	mux.HandleFunc("/v1/search", methodNotAllowed)
	mux.HandleFunc("/v1/articles/{id}", methodNotAllowed)
	mux.HandleFunc("/v1/stats", methodNotAllowed)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such route")
	})
	return mux
}

type api struct {
	s   Searcher
	log *zap.Logger
}

func (a *api) search(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), Timeout)
	defer cancel()
	res, err := a.s.Search(ctx, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *api) stats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), Timeout)
	defer cancel()
	st, err := a.s.Stats(ctx)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *api) article(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen {
		writeError(w, http.StatusBadRequest, "bad article id")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), Timeout)
	defer cancel()
	art, err := a.s.Get(ctx, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	data, err := events.Encode(art)
	if err != nil {
		a.fail(w, r, fmt.Errorf("encode article %s: %w", id, err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(data, '\n'))
}

// fail maps err to a status and writes it.
func (a *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, search.ErrBadQuery):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, search.ErrNotFound):
		writeError(w, http.StatusNotFound, "article not found")
	case r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		a.log.Debug("search api: client gone", zap.String("path", r.URL.Path), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "request canceled")
	case errors.Is(err, context.DeadlineExceeded):
		a.log.Warn("search api: timeout", zap.String("path", r.URL.Path), zap.String("query", r.URL.RawQuery), zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "search timed out")
	default:
		a.log.Error("search api: internal error", zap.String("path", r.URL.Path), zap.String("query", r.URL.RawQuery), zap.Error(err))
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

// parseQuery reads the search parameters. Range and length checks are left
// to the index (search.ErrBadQuery); only syntax is checked here.
func parseQuery(v url.Values) (search.Query, error) {
	q := search.Query{
		Text:   v.Get("q"),
		Source: v.Get("source"),
		Lang:   v.Get("lang"),
		Author: v.Get("author"),
		Tag:    v.Get("tag"),
		Sort:   v.Get("sort"),
	}
	var err error
	switch v.Get("expand") {
	case "", "0", "false":
	case "1", "true":
		q.Expand = true
	default:
		return search.Query{}, errors.New("expand must be true or false")
	}
	if q.Page, err = intParam(v, "page"); err != nil {
		return search.Query{}, err
	}
	if q.Size, err = intParam(v, "size"); err != nil {
		return search.Query{}, err
	}
	if q.From, err = timeParam(v, "from", false); err != nil {
		return search.Query{}, err
	}
	if q.To, err = timeParam(v, "to", true); err != nil {
		return search.Query{}, err
	}
	return q, nil
}

func intParam(v url.Values, name string) (int, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a positive integer", name)
	}
	return n, nil
}

// timeParam parses an RFC 3339 time or a YYYY-MM-DD date (UTC). As the end
// of a range (to, exclusive), a date means the end of that day, so
// from=2026-11-01&to=2026-11-01 is the whole day.
func timeParam(v url.Values, name string, end bool) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s must be an RFC 3339 time or a YYYY-MM-DD date", name)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	writeError(w, http.StatusMethodNotAllowed, "method not allowed")
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	// HTML is not escaped: snippets keep their <mark> tags readable.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
