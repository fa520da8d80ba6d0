package extract

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

// pathologicalPages are inputs built to make an extractor hang, blow its
// stack or eat memory.
func pathologicalPages() []struct{ name, html string } {
	nested := func(tag string, n int) string {
		return "<html><body>" + strings.Repeat("<"+tag+">", n) + "deep text" + strings.Repeat("</"+tag+">", n) + "</body></html>"
	}
	return []struct{ name, html string }{
		{"100k nested divs", nested("div", 100_000)},
		{"100k nested spans in p", "<p>" + nested("span", 100_000)},
		{"100k unclosed divs", "<body>" + strings.Repeat("<div class=a>x ", 100_000)},
		{"100k nested tables", nested("table", 20_000)},
		{"100k sibling paragraphs", "<body><article>" + strings.Repeat("<p>Some words here, and more words, to score.</p>", 100_000) + "</article>"},
		{"5 MB single paragraph", "<html><head><title>Big</title></head><body><p>" + strings.Repeat("word, ", 5<<20/6) + "</p></body></html>"},
		{"5 MB no spaces", "<body><p>" + strings.Repeat("x", 5<<20) + "</p>"},
		{"invalid utf-8", "<html><head><title>\xff\xfe T\xc3</title></head><body><p>" + strings.Repeat("caf\xe9 na\xefve \x80\x81 text, ", 200) + "</p></body></html>"},
		{"gb2312 bytes", "<html><head><meta charset=gb2312><title>\xd6\xd0\xce\xc4</title></head><body><p>" + strings.Repeat("\xd6\xd0\xce\xc4\xb2\xe2\xca\xd4\xa3\xac", 300) + "</p></body></html>"},
		{"utf-16 bytes", "\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00" + strings.Repeat("a\x00b\x00", 1000)},
		{"no body", "<html><head><title>Only a head</title><meta name=description content=x></head></html>"},
		{"nothing", ""},
		{"binary", strings.Repeat("\x00\x01\x02\xff", 10000)},
		{"1000 json-ld scripts", strings.Repeat(`<script type="application/ld+json">{"@type":"NewsArticle","headline":"H","author":{"@id":"#a"},"@graph":[{"@id":"#a","author":{"@id":"#a"}}]}</script>`, 1000) + "<p>text</p>"},
		{"deep json-ld", `<script type="application/ld+json">` + strings.Repeat(`{"@graph":[`, 50_000) + `{}` + strings.Repeat(`]}`, 50_000) + `</script><title>T</title>`},
		{"unterminated script", "<title>T</title><script>" + strings.Repeat("var a = '<p>'; ", 100_000)},
		{"unterminated comment", "<title>T</title><!--" + strings.Repeat("<p>x</p>", 100_000)},
		{"many attributes", "<body><p " + strings.Repeat(`class="share related author date" `, 50_000) + ">text</p>"},
	}
}

// Pathological pages end within a generous bound, without a panic, with
// either ErrNoContent or a valid article. The bound is a hang check, not a
// performance assertion.
func TestPathologicalPages(t *testing.T) {
	for _, c := range pathologicalPages() {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			type result struct {
				a   *events.Article
				err error
				pan any
			}
			done := make(chan result, 1)
			go func() {
				defer func() {
					if r := recover(); r != nil {
						done <- result{pan: r}
					}
				}()
				a, err := Article(&events.Page{SchemaVersion: 1, ID: "x", URL: "https://www.example.com/a/b", FetchedAt: fetchedAt, HTML: c.html})
				done <- result{a: a, err: err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("extraction did not finish within 20 s")
			}
			if r.pan != nil {
				t.Fatalf("panic: %v", r.pan)
			}
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<30 {
				t.Errorf("allocated %d MB for a %d KB page", alloc>>20, len(c.html)>>10)
			}
			if r.err != nil {
				if !errors.Is(r.err, ErrNoContent) {
					t.Fatalf("error %v, want ErrNoContent or an article", r.err)
				}
				return
			}
			if err := r.a.Validate(); err != nil {
				t.Fatalf("invalid article: %v", err)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2017-06-06T20:36:00Z", "Tue, 06 Jun 2017 20:36:00 GMT", "Published time: 6 Jun, 2017 20:36",
		"March 3, 2015 at 4:05 pm EST", "6. Juni 2017, 20:36 Uhr", "2018年6月19日", "20180619T055000+0900",
		"12/31/2019", "31.12.2019 23:59", "le 3 mars 2015 à 10h05", "", "99999-99-99T99:99", "2017-02-30",
		"1 января 2020 г.", "Jan 1, 0001", "2017-06-06T20:36:00+99:99", "Tuesday, 06-Jun-17 20:36:00 UTC",
	} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, s string) {
		tm, hasTime, ok := parseDate(s)
		// The four-digit prefilter changes no answer.
		if s := strings.TrimSpace(s); s != "" {
			if tm2, hasTime2, ok2 := parseDateLayouts(s); !tm2.Equal(tm) || hasTime2 != hasTime || ok2 != ok {
				t.Fatalf("parseDate(%q) = %v %v %v, without the prefilter %v %v %v", s, tm, hasTime, ok, tm2, hasTime2, ok2)
			}
		}
		ft, fh, fok := findDate(s)
		if ft2, fh2, fok2 := findDateText(s); !ft2.Equal(ft) || fh2 != fh || fok2 != fok {
			t.Fatalf("findDate(%q) = %v %v %v, without the prefilter %v %v %v", s, ft, fh, fok, ft2, fh2, fok2)
		}
		if !ok {
			if !tm.IsZero() {
				t.Fatalf("parseDate(%q) failed but returned %v", s, tm)
			}
			return
		}
		if tm.Year() < 1990 || tm.Year() > now.Year()+1 {
			t.Fatalf("parseDate(%q) = %v: outside the sane range", s, tm)
		}
		if tm.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v: not UTC", s, tm)
		}
		if !hasTime && (tm.Hour() != 0 || tm.Minute() != 0) {
			t.Fatalf("parseDate(%q) = %v without a time but with hours", s, tm)
		}
	})
}
