package extract

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
)

// linkedData is what the extractor reads from JSON-LD (schema.org) blocks.
type linkedData struct {
	Headline      string
	Name          string
	Description   string
	ArticleBody   string
	DatePublished string
	DateModified  string
	Authors       []string
	Keywords      []string
	Image         string
	Publisher     string
	Language      string
	IsArticle     bool
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "blogposting": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "reviewnewsarticle": true,
	"backgroundnewsarticle": true, "socialmediaposting": true, "liveblogposting": true,
	"techarticle": true, "scholarlyarticle": true, "report": true, "webpage": false,
	"advertisercontentarticle": true, "satiricalarticle": true, "posting": true,
}

// readLinkedData merges the schema.org Article objects of the page's JSON-LD.
func readLinkedData(scripts []*html.Node) linkedData {
	var ld linkedData
	for _, sc := range scripts {
		raw := unwrapScript(allText(sc))
		var v any
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			continue
		}
		var objs []map[string]any
		collectObjects(v, &objs, 0)
		// Objects in a @graph refer to each other by @id ("author":
		// {"@id": ".../#/schema/person/1"}).
		byID := map[string]map[string]any{}
		for _, o := range objs {
			if id, ok := o["@id"].(string); ok && len(o) > 1 {
				byID[id] = o
			}
		}
		var webPage map[string]any
		for _, o := range objs {
			if isArticleType(o["@type"]) {
				ld.merge(o, byID)
				ld.IsArticle = true
			} else if webPage == nil && typeIs(o["@type"], "webpage") {
				webPage = o
			}
		}
		if !ld.IsArticle && webPage != nil {
			ld.merge(webPage, byID)
		}
	}
	return ld
}

func collectObjects(v any, out *[]map[string]any, depth int) {
	if depth > 6 || len(*out) > 200 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			collectObjects(e, out, depth+1)
		}
	case map[string]any:
		*out = append(*out, x)
		if g, ok := x["@graph"]; ok {
			collectObjects(g, out, depth+1)
		}
		if m, ok := x["mainEntity"]; ok {
			collectObjects(m, out, depth+1)
		}
	}
}

func typeIs(t any, want string) bool {
	switch x := t.(type) {
	case string:
		return strings.EqualFold(x, want)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && strings.EqualFold(s, want) {
				return true
			}
		}
	}
	return false
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return articleTypes[strings.ToLower(x)]
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && articleTypes[strings.ToLower(s)] {
				return true
			}
		}
	}
	return false
}

func (ld *linkedData) merge(o map[string]any, byID map[string]map[string]any) {
	set := func(dst *string, v any) {
		if *dst == "" {
			*dst = collapse(ldString(v))
		}
	}
	set(&ld.Headline, o["headline"])
	set(&ld.Name, o["name"])
	set(&ld.Description, o["description"])
	if ld.ArticleBody == "" {
		ld.ArticleBody = strings.TrimSpace(ldString(o["articleBody"]))
	}
	set(&ld.DatePublished, o["datePublished"])
	set(&ld.DatePublished, o["dateCreated"])
	set(&ld.DateModified, o["dateModified"])
	set(&ld.Language, o["inLanguage"])
	if ld.Image == "" {
		ld.Image = ldImage(o["image"])
	}
	if ld.Publisher == "" {
		if p, ok := o["publisher"].(map[string]any); ok {
			ld.Publisher = collapse(ldString(p["name"]))
		}
	}
	if len(ld.Authors) == 0 {
		ld.Authors = ldPersons(o["author"], byID, 0)
		if len(ld.Authors) == 0 {
			ld.Authors = ldPersons(o["creator"], byID, 0)
		}
	}
	if len(ld.Keywords) == 0 {
		switch k := o["keywords"].(type) {
		case string:
			ld.Keywords = splitList(k)
		case []any:
			for _, e := range k {
				if s, ok := e.(string); ok {
					ld.Keywords = append(ld.Keywords, splitList(s)...)
				}
			}
		}
	}
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	case map[string]any:
		if s, ok := x["@value"].(string); ok {
			return s
		}
	}
	return ""
}

func ldImage(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return ldImage(x[0])
		}
	case map[string]any:
		if s, ok := x["url"].(string); ok {
			return s
		}
		if s, ok := x["@id"].(string); ok && strings.HasPrefix(s, "http") {
			return s
		}
	}
	return ""
}

// ldPersons returns the names of the people in an author value; organizations
// are not authors.
func ldPersons(v any, byID map[string]map[string]any, depth int) []string {
	if depth > 3 {
		return nil
	}
	var out []string
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "http") {
			if o, ok := byID[x]; ok {
				return ldPersons(o, byID, depth+1)
			}
			return nil
		}
		out = append(out, splitNames(x)...)
	case []any:
		for _, e := range x {
			out = append(out, ldPersons(e, byID, depth+1)...)
		}
	case map[string]any:
		if id, ok := x["@id"].(string); ok && x["name"] == nil {
			if o, ok := byID[id]; ok {
				return ldPersons(o, byID, depth+1)
			}
		}
		if typeIs(x["@type"], "organization") || typeIs(x["@type"], "newsmediaorganization") {
			return nil
		}
		out = append(out, splitNames(ldString(x["name"]))...)
	}
	return out
}

// unwrapScript strips what pages wrap JSON-LD in so old parsers skip it:
// HTML comments, CDATA sections (often behind "//"), a trailing semicolon.
func unwrapScript(raw string) string {
	raw = strings.TrimSpace(raw)
	for range 3 {
		before := raw
		raw = strings.TrimSpace(strings.TrimPrefix(raw, "//"))
		raw = strings.TrimPrefix(raw, "<!--")
		raw = strings.TrimSuffix(raw, "-->")
		raw = strings.TrimPrefix(raw, "<![CDATA[")
		raw = strings.TrimSpace(raw)
		raw = strings.TrimSuffix(raw, "]]>")
		raw = strings.TrimSpace(raw)
		raw = strings.TrimSuffix(raw, "//")
		raw = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(raw), ";"))
		if raw == before {
			break
		}
	}
	return raw
}
