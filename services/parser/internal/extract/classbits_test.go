package extract

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// classBitsRef is classBitsOf list by list.
func classBitsRef(m string) classBits {
	var b classBits
	set := func(bit classBits, ok bool) {
		if ok {
			b |= bit
		}
	}
	set(cUnlikely, reUnlikely.MatchString(m) && !reMaybe.MatchString(m))
	set(cByline, reByline.MatchString(m))
	set(cCaption, reCaption.MatchString(m))
	set(cBoilerplate, reBoilerplate.MatchString(m))
	set(cShare, reShare.MatchString(m))
	set(cPositive, rePositive.MatchString(m))
	set(cNegative, reNegative.MatchString(m))
	set(cDateLine, reDateLine.MatchString(m))
	set(cSummary, reSummary.MatchString(m))
	return b
}

func TestClassBits(t *testing.T) {
	cases := []struct {
		class string
		want  classBits
	}{
		{"", 0},
		{"sidebar", cUnlikely | cNegative | cBoilerplate},
		{"sidebar main", cNegative | cBoilerplate | cPositive},
		{"article-body", cPositive},
		{"share-buttons", cUnlikely | cNegative | cBoilerplate | cShare},
		{"read more", cBoilerplate},
		{"byline author", cByline},
		{"wp-caption-text", cCaption | cNegative | cPositive},
		{"post-date", cDateLine | cPositive},
		{"article__summary", cSummary | cPositive},
	}
	for _, c := range cases {
		if got := classBitsOf(c.class); got != c.want || got != classBitsRef(c.class) {
			t.Errorf("classBitsOf(%q) = %b, want %b (list by list %b)", c.class, got, c.want, classBitsRef(c.class))
		}
	}
}

func FuzzClassBits(f *testing.F) {
	f.Add("share-buttons social read more article-body")
	f.Add("byline author wp-caption-text post-date")
	f.Fuzz(func(t *testing.T, m string) {
		if got, want := classBitsOf(m), classBitsRef(m); got != want {
			t.Fatalf("classBitsOf(%q) = %b, list by list %b", m, got, want)
		}
	})
}

// The memo's bits for an element are those of its classID.
func FuzzClassMemo(f *testing.F) {
	f.Add("article read", "more", "Share")
	f.Add("", "sidebar", "x")
	f.Add("Wp-Caption", "", "caption")
	f.Fuzz(func(t *testing.T, class, id, other string) {
		var memo classMemo
		memo.value(other) // a memo that holds something else too
		n := &html.Node{Type: html.ElementNode, Data: "div"}
		if class != "" {
			n.Attr = append(n.Attr, html.Attribute{Key: "class", Val: class})
		}
		if id != "" {
			n.Attr = append(n.Attr, html.Attribute{Key: "id", Val: id})
		}
		for range 2 {
			got, has := memo.of(n)
			if want := classBitsOf(classID(n)); got != want || has != (class != "" || id != "") {
				t.Fatalf("class %q id %q: %b %v, want %b", class, id, got, has, want)
			}
		}
		if got, want := memo.ofValue(class), classBitsOf(strings.ToLower(class)); got != want {
			t.Fatalf("ofValue(%q) = %b, want %b", class, got, want)
		}
	})
}

// readMoreRef is readMore without its first-letter test.
func readMoreRef(t string) bool {
	t = strings.TrimLeftFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' })
	l := strings.ToLower(t)
	for _, p := range readMorePrefixes {
		if strings.HasPrefix(l, p) {
			rest := l[len(p):]
			r, _ := utf8.DecodeRuneInString(rest)
			if rest == "" || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
				return true
			}
		}
	}
	return false
}

func FuzzReadMore(f *testing.F) {
	for _, s := range []string{"Read more: x", "» READ ALSO", "Lire aussi", "À lire aussi", "Читайте также", "Related", "Relatedness", "", "---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := readMore(s), readMoreRef(s); got != want {
			t.Fatalf("readMore(%q) = %v, without the first-letter test %v", s, got, want)
		}
	})
}
