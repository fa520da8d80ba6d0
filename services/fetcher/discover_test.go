package fetcher_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher"
)

func TestDiscoverFeed(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, emptyFeed, "feed")
	})
	mux.HandleFunc("/feed-as-html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html") // misconfigured servers do this
		fmt.Fprintf(w, emptyFeed, "feed")
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/site/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>Site</title>
<link rel="stylesheet" href="/s.css"><link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="application/rss+xml" href="/feed"></head><body>Hi</body></html>`)
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><link rel="alternate" hreflang="de" href="/de/"></head><body>no feed</body></html>`)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "just words")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	allow := fetcher.DiscoverOptions{AllowPrivate: true, Timeout: 5 * time.Second}
	tests := []struct {
		name     string
		path     string
		opts     fetcher.DiscoverOptions
		wantURL  string // path on srv
		wantPage string
		wantErr  error // errors.Is; nil: no error
		anyErr   bool  // an error other than ErrNoFeed
	}{
		{name: "a feed", path: "/feed", opts: allow, wantURL: "/feed"},
		{name: "a feed served as text/html", path: "/feed-as-html", opts: allow, wantURL: "/feed-as-html"},
		{name: "a moved feed", path: "/old", opts: allow, wantURL: "/feed"},
		{name: "a page announcing feeds", path: "/site/", opts: allow, wantURL: "/site/atom.xml", wantPage: "/site/"},
		{name: "a page announcing none", path: "/plain", opts: allow, wantErr: fetcher.ErrNoFeed},
		{name: "neither feed nor page", path: "/text", opts: allow, anyErr: true},
		{name: "not found", path: "/missing", opts: allow, anyErr: true},
		{name: "loopback refused by default", path: "/feed", opts: fetcher.DiscoverOptions{Timeout: 5 * time.Second}, wantErr: fetcher.ErrBlockedAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := fetcher.DiscoverFeed(context.Background(), srv.URL+tt.path, tt.opts)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			case tt.anyErr:
				if err == nil || errors.Is(err, fetcher.ErrNoFeed) {
					t.Fatalf("err = %v, want an error other than ErrNoFeed", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				wantPage := ""
				if tt.wantPage != "" {
					wantPage = srv.URL + tt.wantPage
				}
				if d.URL != srv.URL+tt.wantURL || d.Page != wantPage {
					t.Errorf("got %+v, want URL %s page %q", d, srv.URL+tt.wantURL, wantPage)
				}
			}
		})
	}
}
