package webui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/searchapi"
	"github.com/newsflow/newsflow/services/indexer/internal/searchtest"
	"github.com/newsflow/newsflow/services/indexer/internal/webui"
)

// chromium returns the browser to drive: NEWSFLOW_CHROMIUM, else chromium
// on PATH. Without one the test skips locally and fails in CI (CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NEWSFLOW_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium in CI: scripts/test.sh should have installed it with scripts/chromium.sh")
	}
	t.Skip("no Chromium: run scripts/chromium.sh (or set NEWSFLOW_CHROMIUM) to run the browser test")
	return ""
}

const seedTitle = "Pentagon: US-led coalition destroyed pro-government forces within deconfliction zone in Syria, killing 2"

// TestSearchPageInChromium types a query into the page in a real headless
// Chromium, finds the RT seed article among the results and opens it.
func TestSearchPageInChromium(t *testing.T) {
	exe := chromium(t)

	// The "RT" site the result links to, on loopback.
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><html><head><title>` + seedTitle + ` — RT World News</title></head><body><h1 id="headline">` + seedTitle + `</h1></body></html>`))
	}))
	t.Cleanup(site.Close)

	ix, err := index.Open("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	arts := searchtest.Corpus(t)
	seed := searchtest.Article(t, site.URL+"/news/391130-coalition-strike-syria-tanf/", "rt.com", "en", seedTitle,
		"The US-led coalition has destroyed pro-government forces inside the deconfliction zone in southern Syria, killing two.",
		"2017-06-06T20:36:00Z")
	seed.Source.Name = "RT"
	if err := ix.Upsert(context.Background(), append(arts, seed)...); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", searchapi.Handler(ix, zaptest.NewLogger(t)))
	mux.Handle("/", webui.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Flag("headless", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)

	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	step("type a query", chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible("#q"),
		chromedp.SendKeys("#q", "deconfliction syria"),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible("#results li.result a.result-title"),
	))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#results li.result").length`))
	step("count results", err)
	title, err := chromedp.Run(ctx, chromedp.Text("#results li.result a.result-title"))
	step("title", err)
	meta, err := chromedp.Run(ctx, chromedp.Text("#results li.result .meta"))
	step("meta", err)
	snippet, err := chromedp.Run(ctx, chromedp.InnerHTML("#results li.result .snippet"))
	step("snippet", err)
	if n != 1 || title != seedTitle {
		t.Fatalf("results: %d, first title %q; want the seed article alone", n, title)
	}
	if !strings.Contains(meta, "RT") || !strings.Contains(meta, "2017-06-06") {
		t.Errorf("meta %q lacks the source and date", meta)
	}
	if !strings.Contains(snippet, "<mark>deconfliction</mark>") {
		t.Errorf("snippet %q is not highlighted", snippet)
	}

	step("open the article", chromedp.Do(ctx,
		chromedp.Click("#results li.result a.result-title"),
		chromedp.WaitVisible("#headline"),
	))
	headline, err := chromedp.Run(ctx, chromedp.Text("#headline"))
	step("headline", err)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	step("location", err)
	if headline != seedTitle || loc != seed.URL {
		t.Errorf("opened %q at %s, want the seed at %s", headline, loc, seed.URL)
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(webui.Handler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path, ctype, contains string
		status                int
	}{
		{"/", "text/html", `<form id="search"`, 200},
		{"/static/app.js", "javascript", "/v1/search?", 200},
		{"/static/style.css", "text/css", "mark", 200},
		{"/static/nope.js", "", "", 404},
		{"/elsewhere", "", "", 404},
	} {
		t.Run(tc.path, func(t *testing.T) {
			status, h, body := searchtest.Get(t, srv.URL+tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if !strings.Contains(h.Get("Content-Type"), tc.ctype) || !strings.Contains(string(body), tc.contains) {
				t.Errorf("content type %q, body lacks %q", h.Get("Content-Type"), tc.contains)
			}
			if h.Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
		})
	}
}
