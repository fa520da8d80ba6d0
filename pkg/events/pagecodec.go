package events

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A page's HTML is nearly all of a Page message (news pages run to hundreds
// of KiB), and encoding/json walks it a byte at a time: three passes to
// decode (validate, scan, unquote), one to encode. On real pages that cost
// half as much as extracting the article. encodePage and decodePage give
// exactly encoding/json's bytes and values, but read and write the HTML
// string eight bytes at a time and hand the rest of the message, and any
// input they do not fully understand, to encoding/json.

// htmlMember is how encoding/json writes an empty HTML field: encodePage
// writes the escaped HTML between its quotes.
const htmlMember = `,"html":""`

// encodePage returns encodeJSON(p).
func encodePage(p *Page) ([]byte, error) {
	shell := *p
	shell.HTML = ""
	b, err := encodeJSON(&shell)
	if err != nil {
		return nil, err
	}
	// The first match is the top-level member: only ID, URLs, status,
	// content type and time come before it, and a quote inside an encoded
	// string is always escaped, so the pattern cannot start inside one.
	at := bytes.Index(b, []byte(htmlMember))
	if at < 0 {
		return nil, fmt.Errorf("encode %s: no html member in %.80q", p.EventType(), b)
	}
	at += len(htmlMember) - 1 // the closing quote
	out := make([]byte, 0, len(b)+len(p.HTML)+len(p.HTML)/16+16)
	out = append(out, b[:at]...)
	out = appendJSONString(out, p.HTML)
	return append(out, b[at:]...), nil
}

// decodePage decodes a Page as json.Unmarshal would; see decodePageFast.
func decodePage(data []byte) (*Page, error) {
	p, ok := decodePageFast(data)
	if !ok {
		return Decode[Page](data)
	}
	return finishDecode(p)
}

// decodePageFast unquotes the top-level "html" string itself and lets
// encoding/json decode the rest of the object with that string emptied. A
// string token swapped for another string token keeps the JSON valid or
// invalid exactly as it was, so the result is json.Unmarshal's. ok is false
// (and the caller uses encoding/json for all of it) whenever the input is
// anything else: not an object, a member encoding/json might also read into
// HTML (another spelling of the key, an escaped key, a second "html"), an
// invalid string, or a rest that does not decode.
func decodePageFast(data []byte) (*Page, bool) {
	start, end, ok := findHTMLValue(data)
	if !ok {
		return nil, false
	}
	html, ok := unquoteJSON(data[start+1 : end-1])
	if !ok {
		return nil, false
	}
	shell := make([]byte, 0, len(data)-(end-start)+2)
	shell = append(shell, data[:start]...)
	shell = append(shell, `""`...)
	shell = append(shell, data[end:]...)
	var p Page
	if err := json.Unmarshal(shell, &p); err != nil {
		return nil, false
	}
	p.HTML = html
	return &p, true
}

// findHTMLValue returns the bounds of the string token (quotes included)
// that is the value of the only top-level "html" member of the object in
// data. It checks only what it needs to find the member: encoding/json
// validates the rest.
func findHTMLValue(data []byte) (start, end int, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return 0, 0, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return 0, 0, false // no members, so no html
	}
	found := false
	for {
		if i >= len(data) || data[i] != '"' {
			return 0, 0, false
		}
		ks := i
		if i = skipString(data, i); i < 0 {
			return 0, 0, false
		}
		key := data[ks+1 : i-1]
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return 0, 0, false
		}
		vs := skipSpace(data, i+1)
		if i = skipValue(data, vs); i < 0 {
			return 0, 0, false
		}
		switch {
		case string(key) == "html":
			if found || data[vs] != '"' {
				return 0, 0, false
			}
			found, start, end = true, vs, i
		case bytes.IndexByte(key, '\\') >= 0 || bytes.EqualFold(key, []byte("html")):
			// encoding/json matches keys case-insensitively, and an
			// escaped key may spell html.
			return 0, 0, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, 0, false
		}
		if data[i] == '}' {
			break
		}
		if data[i] != ',' {
			return 0, 0, false
		}
		i = skipSpace(data, i+1)
	}
	if skipSpace(data, i+1) != len(data) {
		return 0, 0, false
	}
	return start, end, found
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string token starting at data[i]
// (a quote), or -1 when it does not end.
func skipString(data []byte, i int) int {
	for j := i + 1; ; {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return -1
		}
		j += q
		// The quote ends the string unless an odd run of backslashes
		// escapes it.
		k := j
		for k > i+1 && data[k-1] == '\\' {
			k--
		}
		j++
		if (j-1-k)%2 == 0 {
			return j
		}
	}
}

// skipValue returns the index after the value starting at data[i], or -1.
// Objects and arrays are skipped by counting brackets outside strings;
// whether they are well formed is encoding/json's to say.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				if i = skipString(data, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		for i < len(data) {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// nextSpecial returns the index of the first byte of s at or after i that
// needs attention in a JSON string (a quote, backslash, control character
// or non-ASCII byte), or len(s), testing eight bytes at a time.
func nextSpecial(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		q := x ^ (ones * '"')
		b := x ^ (ones * '\\')
		// A byte below 0x20 borrows into its high bit, as does a zero
		// byte of q or b; a borrow only sets bits above a real hit, so the
		// lowest one marks the first special byte.
		if m := ((x - ones*0x20) | (q-ones)&^q | (b-ones)&^b | x) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// unquoteJSON is encoding/json's unquote for the body of a string token
// (between the quotes), including its coercion of invalid UTF-8 to U+FFFD;
// ok is false where encoding/json would reject the token.
func unquoteJSON(s []byte) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	start := 0 // s[start:r] is still to be copied as it is
	for r := 0; ; {
		if r = nextSpecial(s, r); r == len(s) {
			break
		}
		c := s[r]
		if c >= utf8.RuneSelf {
			// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
			rr, size := utf8.DecodeRune(s[r:])
			if rr != utf8.RuneError || size != 1 {
				r += size
				continue
			}
			b.Write(s[start:r])
			b.WriteRune(utf8.RuneError)
			r++
			start = r
			continue
		}
		if c != '\\' {
			return "", false // a quote or control character
		}
		b.Write(s[start:r])
		r++
		if r >= len(s) {
			return "", false
		}
		switch s[r] {
		case '"', '\\', '/':
			b.WriteByte(s[r])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			rr := getu4(s[r-1:])
			if rr < 0 {
				return "", false
			}
			r += 4
			if utf16.IsSurrogate(rr) {
				if rr1 := getu4(s[r+1:]); rr1 >= 0 {
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						rr = dec
						r += 6
					} else {
						rr = unicode.ReplacementChar
					}
				} else {
					rr = unicode.ReplacementChar
				}
			}
			b.WriteRune(rr)
		default:
			return "", false
		}
		r++
		start = r
	}
	b.Write(s[start:])
	return b.String(), true
}

// getu4 decodes \uXXXX from the beginning of s, returning the hex value,
// or -1 (encoding/json's getu4).
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends the body of s as a JSON string (no quotes), byte
// for byte as encoding/json writes it with HTML escaping off.
func appendJSONString(dst []byte, s string) []byte {
	// A read-only view of s for plainWord's 8-byte loads.
	view := unsafe.Slice(unsafe.StringData(s), len(s))
	start := 0
	for i := 0; ; {
		if i = nextSpecial(view, i); i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		// U+2028 and U+2029 end lines in JavaScript: encoding/json always
		// escapes them.
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}
