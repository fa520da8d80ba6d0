package index

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/events"
	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// testMarker is the marker Search makes for text in language lang.
func testMarker(t *testing.T, lang, text string) *marker {
	t.Helper()
	m, err := newsMapping()
	if err != nil {
		t.Fatal(err)
	}
	q, err := nfsearch.Normalize(Query{Text: text})
	if err != nil {
		t.Fatal(err)
	}
	a := m.AnalyzerNamed(lang)
	if a == nil {
		t.Fatalf("no analyzer %q", lang)
	}
	mk := newMarker(a, q)
	if mk.body.empty() && mk.title.empty() {
		return nil // as hitMaker.marker does
	}
	return mk
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("Filler words keep the reader busy. ", 20) // 700 bytes
	for _, tc := range []struct {
		name  string
		lang  string
		query string
		art   events.Article
		want  string
	}{
		{name: "stemmed match marks the indexed form", lang: "en", query: "strikes",
			art:  events.Article{Text: "Workers went on strike on Monday."},
			want: "Workers went on <mark>strike</mark> on Monday."},
		{name: "every form of the stem", lang: "en", query: "erupting",
			art:  events.Article{Text: "The volcano erupted; eruptions erupt."},
			want: "The volcano <mark>erupted</mark>; <mark>eruptions</mark> <mark>erupt</mark>."},
		{name: "phrase marks only where the words are in order", lang: "en", query: `"lava fountains"`,
			art:  events.Article{Text: "Fountains of lava. Lava fountains rose."},
			want: "Fountains of lava. <mark>Lava</mark> <mark>fountains</mark> rose."},
		// As in bleve's phrase query, a stop word in the phrase stands for any word.
		{name: "phrase across a stop word", lang: "en", query: `"war of words"`,
			art:  events.Article{Text: "A war for words, a war and peace, a war of words."},
			want: "A <mark>war</mark> for <mark>words</mark>, a war and peace, a <mark>war</mark> of <mark>words</mark>."},
		{name: "stop words are not marked", lang: "en", query: "the volcano",
			art:  events.Article{Text: "the volcano"},
			want: "the <mark>volcano</mark>"},
		{name: "excluded words and filters are not marked", lang: "en", query: "lava -ash source:rt.com",
			art:  events.Article{Text: "Lava and ash from rt.com"},
			want: "<mark>Lava</mark> and ash from rt.com"},
		{name: "no match: the start of the text", lang: "en", query: "chess",
			art:  events.Article{Title: "Ash", Description: "Ash cloud.", Text: "Ash drifted south."},
			want: "Ash drifted south."},
		{name: "no words in the query: the start of the text", lang: "en", query: "",
			art:  events.Article{Text: "Ash drifted south."},
			want: "Ash drifted south."},
		{name: "no text: the start of the description", lang: "en", query: "chess",
			art:  events.Article{Description: "Ash cloud."},
			want: "Ash cloud."},
		{name: "long text without a match is cut at a word", lang: "en", query: "chess",
			art:  events.Article{Text: long},
			want: strings.TrimSpace(long[:strings.LastIndex(long[:200], " ")]) + "…"},
		{name: "description when the text has no match", lang: "en", query: "cloud",
			art:  events.Article{Title: "Ash cloud", Description: "A cloud of ash.", Text: "Ash drifted south."},
			want: "A <mark>cloud</mark> of ash."},
		{name: "title when nothing else matches", lang: "en", query: "tiebreaks",
			art:  events.Article{Title: "Chess final goes to tiebreaks", Text: "Rapid games decide it."},
			want: "Chess final goes to <mark>tiebreaks</mark>"},
		{name: "title: terms mark only the title", lang: "en", query: "title:volcano",
			art:  events.Article{Title: "Volcano erupts", Text: "The volcano erupted."},
			want: "<mark>Volcano</mark> erupts"},
		{name: "HTML is escaped, marks are not", lang: "en", query: "cuts",
			art:  events.Article{Text: `Analysts said <script>alert("x")</script> & rate cuts were likely.`},
			want: "Analysts said &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; rate <mark>cuts</mark> were likely."},
		{name: "multibyte text keeps whole runes", lang: "ru", query: "вулкана",
			art:  events.Article{Text: "Извержение вулкана началось ночью."},
			want: "Извержение <mark>вулкана</mark> началось ночью."},
		{name: "language analyzer: French stems and elisions", lang: "fr", query: "volcaniques",
			art:  events.Article{Text: "Une éruption volcanique a commencé à l'aube."},
			want: "Une éruption <mark>volcanique</mark> a commencé à l&#39;aube."},
		{name: "language analyzer: German", lang: "de", query: "Häuser",
			art:  events.Article{Text: "Das Haus und die Häuser."},
			want: "Das <mark>Haus</mark> und die <mark>Häuser</mark>."},
		{name: "match deep in a long text: cut with ellipses around it", lang: "en", query: "grindavik",
			art:  events.Article{Text: long + "Residents of Grindavik left. " + long},
			want: "…busy. Filler words keep the reader busy. Filler words keep the reader busy. Residents of <mark>Grindavik</mark> left. Filler words keep the reader busy. Filler words keep the reader busy. Filler words keep…"},
		{name: "the window with the most distinct terms wins", lang: "en", query: "lava OR grindavik",
			art:  events.Article{Text: "Lava. " + long + "Lava reached Grindavik. " + long},
			want: "…the reader busy. Filler words keep the reader busy. Filler words keep the reader busy. <mark>Lava</mark> reached <mark>Grindavik</mark>. Filler words keep the reader busy. Filler words keep the reader busy. Filler words…"},
		{name: "a match near the end takes its room before it", lang: "en", query: "grindavik",
			art:  events.Article{Text: long + "Lava reached Grindavik."},
			want: "…Filler words keep the reader busy. Filler words keep the reader busy. Filler words keep the reader busy. Filler words keep the reader busy. Filler words keep the reader busy. Lava reached <mark>Grindavik</mark>."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := testMarker(t, tc.lang, tc.query).snippet(&tc.art)
			if got != tc.want {
				t.Errorf("snippet\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestSnippetLength checks the window on long texts of one- and
// multi-byte runes: about snippetLen runes of text, valid UTF-8, the match
// inside.
func TestSnippetLength(t *testing.T) {
	for _, tc := range []struct {
		name, lang, word, filler string
	}{
		{"ascii", "en", "grindavik", "lorem ipsum dolor sit amet "},
		{"cyrillic", "ru", "вулкан", "лава текла всю ночь к морю "},
		{"no spaces", "en", "grindavik", "abcdefghij"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Repeat(tc.filler, 40) + " " + tc.word + " " + strings.Repeat(tc.filler, 40)
			got := testMarker(t, tc.lang, tc.word).snippet(&events.Article{Text: text})
			if !utf8.ValidString(got) {
				t.Fatalf("invalid UTF-8: %q", got)
			}
			if !strings.Contains(got, "<mark>"+tc.word+"</mark>") {
				t.Errorf("%q lacks the marked word", got)
			}
			if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
				t.Errorf("%q: want ellipses at both cuts", got)
			}
			plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got)
			if n := utf8.RuneCountInString(plain); n < snippetLen/2 || n > snippetLen+2 {
				t.Errorf("%d runes, want about %d: %q", n, snippetLen, got)
			}
		})
	}
}
