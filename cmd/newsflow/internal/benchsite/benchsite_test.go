package benchsite

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every page is in a feed at once by default; with a rate, pages appear
// round-robin over the feeds as time passes, and each copy is distinct.
func TestFeedsRevealPagesAtTheRate(t *testing.T) {
	s, err := Start([][]byte{[]byte("<html><head><title>T</title></head><body><p>Body</p></body></html>")}, 2, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func() int {
		n := 0
		for _, f := range s.FeedURLs() {
			n += strings.Count(get(t, f), "<item>")
		}
		return n
	}
	if n := count(); n != 100 {
		t.Fatalf("without a rate: %d items, want 100", n)
	}
	s.Publish(50)
	first := count()
	if first < 1 || first > 10 {
		t.Fatalf("just after Publish(50): %d items, want a few", first)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() <= first {
		if time.Now().After(deadline) {
			t.Fatalf("no new items after 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Round-robin: both feeds have items once two pages are out.
	for _, f := range s.FeedURLs() {
		if !strings.Contains(get(t, f), "<item>") {
			t.Errorf("feed %s has no items yet", f)
		}
	}
	a, b := get(t, s.PageURL(0)), get(t, s.PageURL(1))
	if a == b || !strings.Contains(a, "benchword0 ") || !strings.Contains(b, "benchword1 ") {
		t.Errorf("pages are not distinct copies:\n%s\n%s", a, b)
	}
}

// A copy is its template with the marker after the first <title> and the
// first <p>, served with its length, as PageHTML says.
func TestPageIsTheTemplateWithItsMarker(t *testing.T) {
	templates := [][]byte{
		[]byte("<html><head><title>T</title></head><body><p>One</p><p>Two</p></body></html>"),
		[]byte("<p>first</p><title>late</title>"),
		[]byte("no tags at all"),
	}
	s, err := Start(templates, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := []string{
		"<html><head><title>benchword0 T</title></head><body><p>benchword0 One</p><p>Two</p></body></html>",
		"<p>benchword1 first</p><title>benchword1 late</title>",
		"no tags at all",
	}
	for i, w := range want {
		if got := string(s.PageHTML(i)); got != w {
			t.Errorf("PageHTML(%d) = %q, want %q", i, got, w)
		}
		resp, err := http.Get(s.PageURL(i))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != w || resp.ContentLength != int64(len(w)) {
			t.Errorf("GET page %d = %q (Content-Length %d), want %q", i, body, resp.ContentLength, w)
		}
	}
}
