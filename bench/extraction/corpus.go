package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Truth is what a corpus says about one page (score-extraction's format:
// DIR/truth.json maps a page id to these fields; any may be absent).
type Truth struct {
	URL       string          `json:"url"`
	Body      string          `json:"body"`
	Title     string          `json:"title"`
	Published string          `json:"published"`
	Authors   json.RawMessage `json:"authors"`
}

// Page is one corpus page held in memory, so that reading files is not
// part of any extractor's time.
type Page struct {
	ID    string
	HTML  []byte
	Truth Truth
}

// LoadCorpus reads DIR/pages/*.html and DIR/truth.json.
func LoadCorpus(dir string) ([]Page, error) {
	var truth map[string]Truth
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		return nil, fmt.Errorf("corpus: truth.json: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "pages", "*.html"))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("corpus: no pages in %s", filepath.Join(dir, "pages"))
	}
	sort.Strings(files)
	pages := make([]Page, 0, len(files))
	for _, f := range files {
		h, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".html")
		t := truth[id]
		if t.URL == "" {
			t.URL = "http://fakehost/test/" + id + ".html"
		}
		pages = append(pages, Page{ID: id, HTML: h, Truth: t})
	}
	return pages, nil
}
