package events

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the content: they are dropped before an id is derived.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"yclid": true, "igshid": true, "mc_cid": true, "mc_eid": true, "_ga": true,
	"_gl": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "wickedid": true, "twclid": true, "ttclid": true,
	"cmpid": true, "ocid": true, "ns_mchannel": true, "ns_source": true,
	"ns_campaign": true, "ns_linkname": true, "ns_fee": true, "sr_share": true,
}

func isTrackingParam(k string) bool {
	k = strings.ToLower(k)
	return trackingParams[k] || strings.HasPrefix(k, "utm_")
}

// CanonicalURL normalizes a URL so that the same story reached by different
// links compares equal: scheme and host lower-cased, default port removed,
// fragment removed, tracking parameters (utm_*, fbclid, gclid, ...) removed,
// remaining query parameters sorted, and an empty path written as "/".
// Only http and https URLs with a host are accepted.
func CanonicalURL(rawURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", rawURL, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonical url %q: scheme %q: %w", rawURL, u.Scheme, ErrInvalid)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("canonical url %q: %w", rawURL, ErrNoHost)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// Keep a query we cannot parse as it is: it may carry the content's identity.
			q = nil
		}
		if q != nil {
			for k := range q {
				if isTrackingParam(k) {
					delete(q, k)
				}
			}
			keys := make([]string, 0, len(q))
			for k := range q {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			for _, k := range keys {
				vs := q[k]
				sort.Strings(vs)
				for _, v := range vs {
					if b.Len() > 0 {
						b.WriteByte('&')
					}
					b.WriteString(url.QueryEscape(k))
					if v != "" {
						b.WriteByte('=')
						b.WriteString(url.QueryEscape(v))
					}
				}
			}
			u.RawQuery = b.String()
		}
	}
	u.ForceQuery = false
	return u.String(), nil
}

// ArticleID returns the stable id of the article at rawURL: 32 hex digits of
// the SHA-256 of its canonical URL without the scheme, so the http and https
// addresses of one story share an id. Every sink upserts by this id.
func ArticleID(rawURL string) (string, error) {
	c, err := CanonicalURL(rawURL)
	if err != nil {
		return "", err
	}
	_, rest, _ := strings.Cut(c, "://")
	return hashID(rest), nil
}

// ItemID returns the stable id of a feed item: derived from the feed's URL and
// the item's own key (its GUID, else its link, else its title and date).
func ItemID(feedURL, key string) string {
	return hashID(feedURL + "\x00" + key)
}

func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
