package events

import (
	"embed"
	"fmt"
)

//go:embed schema/*.schema.json
var schemaFS embed.FS

// Schema names, one per message type.
const (
	SchemaFeedItem = "feed_item"
	SchemaPage     = "page"
	SchemaArticle  = "article"
)

// Schema returns the JSON Schema (draft 2020-12) of the named message
// (SchemaFeedItem, SchemaPage, SchemaArticle). The files are generated from
// the Go types; a test fails when they drift.
func Schema(name string) ([]byte, error) {
	b, err := schemaFS.ReadFile("schema/" + name + ".v1.schema.json")
	if err != nil {
		return nil, fmt.Errorf("schema %q: %w", name, err)
	}
	return b, nil
}
