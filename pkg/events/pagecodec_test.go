package events

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// stdEncode is encoding/json as Encode sets it up (no HTML escaping),
// without the page fast path: the reference.
func stdEncode(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func realPage(t testing.TB) *Page {
	t.Helper()
	html, err := os.ReadFile("testdata/page-lemonde.html")
	if err != nil {
		t.Fatal(err)
	}
	return &Page{
		SchemaVersion: SchemaVersion, ID: "0123456789abcdef0123456789abcdef",
		URL: "https://www.lemonde.fr/a.html", FinalURL: "https://www.lemonde.fr/b.html",
		FeedURL: "https://www.lemonde.fr/rss.xml", StatusCode: 200,
		ContentType: "text/html; charset=utf-8", FetchedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		HTML: string(html),
		Item: &FeedItem{SchemaVersion: SchemaVersion, ID: "0123456789abcdef0123456789abcdef",
			ArticleID: "0123456789abcdef0123456789abcdef", URL: "https://www.lemonde.fr/a.html",
			FeedURL: "https://www.lemonde.fr/rss.xml", Title: `Un "titre", html: "x"`,
			Content: `<p>"html":""</p>`, DiscoveredAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)},
	}
}

// checkDecode asserts that the fast page decoder gives json.Unmarshal's
// answer for data: the same error or none, and the same Page.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := Decode[Page](data)
	got, gotErr := DecodePage(data)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("DecodePage(%.200q): error %v, encoding/json says %v", data, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodePage(%.200q) = %+v, encoding/json gives %+v", data, got, want)
	}
}

func TestPageCodecIsEncodingJSONs(t *testing.T) {
	pages := map[string]*Page{"real page": realPage(t)}
	for name, html := range map[string]string{
		"empty":         "",
		"escapes":       "a\"b\\c/d\b\f\n\r\t\x00\x01\x1f\x7f end",
		"unicode":       "é ü 中文 🙂 \u2028 \u2029 \ufeff",
		"invalid utf-8": "ok \xff\xfe \xc3 \xe2\x82 tail\xed\xa0\x80",
		"html":          `<a href="x?a=1&b=2">&lt;</a><script>if (a < b && c > d) {}</script>`,
		"long plain":    strings.Repeat("abcdefgh", 1000) + "\"",
	} {
		p := realPage(t)
		p.HTML = html
		p.Item = nil
		pages[name] = p
	}
	for name, p := range pages {
		t.Run(name, func(t *testing.T) {
			got, err := Encode(p)
			if err != nil {
				t.Fatal(err)
			}
			if want := stdEncode(t, p); !bytes.Equal(got, want) {
				t.Fatalf("Encode differs from encoding/json:\n got %.300q\nwant %.300q", got, want)
			}
			if _, ok := decodePageFast(got); !ok {
				t.Error("the fast decoder declined an encoded page")
			}
			checkDecode(t, got)
		})
	}
}

func TestDecodePageMatchesEncodingJSON(t *testing.T) {
	const head = `"schema_version":1,"id":"x","url":"https://a.example/p","fetched_at":"2026-11-25T10:00:00Z","status_code":200`
	cases := map[string]string{
		"html first":              `{"html":"<p>a</p>",` + head + `}`,
		"html last, whitespace":   " {\n\t" + head + " ,\r\n \"html\" : \"<p>\\\"a\\\"</p>\" \n} \n",
		"surrogate pair":          `{` + head + `,"html":"\ud83d\ude42 \ud83d x \ude42 \ud83d\u0041"}`,
		"escaped slash":           `{` + head + `,"html":"<\/p>\\\\"}`,
		"upper-case key":          `{` + head + `,"HTML":"a"}`,
		"both spellings":          `{` + head + `,"html":"a","Html":"b"}`,
		"twice":                   `{` + head + `,"html":"a","html":"b"}`,
		"escaped key":             `{` + head + `,"\u0068tml":"a"}`,
		"null":                    `{` + head + `,"html":null}`,
		"number":                  `{` + head + `,"html":1}`,
		"nested html":             `{` + head + `,"item":{"html":"x","schema_version":1},"html":"a"}`,
		"array value":             `{` + head + `,"x":["}",{"html":"]"}],"html":"a"}`,
		"bad escape":              `{` + head + `,"html":"a\x"}`,
		"single-quote escape":     `{` + head + `,"html":"a\'"}`,
		"short unicode escape":    `{` + head + `,"html":"a\u12"}`,
		"control character":       "{" + head + ",\"html\":\"a\nb\"}",
		"invalid utf-8":           "{" + head + ",\"html\":\"a\xffb\xc3\"}",
		"trailing data":           `{` + head + `,"html":"a"} x`,
		"trailing comma":          `{` + head + `,"html":"a",}`,
		"leading comma":           `{,"html":"a",` + head + `}`,
		"missing colon":           `{` + head + `,"html" "a"}`,
		"bad rest":                `{` + head + `,"html":"a","x":tru}`,
		"unterminated":            `{` + head + `,"html":"a`,
		"odd backslashes":         `{` + head + `,"html":"a\\\"b\\\\"}`,
		"not an object":           `["html","a"]`,
		"empty object":            `{}`,
		"invalid page":            `{"schema_version":1,"html":"a"}`,
		"empty input":             ``,
		"nested unterminated":     `{` + head + `,"x":{"a":"b}`,
		"unbalanced brackets":     `{` + head + `,"x":[}],"html":"a"}`,
		"literal before html":     `{"truncated":true,` + head + `,"html":"a"}`,
		"html value then garbage": `{` + head + `,"html":"a"b}`,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { checkDecode(t, []byte(data)) })
	}
}

func TestAppendJSONStringIsEncodingJSONs(t *testing.T) {
	for _, s := range []string{"", "a", "\"", "\\", "\x00", "12345678", "1234567\"", "\xff", "€", "\u2028x", "x\u2029", "a\x7fb"} {
		checkAppendJSONString(t, s)
	}
}

func checkAppendJSONString(t *testing.T, s string) {
	t.Helper()
	want := string(stdEncode(t, s))
	if got := `"` + string(appendJSONString(nil, s)) + `"`; got != want {
		t.Fatalf("appendJSONString(%q) = %s, encoding/json writes %s", s, got, want)
	}
	var back string
	if err := json.Unmarshal([]byte(want), &back); err != nil {
		t.Fatal(err)
	}
	if u, ok := unquoteJSON([]byte(want[1 : len(want)-1])); !ok || u != back {
		t.Fatalf("unquoteJSON(%s) = %q, %v; encoding/json reads %q", want, u, ok, back)
	}
}

func FuzzDecodePage(f *testing.F) {
	p := realPage(f)
	p.HTML = p.HTML[:2000]
	f.Add(stdEncode(f, p))
	f.Add([]byte(`{"schema_version":1,"id":"x","url":"https://a.example/","fetched_at":"2026-11-25T10:00:00Z","html":"\ud83d\u0041\\\"\u00e9"}`))
	f.Add([]byte(`{"html":"a","Html":"b","item":{"html":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkDecode(t, data) })
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"a\"b\\c\n\x00", "é\xff\u2028", strings.Repeat("x", 17)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkAppendJSONString(t, s) })
}

func BenchmarkPageCodec(b *testing.B) {
	p := realPage(b)
	data := stdEncode(b, p)
	b.Run("encode/encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			stdEncode(b, p)
		}
	})
	b.Run("encode/events", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Encode(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Decode[Page](data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/events", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := DecodePage(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
