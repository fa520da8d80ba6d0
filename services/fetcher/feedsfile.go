package fetcher

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// LoadFeeds reads a feeds file: one feed URL a line, blank lines and lines
// starting with # ignored. An empty path gives no feeds.
func LoadFeeds(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("feeds file: %w", err)
	}
	return ParseFeeds(b)
}

// ParseFeeds parses the feeds file format of LoadFeeds.
func ParseFeeds(b []byte) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := url.Parse(line)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("feeds file line %d: %q is not an http(s) URL", n, line)
		}
		out = append(out, line)
	}
	return out, sc.Err()
}
