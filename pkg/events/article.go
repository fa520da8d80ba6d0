package events

import (
	"fmt"
	"time"
)

// Article is the normalized article, published on news.articles.v1.<src>.
// It is a superset of what news-please and trafilatura emit. Every field but
// the identifying ones is optional and never invented: absent beats wrong.
type Article struct {
	SchemaVersion int `json:"schema_version" desc:"Version of this schema; 1."`
	// ID is ArticleID(CanonicalURL): the same story fetched twice has the same id.
	ID           string `json:"id" desc:"Stable id: ArticleID of the canonical URL."`
	URL          string `json:"url" desc:"The URL the page was fetched from."`
	CanonicalURL string `json:"canonical_url" desc:"The canonical URL (the page's rel=canonical or og:url when on the same site, else the URL), normalized."`
	FeedURL      string `json:"feed_url,omitempty" desc:"URL of the feed that linked the article."`
	Source       Source `json:"source" desc:"The site that published the article."`

	Title       string     `json:"title" desc:"Headline, without the site's suffix."`
	Description string     `json:"description,omitempty" desc:"Standfirst or meta description."`
	Authors     []string   `json:"authors,omitempty" desc:"Author names."`
	PublishedAt *time.Time `json:"published_at,omitempty" desc:"Publication time, RFC 3339 UTC."`
	ModifiedAt  *time.Time `json:"modified_at,omitempty" desc:"Last modification time, RFC 3339 UTC."`
	FetchedAt   time.Time  `json:"fetched_at" desc:"When the page was fetched, RFC 3339 UTC."`
	Language    string     `json:"language,omitempty" desc:"BCP 47 language tag of the text, e.g. en."`

	// Text is plain text, paragraphs separated by a blank line.
	Text      string   `json:"text" desc:"Body as plain text; paragraphs separated by a blank line."`
	Lead      string   `json:"lead,omitempty" desc:"The first paragraph of the body."`
	TopImage  string   `json:"top_image,omitempty" desc:"URL of the article's main image."`
	Images    []string `json:"images,omitempty" desc:"URLs of the images inside the article."`
	Tags      []string `json:"tags,omitempty" desc:"Tags, keywords or section."`
	WordCount int      `json:"word_count" desc:"Number of words in text."`
	// ContentHash is the hex SHA-256 of Text, to tell a changed body from a re-delivery.
	ContentHash string `json:"content_hash" desc:"Hex SHA-256 of text."`
	// SimHash is a 64-bit simhash of Text's shingles, as 16 hex digits: near
	// duplicates differ in few bits.
	SimHash string `json:"simhash,omitempty" desc:"64-bit simhash of the text as 16 hex digits; near-duplicates differ in few bits."`

	Extraction Extraction `json:"extraction" desc:"How the article was extracted."`
	Quotes     []Quote    `json:"quotes,omitempty" desc:"Quoted statements with their speakers."`
	Entities   *Entities  `json:"entities,omitempty" desc:"Named entities found in the text."`
}

// Source is the site that published an article.
type Source struct {
	Name   string `json:"name,omitempty" desc:"Site name, e.g. RT."`
	Domain string `json:"domain" desc:"Registrable domain, e.g. rt.com."`
}

// Extraction says which extractor produced an article and how.
type Extraction struct {
	Method  string `json:"method" desc:"Extraction method, e.g. dom, json-ld, feed."`
	Version string `json:"version" desc:"Version of the extractor."`
	// NeedsJS is set when the page appears to render its content with
	// JavaScript, which the parser does not execute.
	NeedsJS bool `json:"needs_js,omitempty" desc:"The page seems to need JavaScript to show its content."`
}

// Quote is a quoted statement and who said it.
type Quote struct {
	Text    string `json:"text" desc:"The quoted words."`
	Speaker string `json:"speaker,omitempty" desc:"Who said them, as the text names them."`
}

// Entities are names found in an article's text.
type Entities struct {
	Persons []string `json:"persons,omitempty" desc:"People."`
	Orgs    []string `json:"orgs,omitempty" desc:"Organizations."`
	Places  []string `json:"places,omitempty" desc:"Places."`
}

// Validate implements Message.
func (a *Article) Validate() error {
	var errs []string
	if a.SchemaVersion != SchemaVersion {
		return fmt.Errorf("article: version %d: %w", a.SchemaVersion, ErrSchemaVersion)
	}
	if a.ID == "" {
		errs = append(errs, "id is empty")
	}
	if err := checkURL(a.URL); err != nil {
		errs = append(errs, "url: "+err.Error())
	}
	if err := checkURL(a.CanonicalURL); err != nil {
		errs = append(errs, "canonical_url: "+err.Error())
	} else if id, _ := ArticleID(a.CanonicalURL); id != a.ID {
		errs = append(errs, "id does not match canonical_url")
	}
	if a.Source.Domain == "" {
		errs = append(errs, "source.domain is empty")
	}
	if a.Title == "" && a.Text == "" {
		errs = append(errs, "title and text are both empty")
	}
	if a.FetchedAt.IsZero() {
		errs = append(errs, "fetched_at is zero")
	}
	if a.Extraction.Method == "" {
		errs = append(errs, "extraction.method is empty")
	}
	return invalid("article", errs)
}

// EventType implements Message.
func (a *Article) EventType() string { return TypeArticle }

// MsgID implements Message. It includes the content hash, so a re-parse that
// changes the body is stored while a retried publish of the same one is not.
func (a *Article) MsgID() string {
	h := a.ContentHash
	if len(h) > 16 {
		h = h[:16]
	}
	return "article." + a.ID + "." + h
}

// Subject implements Message.
func (a *Article) Subject() string { return ArticleSubject(SourceToken(a.Source.Domain)) }

// EventTime implements Message.
func (a *Article) EventTime() time.Time { return a.FetchedAt }
