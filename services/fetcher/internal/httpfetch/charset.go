package httpfetch

import (
	"bytes"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// metaScanLimit bounds how much of an HTML page is searched for a
// <meta charset>. The HTML standard's prescan looks at 1024 bytes only, but
// many real news pages declare the charset after several KB of scripts and
// styles in <head>; misreading a windows-1251 page as windows-1252 turns the
// whole article into mojibake.
const metaScanLimit = 64 << 10

// bodyKind says how a body declares its own encoding.
type bodyKind int

const (
	kindBinary bodyKind = iota // not text: left as it is
	kindHTML                   // may carry <meta charset>
	kindXML                    // may carry <?xml encoding="...">
	kindJSON                   // always UTF-8 (RFC 8259)
	kindText                   // other text: only the header or a BOM can say
)

// classify decides whether a body is text and how it may declare its
// encoding, from the Content-Type header or, when that is absent, by sniffing.
// It returns the content type the caller should report.
func classify(contentType string, body []byte) (bodyKind, string) {
	if strings.TrimSpace(contentType) == "" {
		contentType = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// A malformed header still usually starts with the media type.
		mt, _, _ = strings.Cut(strings.ToLower(contentType), ";")
		mt = strings.TrimSpace(mt)
	}
	// An XML declaration wins over the media type: feeds are often served as
	// text/html or text/plain, and their encoding is in the declaration.
	if hasXMLDecl(body) {
		return kindXML, contentType
	}
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return kindHTML, contentType
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return kindXML, contentType
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return kindJSON, contentType
	case strings.HasPrefix(mt, "text/") || mt == "application/javascript" || mt == "application/ecmascript":
		return kindText, contentType
	}
	return kindBinary, contentType
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func hasXMLDecl(body []byte) bool {
	b := bytes.TrimPrefix(body, utf8BOM)
	b = bytes.TrimLeft(b, " \t\r\n")
	return bytes.HasPrefix(b, []byte("<?xml"))
}

// toUTF8 decodes a text body to UTF-8. The encoding is taken, in order, from
// a byte order mark, the Content-Type charset, the document's own declaration
// (<meta charset> for HTML, <?xml encoding> for XML), and otherwise UTF-8 when
// the bytes are valid UTF-8, else windows-1252 (what browsers assume). An XML
// declaration is rewritten to say UTF-8, so that an XML parser reading the
// result does not decode it a second time.
func toUTF8(body []byte, contentType string, kind bodyKind) []byte {
	if kind == kindBinary || len(body) == 0 {
		return body
	}
	enc := chooseEncoding(body, contentType, kind)
	out := body
	if enc != nil {
		// BOMOverride strips a BOM and honours it over enc, which matters when
		// a header names one encoding and the BOM proves another.
		if dec, _, err := transform.Bytes(unicode.BOMOverride(enc.NewDecoder()), body); err == nil {
			out = dec
		}
	} else {
		out = bytes.TrimPrefix(out, utf8BOM)
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	if kind == kindXML {
		out = rewriteXMLEncoding(out)
	}
	return out
}

// chooseEncoding returns the encoding to decode body from, or nil when the
// body is already UTF-8.
func chooseEncoding(body []byte, contentType string, kind bodyKind) encoding.Encoding {
	// With only a few leading bytes, DetermineEncoding is certain exactly when
	// a BOM or the header's charset decided: its own <meta> prescan and UTF-8
	// guess have nothing to work on.
	head := body[:min(len(body), 4)]
	if e, name, certain := charset.DetermineEncoding(head, contentType); certain {
		return nopIfUTF8(e, name)
	}
	var label string
	switch kind {
	case kindHTML:
		label = metaCharset(body[:min(len(body), metaScanLimit)])
	case kindXML:
		label = xmlDeclEncoding(body)
	case kindJSON:
		return nil
	}
	if label != "" {
		if e, name := charset.Lookup(label); e != nil {
			// A page that declares UTF-16 in <meta> cannot be UTF-16 (the
			// declaration was readable as ASCII), as browsers also conclude.
			if kind == kindHTML && strings.HasPrefix(name, "utf-16") {
				return nil
			}
			return nopIfUTF8(e, name)
		}
	}
	if utf8.Valid(body) {
		return nil
	}
	return charmap.Windows1252
}

func nopIfUTF8(e encoding.Encoding, name string) encoding.Encoding {
	if name == "utf-8" || e == encoding.Nop {
		return nil
	}
	return e
}

// metaCharset finds the charset an HTML document declares in
// <meta charset="..."> or <meta http-equiv="Content-Type" content="...">,
// stopping at <body> since a declaration after it does not count.
func metaCharset(b []byte) string {
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
			default:
				continue
			}
			var cs, httpEquiv, content string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch strings.ToLower(string(k)) {
				case "charset":
					cs = strings.TrimSpace(string(v))
				case "http-equiv":
					httpEquiv = strings.ToLower(strings.TrimSpace(string(v)))
				case "content":
					content = string(v)
				}
			}
			if cs != "" {
				return cs
			}
			if httpEquiv == "content-type" && content != "" {
				if _, params, err := mime.ParseMediaType(content); err == nil && params["charset"] != "" {
					return params["charset"]
				}
			}
		}
	}
}

var xmlEncodingRe = regexp.MustCompile(`encoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']`)

// xmlDecl returns the bounds of the XML declaration at the start of b
// (after an optional BOM and whitespace), or -1, -1.
func xmlDecl(b []byte) (start, end int) {
	i := 0
	if bytes.HasPrefix(b, utf8BOM) {
		i = len(utf8BOM)
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	if !bytes.HasPrefix(b[i:], []byte("<?xml")) {
		return -1, -1
	}
	// A declaration is short; bounding the search keeps garbage cheap.
	limit := min(len(b), i+512)
	j := bytes.Index(b[i:limit], []byte("?>"))
	if j < 0 {
		return -1, -1
	}
	return i, i + j + 2
}

func xmlDeclEncoding(b []byte) string {
	s, e := xmlDecl(b)
	if s < 0 {
		return ""
	}
	if m := xmlEncodingRe.FindSubmatch(b[s:e]); m != nil {
		return string(m[1])
	}
	return ""
}

// rewriteXMLEncoding makes the XML declaration of an already UTF-8 body say
// so. Without it, encoding/xml (as used by gofeed) would run the body through
// the declared charset's decoder again and garble every non-ASCII character.
func rewriteXMLEncoding(b []byte) []byte {
	s, e := xmlDecl(b)
	if s < 0 {
		return b
	}
	loc := xmlEncodingRe.FindSubmatchIndex(b[s:e])
	if loc == nil || strings.EqualFold(string(b[s+loc[2]:s+loc[3]]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:s+loc[2]]...)
	out = append(out, "UTF-8"...)
	out = append(out, b[s+loc[3]:]...)
	return out
}
