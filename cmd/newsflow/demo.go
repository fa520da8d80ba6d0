package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/newsflow/newsflow/cmd/newsflow/internal/demo"
	"github.com/newsflow/newsflow/pkg/service"
	"go.uber.org/zap"
)

// demoQuery is what the demo searches for once the bundled site is ingested.
const demoQuery = "deconfliction"

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	r := newRunFlags("demo", "127.0.0.1:8080", "", stderr)
	once := r.fs.Bool("once", false, "exit after printing the search results")
	timeout := r.fs.Duration("timeout", 2*time.Minute, "how long to wait for the demo articles to be searchable")
	_ = r.fs.Set("data", "")
	_ = r.fs.Set("log-format", "console")
	_ = r.fs.Set("log-level", "warn")
	_ = r.fs.Set("poll-interval", "1m")
	if err := r.parse(args); err != nil {
		return err
	}
	cleanup, err := r.tempData("newsflow-demo-")
	if err != nil {
		return err
	}
	defer cleanup()
	site, err := demo.Start()
	if err != nil {
		return err
	}
	defer site.Close()
	r.app.Fetcher.AllowPrivate = true
	r.app.Fetcher.Resolve = site.Resolve()
	r.app.Fetcher.Feeds = site.FeedURLs()

	ctx, stop := service.SignalContext(ctx)
	defer stop()
	a, log, err := r.open(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	defer a.Close()
	stopRun := runInBackground(ctx, a)

	fmt.Fprintf(stdout, "newsflow demo: serving %d feeds from %s; search API on http://%s\n", len(r.app.Fetcher.Feeds), site.Addr(), a.HTTPAddr())
	res, err := waitForHits(ctx, a.HTTPAddr(), demoQuery, *timeout)
	if err != nil {
		_ = stopRun()
		return err
	}
	printHits(stdout, demoQuery, res)
	if !*once {
		fmt.Fprintf(stdout, "\nStill serving: open http://%s/ or try  curl 'http://%s/v1/search?q=syria'  (Ctrl-C to stop)\n", a.HTTPAddr(), a.HTTPAddr())
		log.Info("demo running", zap.String("http", a.HTTPAddr()))
		<-ctx.Done()
	}
	return stopRun()
}

// searchResult is the part of the search API's answer the demo prints.
type searchResult struct {
	Total uint64 `json:"total"`
	Hits  []struct {
		ID          string     `json:"id"`
		Title       string     `json:"title"`
		URL         string     `json:"url"`
		PublishedAt *time.Time `json:"published_at"`
		Snippet     string     `json:"snippet"`
		Source      struct {
			Name   string `json:"name"`
			Domain string `json:"domain"`
		} `json:"source"`
	} `json:"hits"`
}

// waitForHits asks the search API until the query has a hit or the timeout passes.
func waitForHits(ctx context.Context, addr, q string, timeout time.Duration) (*searchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := "http://" + addr + "/v1/search?q=" + url.QueryEscape(q)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		res, err := search(ctx, client, u)
		if err == nil && res.Total > 0 {
			return res, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("no hits")
			}
			return nil, fmt.Errorf("waiting for %q to be searchable: %w (%v)", q, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func search(ctx context.Context, client *http.Client, u string) (*searchResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("search: %s", resp.Status)
	}
	var res searchResult
	if err := jsonDecode(resp, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// jsonDecode decodes a bounded JSON response body into v and closes it.
func jsonDecode(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(v)
}

var markTags = regexp.MustCompile(`</?mark>`)

// plainSnippet turns the API's HTML snippet into one line of text for a
// terminal, with the highlighted words between asterisks.
func plainSnippet(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(markTags.ReplaceAllString(s, "*"))), " ")
}

func printHits(w io.Writer, q string, res *searchResult) {
	fmt.Fprintf(w, "\nSearch %q: %d hit(s)\n", q, res.Total)
	for i, h := range res.Hits {
		when := "-"
		if h.PublishedAt != nil {
			when = h.PublishedAt.UTC().Format(time.RFC3339)
		}
		src := h.Source.Name
		if src == "" {
			src = h.Source.Domain
		}
		fmt.Fprintf(w, "\n%d. %s\n   %s · %s\n   %s\n   %s\n", i+1, h.Title, src, when, h.URL, plainSnippet(h.Snippet))
	}
}
