package index

import (
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/it"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/nl"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/pt"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/services/indexer/internal/search"
)

// mappingVersion is stored in every index this package creates. Bump it when
// the mapping or the document layout changes: an index with another version
// is refused and must be rebuilt (by replaying NEWS_ARTICLES).
const mappingVersion = "3"

// mappingVersionKey is the internal (non-document) key holding mappingVersion.
var mappingVersionKey = []byte("newsflow.mapping_version")

// Field names of the indexed document.
//
// The full-text fields exist once per analysed language (title_en, title_fr,
// ...): an article fills those of its language, and a query searches each
// language's fields with that language's analysis, so a French stem never
// meets an English one.
const (
	fieldTitle        = "title"
	fieldDescription  = "description"
	fieldText         = "text"
	fieldDay          = "day"
	fieldSimHash      = "simhash"
	fieldSourceDomain = "source_domain"
	fieldSourceName   = "source_name"
	fieldLanguage     = "language"
	fieldAuthors      = "authors"
	fieldTags         = "tags"
	fieldPublishedAt  = "published_at"
	// fieldDoc holds the article exactly as events.Encode writes it; stored, not indexed.
	fieldDoc = "doc_json"
	// fieldVersion holds "<modified_at ns> <fetched_at ns>"; stored, not indexed.
	fieldVersion = "doc_version"
)

// analyzerKeywordLower indexes a whole value as one lower-cased term.
const analyzerKeywordLower = "keyword_lower"

// newsMapping is the index mapping for articles. Documents are flat maps built
// by toDoc; nothing outside the mapped fields is indexed, and no _all field is kept.
func newsMapping() (*mapping.IndexMappingImpl, error) {
	im := mapping.NewIndexMapping()
	err := im.AddCustomAnalyzer(analyzerKeywordLower, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []string{lowercase.Name},
	})
	if err != nil {
		return nil, fmt.Errorf("news mapping: analyzer %s: %w", analyzerKeywordLower, err)
	}
	im.DefaultAnalyzer = en.AnalyzerName
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false

	// Full text in the article's language, analysed by the index analyzer
	// (analyzer.go). Not stored: hits and their snippets are made from
	// doc_json (snippet.go), so bleve's highlighter, which needed the text
	// stored again, is not used. Term vectors stay: phrase queries need
	// their positions (the offsets in them are zero).
	text := func(analyzer string) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = indexAnalyzerName(analyzer)
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// Keywords are not stored either: hits take them from doc_json.
	keyword := func(docValues bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzerKeywordLower
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = analyzerKeywordLower
		f.Index = false
		f.Store = true
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	date := mapping.NewDateTimeFieldMapping()
	date.IncludeInAll = false

	doc := mapping.NewDocumentStaticMapping()
	for _, l := range search.Languages {
		doc.AddFieldMappingsAt(langField(fieldTitle, l.Code), text(l.Code))
		doc.AddFieldMappingsAt(langField(fieldDescription, l.Code), text(l.Code))
		doc.AddFieldMappingsAt(langField(fieldText, l.Code), text(l.Code))
	}
	doc.AddFieldMappingsAt(fieldDay, keyword(true))
	doc.AddFieldMappingsAt(fieldSimHash, storedOnly())
	doc.AddFieldMappingsAt(fieldSourceDomain, keyword(true))
	doc.AddFieldMappingsAt(fieldSourceName, keyword(false))
	doc.AddFieldMappingsAt(fieldLanguage, keyword(true))
	doc.AddFieldMappingsAt(fieldAuthors, keyword(false))
	doc.AddFieldMappingsAt(fieldTags, keyword(false))
	doc.AddFieldMappingsAt(fieldPublishedAt, date)
	doc.AddFieldMappingsAt(fieldDoc, storedOnly())
	doc.AddFieldMappingsAt(fieldVersion, storedOnly())

	im.DefaultMapping = doc
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("news mapping: %w", err)
	}
	return im, nil
}

// toDoc returns the document indexed for a: the searchable fields plus the
// encoded article (data, from events.Encode) and its version.
func toDoc(a *events.Article, data []byte) map[string]interface{} {
	d := map[string]interface{}{
		fieldSourceDomain: a.Source.Domain,
		fieldDoc:          string(data),
		fieldVersion:      search.VersionOf(a).String(),
	}
	setString := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	lang := search.AnalysisLang(a.Language)
	setString(langField(fieldTitle, lang), a.Title)
	setString(langField(fieldDescription, lang), a.Description)
	setString(langField(fieldText, lang), a.Text)
	setString(fieldSimHash, a.SimHash)
	setString(fieldSourceName, a.Source.Name)
	setString(fieldLanguage, normLang(a.Language))
	if len(a.Authors) > 0 {
		d[fieldAuthors] = a.Authors
	}
	if len(a.Tags) > 0 {
		d[fieldTags] = a.Tags
	}
	if a.PublishedAt != nil && !a.PublishedAt.IsZero() {
		d[fieldPublishedAt] = a.PublishedAt.UTC()
		d[fieldDay] = a.PublishedAt.UTC().Format(time.DateOnly)
	}
	return d
}

// normLang lower-cases a language tag and writes "_" as "-" (en_US → en-us).
func normLang(s string) string { return search.NormLang(s) }

// langField names field's copy for the analysed language lang (title_en).
func langField(field, lang string) string { return field + "_" + lang }

// utcPtr returns t in UTC, or nil for the zero time.
func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
