package robots

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/httpfetch"
)

func TestAllowed(t *testing.T) {
	var fetches atomic.Int32
	var status atomic.Int32
	status.Store(200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			t.Errorf("unexpected request %s", r.URL)
		}
		fetches.Add(1)
		if c := int(status.Load()); c != 200 {
			w.WriteHeader(c)
			return
		}
		w.Write([]byte("User-agent: *\nDisallow: /private/\n\nUser-agent: newsflow\nDisallow: /no-bots/\nAllow: /no-bots/ok\n"))
	}))
	defer srv.Close()
	client := httpfetch.New(httpfetch.Options{AllowPrivate: true, TotalTimeout: 5 * time.Second})
	c := New(client, "newsflow/0.1 (+https://example.com/contact)", time.Hour)
	tests := []struct {
		path string
		want bool
	}{
		{"/news/1", true},
		{"/no-bots/x", false},
		{"/no-bots/ok", true},
		// Our group replaces *, so its rules alone apply (RFC 9309).
		{"/private/x", true},
		{"/news/1?q=1", true},
	}
	for _, tt := range tests {
		got, err := c.Allowed(context.Background(), srv.URL+tt.path)
		if err != nil || got != tt.want {
			t.Errorf("Allowed(%s) = %v, %v; want %v", tt.path, got, err, tt.want)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once (cached)", n)
	}
	// Another agent falls into the * group.
	other := New(client, "otherbot/2", time.Hour)
	if ok, _ := other.Allowed(context.Background(), srv.URL+"/private/x"); ok {
		t.Error("otherbot allowed into /private/")
	}
}

func TestStatusHandling(t *testing.T) {
	tests := []struct {
		code    int
		want    bool
		wantErr error
	}{
		{404, true, nil},
		{403, true, nil},
		{500, false, ErrUnavailable},
		{503, false, ErrUnavailable},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.code) }))
		c := New(httpfetch.New(httpfetch.Options{AllowPrivate: true}), "newsflow", time.Hour)
		got, err := c.Allowed(context.Background(), srv.URL+"/a")
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("status %d: %v, %v; want %v, %v", tt.code, got, err, tt.want, tt.wantErr)
		}
		srv.Close()
	}
}

func TestProductToken(t *testing.T) {
	for in, want := range map[string]string{
		"newsflow/0.1 (+https://x)": "newsflow",
		"MyBot":                     "MyBot",
		"":                          "*",
		"Mozilla/5.0 (compatible)":  "Mozilla",
	} {
		if got := ProductToken(in); got != want {
			t.Errorf("ProductToken(%q) = %q, want %q", in, got, want)
		}
	}
}
