package search

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	w := func(v string) Term { return Term{Value: v} }
	for _, tc := range []struct {
		in   string
		want Expr
	}{
		{"", Expr{}},
		{"volcano iceland", Expr{All: []Group{{w("volcano")}, {w("iceland")}}}},
		{`"lava fountains" rose`, Expr{All: []Group{{{Value: "lava fountains", Phrase: true}}, {w("rose")}}}},
		{`volcano -chess -"final four"`, Expr{All: []Group{{w("volcano")}}, None: []Term{w("chess"), {Value: "final four", Phrase: true}}}},
		{"a OR b c", Expr{All: []Group{{w("a"), w("b")}, {w("c")}}}},
		{"a OR b OR c", Expr{All: []Group{{w("a"), w("b"), w("c")}}}},
		{"OR a OR", Expr{All: []Group{{w("a")}}}},
		{"a or b", Expr{All: []Group{{w("a")}, {w("or")}, {w("b")}}}},
		{"+a AND b", Expr{All: []Group{{w("a")}, {w("b")}}}},
		{`source:RT.com lang:EN_gb author:"Jane Doe" tag:Iceland title:volcano`, Expr{All: []Group{
			{{Field: FieldSource, Value: "rt.com"}}, {{Field: FieldLang, Value: "en-gb"}},
			{{Field: FieldAuthor, Value: "jane doe"}}, {{Field: FieldTag, Value: "iceland"}},
			{{Field: FieldTitle, Value: "volcano"}}}}},
		{"site:bbc.co.uk OR source:rt.com", Expr{All: []Group{{{Field: FieldSource, Value: "bbc.co.uk"}, {Field: FieldSource, Value: "rt.com"}}}}},
		{"-source:rt.com", Expr{None: []Term{{Field: FieldSource, Value: "rt.com"}}}},
		{"foo:bar http://x", Expr{All: []Group{{w("foo:bar")}, {w("http://x")}}}},
		{`"unterminated phrase`, Expr{All: []Group{{{Value: "unterminated phrase", Phrase: true}}}}},
		{`- -- "" source:`, Expr{All: []Group{{w("source:")}}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Parse(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzParse checks that any input parses without panicking into terms that
// are non-empty, valid UTF-8 when the input is, and bounded by the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a b", `"x y" -z`, "a OR b", "source:rt.com", `-"`, "title:", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Parse(s)
		n := 0
		check := func(tm Term) {
			n++
			if strings.TrimSpace(tm.Value) == "" {
				t.Errorf("empty term in %+v", e)
			}
			if utf8.ValidString(s) && !utf8.ValidString(tm.Value) {
				t.Errorf("invalid UTF-8 term %q", tm.Value)
			}
		}
		for _, g := range e.All {
			if len(g) == 0 {
				t.Errorf("empty group in %+v", e)
			}
			for _, tm := range g {
				check(tm)
			}
		}
		for _, tm := range e.None {
			check(tm)
		}
		if n > len(s) {
			t.Errorf("%d terms from %d bytes", n, len(s))
		}
	})
}

func TestCollapse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  []Collapsed
	}{
		{"3 bits apart collapse", []Candidate{{"a", "0000000000000000"}, {"b", "0000000000000007"}},
			[]Collapsed{{ID: "a", Duplicates: []string{"b"}}}},
		{"4 bits apart stay", []Candidate{{"a", "0000000000000000"}, {"b", "000000000000000f"}},
			[]Collapsed{{ID: "a"}, {ID: "b"}}},
		{"join the first kept in rank order", []Candidate{{"a", "00000000000000ff"}, {"b", "ffff000000000000"}, {"c", "00000000000000fe"}, {"d", "ffff000000000001"}},
			[]Collapsed{{ID: "a", Duplicates: []string{"c"}}, {ID: "b", Duplicates: []string{"d"}}}},
		{"missing or bad simhash never collapses", []Candidate{{"a", ""}, {"b", ""}, {"c", "zz"}, {"d", "0"}},
			[]Collapsed{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Collapse(tc.cands); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Collapse = %+v, want %+v", got, tc.want)
			}
		})
	}
	groups := []Collapsed{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	if got := PageOf(groups, 2, 2); len(got) != 1 || got[0].ID != "c" {
		t.Errorf("PageOf(2, 2) = %v", got)
	}
	if got := PageOf(groups, 3, 2); got != nil {
		t.Errorf("PageOf past the end = %v", got)
	}
}
