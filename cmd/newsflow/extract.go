package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/parser"
)

// cmdExtract runs the parser's own code path on local HTML files and prints
// one Article JSON a line, with the input path in "file". A page that fails
// prints {"file":..., "error":...} instead, so one bad file does not hide
// the rest.
func cmdExtract(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	dir := fs.String("dir", "", "extract every *.html file in this directory")
	base := fs.String("url", "", "URL to assume for the pages (default: https://example.com/<file name>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := fs.Args()
	if *dir == "" && len(files) == 1 {
		if st, err := os.Stat(files[0]); err == nil && st.IsDir() {
			*dir, files = files[0], nil
		}
	}
	if *dir != "" {
		m, err := filepath.Glob(filepath.Join(*dir, "*.html"))
		if err != nil {
			return err
		}
		sort.Strings(m)
		files = append(files, m...)
	}
	if len(files) == 0 {
		return errors.New("no input: give FILE... or --dir DIR")
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	now := time.Now().UTC()
	for _, f := range files {
		out, err := extractFile(f, *base, now)
		if err != nil {
			out = map[string]any{"file": f, "error": err.Error()}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(path, base string, now time.Time) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	u := base
	if u == "" {
		u = "https://example.com/" + strings.TrimSuffix(filepath.Base(path), ".html")
	}
	id, err := events.ArticleID(u)
	if err != nil {
		return nil, err
	}
	page := &events.Page{SchemaVersion: events.SchemaVersion, ID: id, URL: u, StatusCode: 200, FetchedAt: now, HTML: string(b)}
	art, err := parser.Parse(page)
	if err != nil {
		return nil, err
	}
	return struct {
		File string `json:"file"`
		*events.Article
	}{path, art}, nil
}
