// Package demo is the bundled demo site: a few news sites' feeds and article
// pages (the RT-style seed story among them) served from a local HTTP server,
// so that `newsflow demo` and the end-to-end tests ingest real-looking pages
// without the network.
//
// Files live in site/<host>/<path>; a path ending in / serves index.html.
// Feed files (.xml, .json) are templates: {{.Port}} is the server's port, so
// their links point back at it. Every host is reached through the fetcher's
// resolve map (host → 127.0.0.1:port), the way curl --resolve works, so the
// pages keep their real host names and canonical URLs.
package demo

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed site
var siteFS embed.FS

// Site is a running demo site.
type Site struct {
	srv  *http.Server
	ln   net.Listener
	port int
}

// Start serves the demo site on a free loopback port.
func Start() (*Site, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: %w", err)
	}
	s := &Site{ln: ln, port: ln.Addr().(*net.TCPAddr).Port}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Site) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}

// Addr is the loopback address the site listens on.
func (s *Site) Addr() string { return s.ln.Addr().String() }

// Hosts are the site's host names.
func (s *Site) Hosts() []string {
	entries, _ := fs.ReadDir(siteFS, "site")
	var hosts []string
	for _, e := range entries {
		if e.IsDir() {
			hosts = append(hosts, e.Name())
		}
	}
	return hosts
}

// Resolve maps every host of the site to the server's address.
func (s *Site) Resolve() map[string]string {
	m := map[string]string{}
	for _, h := range s.Hosts() {
		m[h] = s.Addr()
	}
	return m
}

// FeedURLs are the URLs of every feed of the site.
func (s *Site) FeedURLs() []string {
	var out []string
	for _, h := range s.Hosts() {
		_ = fs.WalkDir(siteFS, "site/"+h, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isFeed(p) {
				out = append(out, "http://"+h+":"+strconv.Itoa(s.port)+strings.TrimPrefix(p, "site/"+h))
			}
			return nil
		})
	}
	return out
}

func isFeed(p string) bool {
	return strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".json")
}

// ServeHTTP serves site/<host><path>.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	p := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") {
		p = path.Join(p, "index.html")
	}
	name := "site/" + host + p
	b, err := siteFS.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) || host == "" || strings.Contains(host, "/") {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(p))
	switch {
	case ctype == "" && !isFeed(p):
		ctype = "text/html; charset=utf-8"
	case strings.HasSuffix(p, ".xml"):
		ctype = "application/rss+xml; charset=utf-8"
		if bytes.Contains(b[:min(len(b), 512)], []byte("<feed")) {
			ctype = "application/atom+xml; charset=utf-8"
		}
	case strings.HasSuffix(p, ".json"):
		ctype = "application/feed+json; charset=utf-8"
	}
	if isFeed(p) {
		t, err := template.New(p).Parse(string(b))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, map[string]int{"Port": s.port}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		b = buf.Bytes()
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(b)
}

// Page returns the bytes of a bundled page, for tests: host and path as in
// its URL.
func Page(host, p string) ([]byte, error) {
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return siteFS.ReadFile("site/" + host + p)
}
