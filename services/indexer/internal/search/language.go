package search

import "strings"

// Language is a language the indexes analyse with its own stemmer and stop
// words. Articles in any other language, or none, are analysed as English.
type Language struct {
	// Code is the primary BCP 47 subtag (and bleve's analyzer name).
	Code string
	// PGConfig is PostgreSQL's text search configuration for it.
	PGConfig string
}

// Languages are the analysed languages; the first is the default.
var Languages = []Language{
	{"en", "english"}, {"de", "german"}, {"fr", "french"}, {"es", "spanish"},
	{"it", "italian"}, {"ru", "russian"}, {"pt", "portuguese"}, {"nl", "dutch"},
}

// AnalysisLang returns the code of the Language an article in tag is
// analysed as: its primary subtag when analysed, else "en".
func AnalysisLang(tag string) string {
	p, _, _ := strings.Cut(NormLang(tag), "-")
	for _, l := range Languages {
		if l.Code == p {
			return p
		}
	}
	return Languages[0].Code
}

// PGConfig returns the PostgreSQL text search configuration for tag.
func PGConfig(tag string) string {
	c := AnalysisLang(tag)
	for _, l := range Languages {
		if l.Code == c {
			return l.PGConfig
		}
	}
	return Languages[0].PGConfig
}
