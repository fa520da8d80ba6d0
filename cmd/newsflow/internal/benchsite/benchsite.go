// Package benchsite serves many feeds and many distinct article pages on
// loopback for benchmarks and load tests: real pages from the demo site,
// copied under distinct URLs with a distinct marker word each, so every
// page is a different article to the pipeline.
package benchsite

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Site is a running benchmark site.
type Site struct {
	srv       *http.Server
	ln        net.Listener
	templates []template
	feeds     int
	perFeed   int

	// With a rate, pages appear in the feeds over time instead of all at
	// once: page i is published at start + i/rate.
	mu    sync.Mutex
	rate  float64
	start time.Time
}

// Publish makes pages appear in the feeds at perSecond pages per second from
// now on (round-robin over the feeds), instead of all at once: a steady
// load, for measuring freshness rather than the drain of a burst.
func (s *Site) Publish(perSecond float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rate, s.start = perSecond, time.Now()
}

// visible is how many pages have been published so far.
func (s *Site) visible() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate <= 0 {
		return s.Pages()
	}
	return min(s.Pages(), int(time.Since(s.start).Seconds()*s.rate)+1)
}

// Start serves feeds×perFeed pages built from templates (HTML pages; each
// copy gets its own URL and the word "benchword<i>").
func Start(templates [][]byte, feeds, perFeed int) (*Site, error) {
	if len(templates) == 0 || feeds <= 0 || perFeed <= 0 {
		return nil, fmt.Errorf("benchsite: need templates, feeds and pages per feed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("benchsite: %w", err)
	}
	s := &Site{ln: ln, feeds: feeds, perFeed: perFeed}
	for _, t := range templates {
		s.templates = append(s.templates, newTemplate(t))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{f}", s.feed)
	mux.HandleFunc("GET /page/{i}", s.page)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Site) Close() error { return s.srv.Close() }

// FeedURLs are the site's feeds.
func (s *Site) FeedURLs() []string {
	out := make([]string, s.feeds)
	for f := range out {
		out[f] = fmt.Sprintf("http://%s/feed/%d", s.ln.Addr(), f)
	}
	return out
}

// Pages is the number of distinct pages.
func (s *Site) Pages() int { return s.feeds * s.perFeed }

// pageOf returns the index of feed f's k-th page: round-robin over the feeds,
// so that pages published at a rate spread over all of them.
func (s *Site) pageOf(f, k int) int { return k*s.feeds + f }

// PageURL is the URL of page i.
func (s *Site) PageURL(i int) string { return fmt.Sprintf("http://%s/page/%d", s.ln.Addr(), i) }

// A template is a page cut where each copy gets its marker word: after the
// first <title> and after the first <p>. Serving a copy writes the pieces
// (a static origin's cost, not four copies of the page per request).
type template struct {
	html []byte
	cuts []int // offsets where the marker goes, ascending
}

func newTemplate(html []byte) template {
	t := template{html: html}
	for _, tag := range []string{"<title>", "<p>"} {
		if i := bytes.Index(html, []byte(tag)); i >= 0 {
			t.cuts = append(t.cuts, i+len(tag))
		}
	}
	sort.Ints(t.cuts)
	return t
}

// marker is the word that makes page i a distinct article with a distinct
// body hash.
func marker(i int) string { return "benchword" + strconv.Itoa(i) + " " }

// size is the length of page i built from t.
func (t template) size(i int) int { return len(t.html) + len(t.cuts)*len(marker(i)) }

// write writes page i built from t.
func (t template) write(w io.Writer, i int) error {
	m, prev := []byte(marker(i)), 0
	for _, c := range t.cuts {
		if _, err := w.Write(t.html[prev:c]); err != nil {
			return err
		}
		if _, err := w.Write(m); err != nil {
			return err
		}
		prev = c
	}
	_, err := w.Write(t.html[prev:])
	return err
}

// PageHTML is the body of page i: its template with the word
// "benchword<i>" after the first <title> and the first <p>.
func (s *Site) PageHTML(i int) []byte {
	t := s.templates[i%len(s.templates)]
	var b bytes.Buffer
	b.Grow(t.size(i))
	_ = t.write(&b, i)
	return b.Bytes()
}

func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	f, err := strconv.Atoi(r.PathValue("f"))
	if err != nil || f < 0 || f >= s.feeds {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench feed %d</title><link>http://%s/</link>`, f, r.Host)
	visible := s.visible()
	for k := range s.perFeed {
		i := s.pageOf(f, k)
		if i >= visible {
			break
		}
		fmt.Fprintf(&b, `<item><title>Story %d</title><link>%s</link><guid>bench-%d</guid></item>`, i, s.PageURL(i), i)
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(r.PathValue("i"))
	if err != nil || i < 0 || i >= s.Pages() {
		http.NotFound(w, r)
		return
	}
	t := s.templates[i%len(s.templates)]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(t.size(i)))
	_ = t.write(w, i)
}
