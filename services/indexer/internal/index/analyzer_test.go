package index

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	nfsearch "github.com/newsflow/newsflow/services/indexer/internal/search"
)

// TestIndexAnalyzer checks that the index analyzers yield their language
// analyzer's terms and positions, with zero offsets, whether the words
// are memoised yet or not, and under concurrent use.
func TestIndexAnalyzer(t *testing.T) {
	m, err := newsMapping()
	if err != nil {
		t.Fatal(err)
	}
	samples := []struct{ lang, text string }{
		{"en", "The strikes continued; workers' strike on Monday's line. The STRIKES of the 1990s, U.S. e-mail 3.5% café."},
		{"de", "Die Häuser und das Haus: größere Straßen, Äpfel."},
		{"fr", "L'éruption volcanique a commencé à l'aube; les éruptions d'hier."},
		{"es", "Las erupciones volcánicas comenzaron al amanecer."},
		{"it", "L'eruzione vulcanica è iniziata all'alba."},
		{"nl", "De vulkanische uitbarstingen begonnen bij zonsopgang."},
		{"pt", "As erupções vulcânicas começaram ao amanhecer."},
		{"ru", "Извержение вулкана началось ночью; извержения вулканов."},
	}
	// The memo is right only for analyzers whose token filters look at one
	// token at a time: a language added to search.Languages must be
	// checked here.
	for _, l := range nfsearch.Languages {
		if !slices.ContainsFunc(samples, func(s struct{ lang, text string }) bool { return s.lang == l.Code }) {
			t.Errorf("no sample text for language %s", l.Code)
		}
	}
	for _, tc := range samples {
		t.Run(tc.lang, func(t *testing.T) {
			base := m.AnalyzerNamed(tc.lang)
			ix := m.AnalyzerNamed(indexAnalyzerName(tc.lang))
			if base == nil || ix == nil {
				t.Fatal("analyzer missing")
			}
			want := render(base.Analyze([]byte(tc.text)), false)
			if want == "" {
				t.Fatal("no tokens")
			}
			for i := range 3 { // cold, then memoised
				if got := render(ix.Analyze([]byte(tc.text)), true); got != want {
					t.Fatalf("pass %d:\n got %s\nwant %s", i, got, want)
				}
			}
			// For snippets, the same tokens with their offsets.
			if got, want := tokenDump(withOffsets{ix.(*indexAnalyzer)}.Analyze([]byte(tc.text))), tokenDump(base.Analyze([]byte(tc.text))); got != want {
				t.Fatalf("with offsets:\n got %s\nwant %s", got, want)
			}
			var wg sync.WaitGroup
			errs := make(chan string, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 50 {
						if got := render(ix.Analyze([]byte(tc.text)), true); got != want {
							errs <- got
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for got := range errs {
				t.Errorf("concurrent:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// render lists the tokens' terms and positions; with zero, it fails the
// rendering (returns a marker) for a token whose offsets are not zero.
func render(ts analysis.TokenStream, zero bool) string {
	var b strings.Builder
	for _, t := range ts {
		if zero && (t.Start != 0 || t.End != 0) {
			return fmt.Sprintf("offsets of %q not zero", t.Term)
		}
		fmt.Fprintf(&b, "%s@%d ", t.Term, t.Position)
	}
	return b.String()
}

// TestIndexAnalyzerMemoBound checks that the memo stays bounded and the
// terms stay right after it starts again.
func TestIndexAnalyzerMemoBound(t *testing.T) {
	m, err := newsMapping()
	if err != nil {
		t.Fatal(err)
	}
	ia, ok := m.AnalyzerNamed(indexAnalyzerName("en")).(*indexAnalyzer)
	if !ok || ia.memo == nil {
		t.Fatal("the English index analyzer does not memoise")
	}
	base := m.AnalyzerNamed("en")
	var words []string
	for i := range maxMemo + 100 {
		words = append(words, fmt.Sprintf("w%dx running", i))
	}
	for i := 0; i < len(words); i += 1000 {
		text := strings.Join(words[i:min(i+1000, len(words))], " ")
		if got, want := render(ia.Analyze([]byte(text)), true), render(base.Analyze([]byte(text)), false); got != want {
			t.Fatalf("words %d…: terms differ", i)
		}
	}
	if n := len(ia.memo); n > maxMemo {
		t.Errorf("memo holds %d words, more than %d", n, maxMemo)
	}
}
