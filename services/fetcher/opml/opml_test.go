package opml

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	f, err := os.Open("testdata/subscriptions.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Feed{
		{URL: "https://www.rt.com/rss/news/", HTMLURL: "https://www.rt.com/", Title: "RT News", Tags: []string{"News"}},
		{URL: "https://feeds.bbci.co.uk/news/world/rss.xml", Title: "BBC World", Tags: []string{"News", "World", "uk", "world"}},
		{URL: "https://example.com/feed.xml", Title: "Loose"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "<html><body>hi</body></html>", "{\"feeds\":[]}", "<opml><body><outline"} {
		if _, err := Parse(strings.NewReader(in)); !errors.Is(err, ErrNotOPML) {
			t.Errorf("Parse(%q) err = %v, want ErrNotOPML", in, err)
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	feeds := []Feed{
		{URL: "https://a.example/rss?x=1&y=2", Title: "A & B", Tags: []string{"news", "de"}},
		{URL: "https://b.example/atom"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "newsflow feeds", feeds, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("testdata/export.golden.opml")
	if err != nil {
		if os.Getenv("UPDATE_GOLDEN") != "" {
			_ = os.WriteFile("testdata/export.golden.opml", buf.Bytes(), 0o644)
		}
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), golden) {
		t.Errorf("Write =\n%s\nwant (testdata/export.golden.opml)\n%s", buf.Bytes(), golden)
	}
	back, err := Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	feeds[1].Title = "https://b.example/atom" // text falls back to the URL
	if !reflect.DeepEqual(back, feeds) {
		t.Errorf("round trip = %+v, want %+v", back, feeds)
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("testdata/subscriptions.opml")
	f.Add(seed)
	f.Add([]byte(`<opml><body><outline xmlUrl="x"><outline/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		feeds, err := Parse(bytes.NewReader(b))
		if err != nil && feeds != nil {
			t.Fatal("feeds with an error")
		}
		for _, fd := range feeds {
			if fd.URL == "" {
				t.Fatal("feed without URL")
			}
		}
	})
}
