// Package opml reads and writes OPML subscription lists (OPML 2.0, what
// every feed reader imports and exports).
package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// MaxBytes bounds an OPML file read by Parse.
const MaxBytes = 16 << 20

// ErrNotOPML means the input is not an OPML document.
var ErrNotOPML = errors.New("not an OPML document")

// Feed is one subscription.
type Feed struct {
	URL     string   // xmlUrl
	HTMLURL string   // htmlUrl
	Title   string   // title, else text
	Tags    []string // the enclosing folders' titles and the category attribute
}

type document struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Title   string    `xml:"head>title"`
	Created string    `xml:"head>dateCreated,omitempty"`
	Body    []outline `xml:"body>outline"`
}

type outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Category string    `xml:"category,attr,omitempty"`
	Children []outline `xml:"outline"`
}

// Parse reads the subscriptions of an OPML document: every outline with an
// xmlUrl, at any depth. A folder (an outline without xmlUrl) tags the feeds
// inside it with its title. Outlines are returned in document order; one
// URL appears once.
func Parse(r io.Reader) ([]Feed, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read OPML: %w", err)
	}
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("OPML larger than %d bytes", MaxBytes)
	}
	var doc document
	dec := xml.NewDecoder(bytes.NewReader(b))
	// Feed readers export Latin-1 now and then; pass other charsets
	// through rather than refuse the file (URLs are ASCII).
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotOPML, err)
	}
	var out []Feed
	seen := map[string]bool{}
	var walk func(os []outline, folders []string, depth int)
	walk = func(os []outline, folders []string, depth int) {
		if depth > 32 {
			return // nesting that deep is an attack, not a folder tree
		}
		for _, o := range os {
			name := strings.TrimSpace(o.Title)
			if name == "" {
				name = strings.TrimSpace(o.Text)
			}
			if u := strings.TrimSpace(o.XMLURL); u != "" {
				if !seen[u] {
					seen[u] = true
					tags := slices.Clone(folders)
					for _, c := range strings.Split(o.Category, ",") {
						c = strings.Trim(strings.TrimSpace(c), "/")
						if c != "" && !slices.Contains(tags, c) {
							tags = append(tags, c)
						}
					}
					out = append(out, Feed{URL: u, HTMLURL: strings.TrimSpace(o.HTMLURL), Title: name, Tags: tags})
				}
				continue
			}
			sub := folders
			if name != "" {
				sub = append(slices.Clone(folders), name)
			}
			walk(o.Children, sub, depth+1)
		}
	}
	walk(doc.Body, nil, 0)
	return out, nil
}

// Write writes feeds as an OPML 2.0 document; tags go in the category
// attribute (comma-separated), as OPML 2.0 specifies.
func Write(w io.Writer, title string, feeds []Feed, now time.Time) error {
	doc := document{Version: "2.0", Title: title, Created: now.UTC().Format(time.RFC1123Z)}
	for _, f := range feeds {
		text := f.Title
		if text == "" {
			text = f.URL
		}
		doc.Body = append(doc.Body, outline{Text: text, Title: f.Title, Type: "rss", XMLURL: f.URL, HTMLURL: f.HTMLURL,
			Category: strings.Join(f.Tags, ",")})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
