package events_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/events/internal/jsonschema"
)

var update = flag.Bool("update", false, "rewrite the checked-in JSON Schema files")

// TestSchemasMatchTypes fails when a Go type changed and its checked-in schema
// was not regenerated (go test ./pkg/events -run TestSchemas -update).
func TestSchemasMatchTypes(t *testing.T) {
	cases := []struct {
		name, title, desc string
		v                 any
	}{
		{events.SchemaFeedItem, "FeedItem", "One feed entry, published on news.items.v1.<src>.", events.FeedItem{}},
		{events.SchemaPage, "Page", "A fetched article page, published on news.pages.v1.<src>.", events.Page{}},
		{events.SchemaArticle, "Article", "A normalized article, published on news.articles.v1.<src>.", events.Article{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := "https://newsflow.dev/schema/" + c.name + ".v1.schema.json"
			want, err := jsonschema.Generate(c.v, id, c.title, c.desc)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("schema", c.name+".v1.schema.json")
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := events.Schema(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if !*update && !bytes.Equal(got, want) {
				t.Fatalf("%s drifted from the Go type; run: go test ./pkg/events -run TestSchemas -update", path)
			}
		})
	}
}
