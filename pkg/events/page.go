package events

import (
	"fmt"
	"time"
)

// Page is an article page as the fetcher downloaded it, published on
// news.pages.v1.<src>. The raw HTML is kept so that a better parser can
// re-parse history without fetching again.
type Page struct {
	SchemaVersion int `json:"schema_version" desc:"Version of this schema; 1."`
	// ID is ArticleID(URL).
	ID          string    `json:"id" desc:"ArticleID of the requested URL."`
	URL         string    `json:"url" desc:"The URL that was requested (the feed item's link)."`
	FinalURL    string    `json:"final_url,omitempty" desc:"The URL after redirects, when it differs."`
	FeedURL     string    `json:"feed_url,omitempty" desc:"URL of the feed that linked the page."`
	StatusCode  int       `json:"status_code" desc:"HTTP status of the response."`
	ContentType string    `json:"content_type,omitempty" desc:"Content-Type of the response."`
	FetchedAt   time.Time `json:"fetched_at" desc:"When the page was fetched, UTC."`
	// HTML is the body decoded to UTF-8.
	HTML      string `json:"html" desc:"The page body, decoded to UTF-8."`
	Truncated bool   `json:"truncated,omitempty" desc:"The body was cut at the size limit."`
	// Item is the feed item that linked the page: the parser falls back to
	// its content and metadata when the page yields little.
	Item *FeedItem `json:"item,omitempty" desc:"The feed item that linked the page."`
}

// Validate implements Message.
func (p *Page) Validate() error {
	var errs []string
	if p.SchemaVersion != SchemaVersion {
		return fmt.Errorf("page: version %d: %w", p.SchemaVersion, ErrSchemaVersion)
	}
	if p.ID == "" {
		errs = append(errs, "id is empty")
	}
	if err := checkURL(p.URL); err != nil {
		errs = append(errs, "url: "+err.Error())
	}
	if p.FinalURL != "" {
		if err := checkURL(p.FinalURL); err != nil {
			errs = append(errs, "final_url: "+err.Error())
		}
	}
	if p.FetchedAt.IsZero() {
		errs = append(errs, "fetched_at is zero")
	}
	if p.Item != nil {
		if err := p.Item.Validate(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	return invalid("page", errs)
}

// EventType implements Message.
func (p *Page) EventType() string { return TypePage }

// MsgID implements Message.
func (p *Page) MsgID() string { return "page." + p.ID }

// Subject implements Message.
func (p *Page) Subject() string { return PageSubject(SourceTokenOf(p.URL)) }

// EventTime implements Message.
func (p *Page) EventTime() time.Time { return p.FetchedAt }

// EffectiveURL is the URL the body was served from: FinalURL, else URL.
func (p *Page) EffectiveURL() string {
	if p.FinalURL != "" {
		return p.FinalURL
	}
	return p.URL
}
