package events

import (
	"fmt"
	"time"
)

// FeedItem is one entry of a feed (RSS, Atom or JSON Feed) as the fetcher's
// poller saw it, published once per item on news.items.v1.<src>.
type FeedItem struct {
	SchemaVersion int `json:"schema_version" desc:"Version of this schema; 1."`
	// ID is ItemID(FeedURL, key): stable across polls of the same feed.
	ID string `json:"id" desc:"Stable id of the item: derived from the feed URL and the item's GUID, else link, else title and date."`
	// ArticleID is ArticleID(URL): the id the article will have unless the page
	// names another canonical URL.
	ArticleID    string     `json:"article_id" desc:"ArticleID of the item's link."`
	FeedURL      string     `json:"feed_url" desc:"URL of the feed the item came from."`
	FeedTitle    string     `json:"feed_title,omitempty" desc:"Title of the feed."`
	GUID         string     `json:"guid,omitempty" desc:"The item's GUID or Atom id, as given."`
	URL          string     `json:"url" desc:"The item's link, tracking parameters removed."`
	Title        string     `json:"title,omitempty" desc:"The item's title."`
	Description  string     `json:"description,omitempty" desc:"The item's summary (HTML as given by the feed)."`
	Content      string     `json:"content,omitempty" desc:"The item's full content (content:encoded, Atom content) when the feed carries it; HTML."`
	Authors      []string   `json:"authors,omitempty" desc:"Author names given by the feed."`
	Categories   []string   `json:"categories,omitempty" desc:"Categories or tags given by the feed."`
	Image        string     `json:"image,omitempty" desc:"URL of the item's image or enclosure."`
	PublishedAt  *time.Time `json:"published_at,omitempty" desc:"Publication time given by the feed, UTC."`
	UpdatedAt    *time.Time `json:"updated_at,omitempty" desc:"Update time given by the feed, UTC."`
	DiscoveredAt time.Time  `json:"discovered_at" desc:"When the poller first saw the item, UTC."`
}

// Validate implements Message.
func (it *FeedItem) Validate() error {
	var errs []string
	if it.SchemaVersion != SchemaVersion {
		return fmt.Errorf("feed item: version %d: %w", it.SchemaVersion, ErrSchemaVersion)
	}
	if it.ID == "" {
		errs = append(errs, "id is empty")
	}
	if it.ArticleID == "" {
		errs = append(errs, "article_id is empty")
	}
	if err := checkURL(it.URL); err != nil {
		errs = append(errs, "url: "+err.Error())
	}
	if err := checkURL(it.FeedURL); err != nil {
		errs = append(errs, "feed_url: "+err.Error())
	}
	if it.DiscoveredAt.IsZero() {
		errs = append(errs, "discovered_at is zero")
	}
	return invalid("feed item", errs)
}

// EventType implements Message.
func (it *FeedItem) EventType() string { return TypeFeedItem }

// MsgID implements Message.
func (it *FeedItem) MsgID() string { return "item." + it.ID }

// Subject implements Message.
func (it *FeedItem) Subject() string { return ItemSubject(SourceTokenOf(it.URL)) }

// EventTime implements Message.
func (it *FeedItem) EventTime() time.Time { return it.DiscoveredAt }
