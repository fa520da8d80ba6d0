package search

import (
	"strings"
	"unicode"
)

// Fields a Term may name (field:value in the query syntax). Every field but
// FieldTitle is a keyword field: the value is compared whole, case-insensitively.
const (
	// FieldText is the full text: title, description and body.
	FieldText = ""
	// FieldTitle restricts words to the title.
	FieldTitle = "title"
	// FieldSource is the source domain or name.
	FieldSource = "source"
	// FieldLang is the language tag; "en" also matches "en-gb".
	FieldLang = "lang"
	// FieldAuthor is one author's name.
	FieldAuthor = "author"
	// FieldTag is one tag.
	FieldTag = "tag"
)

// fieldNames maps the names accepted before ':' to fields.
var fieldNames = map[string]string{
	"title": FieldTitle, "source": FieldSource, "site": FieldSource, "lang": FieldLang,
	"language": FieldLang, "author": FieldAuthor, "tag": FieldTag,
}

// Expr is a parsed query: every group of All must match, no term of None may.
type Expr struct {
	All  []Group
	None []Term
}

// Group is a disjunction: any of its terms matches.
type Group []Term

// Term is one word, phrase or field filter.
type Term struct {
	// Field is FieldText or one of the named fields.
	Field string
	// Value is the word or phrase as typed (lower-cased for keyword fields).
	Value string
	// Phrase is set for "quoted words": they must occur in this order.
	Phrase bool
}

// Keyword reports whether t filters a keyword field (no analysis, no score).
func (t Term) Keyword() bool { return t.Field != FieldText && t.Field != FieldTitle }

// Empty reports whether e matches everything.
func (e Expr) Empty() bool { return len(e.All) == 0 && len(e.None) == 0 }

// Parse reads the query syntax. It never fails: whatever is not syntax is
// words.
//
//	volcano iceland        both words (in any field)
//	"lava fountains"       the phrase
//	-chess  -"final four"  not this word or phrase
//	volcano OR eruption    either (OR binds tighter than the implicit AND)
//	source:rt.com lang:en author:"jane doe" tag:iceland title:volcano
//
// AND and a leading + are accepted and mean nothing more than a space.
func Parse(text string) Expr {
	var e Expr
	toks := tokenize(text)
	joinNext := false
	for i, tk := range toks {
		if !tk.quoted && tk.text == "OR" && !tk.neg && tk.field == "" {
			// OR joins the previous group with the next term; dangling OR is a no-op.
			joinNext = len(e.All) > 0 && i > 0
			continue
		}
		if !tk.quoted && tk.text == "AND" && !tk.neg && tk.field == "" {
			joinNext = false
			continue
		}
		t := Term{Field: tk.field, Value: tk.text, Phrase: tk.quoted && tk.field == FieldText || tk.quoted && tk.field == FieldTitle}
		if t.Keyword() {
			t.Value = strings.ToLower(t.Value)
			if t.Field == FieldLang {
				t.Value = NormLang(t.Value)
			}
		}
		if strings.TrimSpace(t.Value) == "" {
			continue
		}
		if tk.neg {
			e.None = append(e.None, t)
			joinNext = false
			continue
		}
		if joinNext {
			e.All[len(e.All)-1] = append(e.All[len(e.All)-1], t)
		} else {
			e.All = append(e.All, Group{t})
		}
		joinNext = false
	}
	return e
}

type token struct {
	text   string
	field  string
	neg    bool
	quoted bool
}

// tokenize splits text into words and quoted phrases, with their - or +
// prefix and field: prefix taken off.
func tokenize(text string) []token {
	var out []token
	r := []rune(text)
	i := 0
	for i < len(r) {
		for i < len(r) && unicode.IsSpace(r[i]) {
			i++
		}
		if i >= len(r) {
			break
		}
		var tk token
		for i < len(r) && (r[i] == '-' || r[i] == '+') {
			tk.neg = tk.neg || r[i] == '-'
			i++
		}
		// field:
		j := i
		for j < len(r) && (unicode.IsLetter(r[j])) {
			j++
		}
		if j < len(r) && r[j] == ':' && j > i {
			if f, ok := fieldNames[strings.ToLower(string(r[i:j]))]; ok && j+1 < len(r) && !unicode.IsSpace(r[j+1]) {
				tk.field = f
				i = j + 1
			}
		}
		if i < len(r) && r[i] == '"' {
			i++
			start := i
			for i < len(r) && r[i] != '"' {
				i++
			}
			tk.text = string(r[start:i])
			tk.quoted = true
			if i < len(r) {
				i++ // closing quote
			}
		} else {
			start := i
			for i < len(r) && !unicode.IsSpace(r[i]) {
				i++
			}
			tk.text = string(r[start:i])
		}
		tk.text = strings.TrimSpace(tk.text)
		if tk.text != "" {
			out = append(out, tk)
		}
	}
	return out
}
