package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

func TestHeadersNameArticleAndFeed(t *testing.T) {
	const feed = "https://f.example/rss"
	it := &events.FeedItem{SchemaVersion: 1, ID: "i1", ArticleID: "a1", FeedURL: feed, URL: "https://f.example/a", DiscoveredAt: time.Now()}
	art := validArticle()
	art.FeedURL = feed
	for _, tc := range []struct {
		name              string
		m                 events.Message
		wantID, wantFeed  string
		wantIDOK, wantFOK bool
	}{
		{"feed item", it, "a1", feed, true, true},
		{"page", &events.Page{SchemaVersion: 1, ID: "a2", URL: it.URL, FeedURL: feed, Item: it}, "a2", feed, true, true},
		{"article", art, art.ID, feed, true, true},
		{"article without feed", validArticle(), validArticle().ID, "", true, false},
		{"page with a line break in its feed URL", &events.Page{ID: "a3", FeedURL: "https://f.example/\r\nX: y"}, "a3", "", true, false},
		{"page with an oversized feed URL", &events.Page{ID: "a4", FeedURL: "https://f.example/" + strings.Repeat("x", 4096)}, "a4", "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := events.Headers(tc.m, "/newsflow/test", "")
			id, idOK := h[events.HeaderArticleID]
			fu, fOK := h[events.HeaderFeedURL]
			if idOK != tc.wantIDOK || (idOK && (len(id) != 1 || id[0] != tc.wantID)) {
				t.Errorf("%s = %v (set %v), want %q (set %v)", events.HeaderArticleID, id, idOK, tc.wantID, tc.wantIDOK)
			}
			if fOK != tc.wantFOK || (fOK && (len(fu) != 1 || fu[0] != tc.wantFeed)) {
				t.Errorf("%s = %v (set %v), want %q (set %v)", events.HeaderFeedURL, fu, fOK, tc.wantFeed, tc.wantFOK)
			}
		})
	}
}
