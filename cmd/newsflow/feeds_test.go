package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/embedded"
	"github.com/newsflow/newsflow/services/fetcher/opml"
)

// feedsCLI runs `newsflow feeds ARGS --nats-url URL` and returns stdout,
// stderr and the exit code.
func feedsCLI(t *testing.T, natsURL string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli(context.Background(), append(append([]string{"feeds"}, args...), "--nats-url", natsURL, "--timeout", "20s"), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestFeedsCommands(t *testing.T) {
	srv := embedded.ForTest(t)
	url := srv.ClientURL()
	opmlFile := filepath.Join(t.TempDir(), "subs.opml")
	if err := os.WriteFile(opmlFile, []byte(`<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="Tech"><outline text="Ars" type="rss" xmlUrl="https://feeds.arstechnica.com/arstechnica/index"/></outline>
<outline text="Bad" xmlUrl="gopher://old.example/feed"/>
</body></opml>`), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args     []string
		wantCode int
		wantOut  []string
		notOut   []string
	}{
		{args: []string{"add", "https://www.rt.com/rss/news/", "--no-discover", "--name", "RT", "--tag", "news", "--tag", "ru"}, wantOut: []string{"registered", "https://www.rt.com/rss/news/"}},
		{args: []string{"add", "HTTPS://WWW.RT.COM/rss/news/", "--no-discover"}, wantOut: []string{"already registered"}},
		{args: []string{"add", "ftp://x.example/feed"}, wantCode: 1},
		{args: []string{"add"}, wantCode: 1},
		{args: []string{"frobnicate"}, wantCode: 1},
		{args: []string{"import", opmlFile}, wantOut: []string{"imported 1 feeds (0 already registered, 1 skipped)"}},
		{args: []string{"list"}, wantOut: []string{"STATE", "active", "RT", "https://www.rt.com/rss/news/", "https://feeds.arstechnica.com/arstechnica/index"}},
		{args: []string{"pause", "https://www.rt.com/rss/news/"}, wantOut: []string{": paused"}},
		{args: []string{"list", "--json"}, wantOut: []string{`"state":"paused"`, `"tags":["news","ru"]`}},
		{args: []string{"resume", "https://www.rt.com/rss/news/"}, wantOut: []string{": active"}},
		{args: []string{"rm", "https://feeds.arstechnica.com/arstechnica/index"}, wantOut: []string{"removed"}},
		{args: []string{"rm", "https://feeds.arstechnica.com/arstechnica/index"}, wantCode: 1},
		{args: []string{"list"}, wantOut: []string{"https://www.rt.com/rss/news/"}, notOut: []string{"arstechnica"}},
	}
	for _, s := range steps {
		out, errOut, code := feedsCLI(t, url, s.args...)
		if code != s.wantCode {
			t.Fatalf("feeds %v: exit %d, want %d\nstdout: %s\nstderr: %s", s.args, code, s.wantCode, out, errOut)
		}
		for _, w := range s.wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("feeds %v: output lacks %q:\n%s", s.args, w, out)
			}
		}
		for _, w := range s.notOut {
			if strings.Contains(out, w) {
				t.Errorf("feeds %v: output has %q:\n%s", s.args, w, out)
			}
		}
	}
	out, _, code := feedsCLI(t, url, "export")
	if code != 0 {
		t.Fatalf("export: exit %d", code)
	}
	feeds, err := opml.Parse(strings.NewReader(out))
	if err != nil || len(feeds) != 1 || feeds[0].URL != "https://www.rt.com/rss/news/" || feeds[0].Title != "RT" || strings.Join(feeds[0].Tags, ",") != "news,ru" {
		t.Errorf("export = %+v, %v\n%s", feeds, err, out)
	}
}

// TestFeedsAddDiscovers: feeds add of a site's HTML page registers the feed
// the page announces; a page announcing none is refused; a URL the CLI may
// not fetch (loopback without --allow-private-networks) is registered as
// given, for the fetcher to look at.
func TestFeedsAddDiscovers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/news/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>http://example.com/</link></channel></rss>`)
	})
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>News</title>
<link rel="alternate" type="application/rss+xml" title="All news" href="feed.xml"></head><body>Front page</body></html>`)
	})
	mux.HandleFunc("/about", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body>No feed here.</body></html>`)
	})
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	nats := embedded.ForTest(t).ClientURL()
	steps := []struct {
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{args: []string{"add", site.URL + "/news/", "--allow-private-networks", "--name", "Site"},
			wantOut: []string{"found feed " + site.URL + "/news/feed.xml announced by " + site.URL + "/news/", "registered"}},
		{args: []string{"add", site.URL + "/news/feed.xml", "--allow-private-networks"}, wantOut: []string{"already registered"}},
		{args: []string{"add", site.URL + "/about", "--allow-private-networks"}, wantCode: 1, wantErr: []string{"no feed found", "--no-discover"}},
		{args: []string{"add", site.URL + "/other/"}, wantErr: []string{"could not fetch", "--allow-private-networks", "registering it as given"},
			wantOut: []string{"registered "}},
	}
	for _, s := range steps {
		out, errOut, code := feedsCLI(t, nats, s.args...)
		if code != s.wantCode {
			t.Fatalf("feeds %v: exit %d, want %d\nstdout: %s\nstderr: %s", s.args, code, s.wantCode, out, errOut)
		}
		for _, w := range s.wantOut {
			if !strings.Contains(out, w) {
				t.Errorf("feeds %v: stdout lacks %q:\n%s", s.args, w, out)
			}
		}
		for _, w := range s.wantErr {
			if !strings.Contains(errOut, w) {
				t.Errorf("feeds %v: stderr lacks %q:\n%s", s.args, w, errOut)
			}
		}
	}
	out, _, _ := feedsCLI(t, nats, "list")
	for _, want := range []string{site.URL + "/news/feed.xml", "Site", site.URL + "/other/"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	for _, not := range []string{site.URL + "/news/ ", site.URL + "/about"} {
		if strings.Contains(out, not) {
			t.Errorf("list has %q:\n%s", not, out)
		}
	}
}
