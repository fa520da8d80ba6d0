// Package sitegen generates the test news sites of the Compose end-to-end
// test: per host an RSS feed and article pages whose text is derived from
// the article's number, so the test knows every article id in advance.
package sitegen

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/events"
)

// Hosts is how many sites there are: site-0 … site-(Hosts-1).
const Hosts = 10

// MaxItems bounds the items of one feed.
const MaxItems = 200

// Marker is a word in every generated article, to count them by search.
const Marker = "nfetwoetoken"

// Port is where the site listens in its container.
const Port = 8080

// Host is the name of site i on the Compose network.
func Host(i int) string { return "site-" + strconv.Itoa(i) }

// FeedURL is the feed of site i.
func FeedURL(i int) string { return fmt.Sprintf("http://%s:%d/feed.xml", Host(i), Port) }

// ArticleURL is article j of site i.
func ArticleURL(i, j int) string {
	return fmt.Sprintf("http://%s:%d/articles/%d.html", Host(i), Port, j)
}

// ArticleIDs returns the ids of the first items articles of every site.
func ArticleIDs(items int) (map[string]string, error) {
	ids := make(map[string]string, Hosts*items)
	for i := range Hosts {
		for j := range items {
			u := ArticleURL(i, j)
			id, err := events.ArticleID(u)
			if err != nil {
				return nil, err
			}
			ids[id] = u
		}
	}
	return ids, nil
}

var epoch = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func published(i, j int) time.Time { return epoch.Add(time.Duration(j*Hosts+i) * time.Minute) }

var words = strings.Fields(`ministry officials said the agreement would cover
shipping routes harbour inspections and regional grain exports while observers
from several countries monitored talks that continued late into the evening
according to statements released by delegations analysts expect markets to
react cautiously as negotiators return next week with revised proposals`)

func title(i, j int) string { return fmt.Sprintf("Report %d from site %d on harbour talks", j, i) }

func paragraphs(i, j int) []string {
	ps := make([]string, 6)
	for p := range ps {
		var b strings.Builder
		for w := range 45 {
			if w > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[(i*7+j*13+p*5+w)%len(words)])
		}
		fmt.Fprintf(&b, " %s s%da%dp%d.", Marker, i, j, p)
		ps[p] = strings.ToUpper(b.String()[:1]) + b.String()[1:]
	}
	return ps
}

// Handler serves every site; items() is how many items each feed lists.
func Handler(items func() int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		site, ok := strings.CutPrefix(host, "site-")
		i, err := strconv.Atoi(site)
		if !ok || err != nil || i < 0 || i >= Hosts {
			http.NotFound(w, r)
			return
		}
		n := min(items(), MaxItems)
		switch {
		case r.URL.Path == "/robots.txt":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte("User-agent: *\nAllow: /\n"))
		case r.URL.Path == "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(Feed(i, n)))
		case strings.HasPrefix(r.URL.Path, "/articles/") && strings.HasSuffix(r.URL.Path, ".html"):
			j, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/articles/"), ".html"))
			if err != nil || j < 0 || j >= n {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(Page(i, j)))
		default:
			http.NotFound(w, r)
		}
	})
}

// Feed is site i's RSS feed with its first n items, newest first.
func Feed(i, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Site %d</title><link>http://%s:%d/</link><description>test site</description>
`, i, Host(i), Port)
	for j := n - 1; j >= 0; j-- {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			html.EscapeString(title(i, j)), ArticleURL(i, j), ArticleURL(i, j), published(i, j).Format(time.RFC1123Z), html.EscapeString(paragraphs(i, j)[0]))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// Page is the HTML of article j of site i.
func Page(i, j int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s</title>
<link rel="canonical" href="%s"><meta property="article:published_time" content="%s"></head>
<body><header><nav><a href="/">Home</a></nav></header><article><h1>%s</h1>
`, html.EscapeString(title(i, j)), ArticleURL(i, j), published(i, j).Format(time.RFC3339), html.EscapeString(title(i, j)))
	for _, p := range paragraphs(i, j) {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString("</article><footer>© test site</footer></body></html>\n")
	return b.String()
}
