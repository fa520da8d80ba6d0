package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// Encode validates m and returns its JSON. Times are written in UTC. HTML is
// not escaped (a page body stays readable and small).
func Encode(m Message) ([]byte, error) {
	normalizeTimes(reflect.ValueOf(m))
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if p, ok := m.(*Page); ok {
		return encodePage(p)
	}
	return encodeJSON(m)
}

// encodeJSON is encoding/json's output for m, HTML not escaped, without the
// trailing newline.
func encodeJSON(m Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.EventType(), err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Decode parses data into a new T and validates it. Unknown fields are
// ignored, so a reader keeps working when a newer writer adds optional fields.
func Decode[T any, PT interface {
	*T
	Message
}](data []byte) (PT, error) {
	var v T
	p := PT(&v)
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("decode %s: %w: %v", p.EventType(), ErrInvalid, err)
	}
	return finishDecode(p)
}

// finishDecode validates a decoded message and puts its times in UTC.
func finishDecode[PT Message](p PT) (PT, error) {
	if err := p.Validate(); err != nil {
		var zero PT
		return zero, err
	}
	normalizeTimes(reflect.ValueOf(p))
	return p, nil
}

// DecodeFeedItem decodes and validates a FeedItem.
func DecodeFeedItem(data []byte) (*FeedItem, error) { return Decode[FeedItem](data) }

// DecodePage decodes and validates a Page.
func DecodePage(data []byte) (*Page, error) { return decodePage(data) }

// DecodeArticle decodes and validates an Article.
func DecodeArticle(data []byte) (*Article, error) { return Decode[Article](data) }

var timeType = reflect.TypeOf(time.Time{})

// normalizeTimes converts every time.Time reachable through struct fields and
// pointers of v to UTC, so the wire form is always RFC 3339 UTC.
func normalizeTimes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalizeTimes(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == timeType {
			if v.CanSet() {
				t := v.Interface().(time.Time)
				v.Set(reflect.ValueOf(t.UTC()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				normalizeTimes(v.Field(i))
			}
		}
	}
}

func checkURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http(s)", u.Scheme)
	}
	if u.Host == "" {
		return ErrNoHost
	}
	return nil
}

func invalid(what string, errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", what, strings.Join(errs, "; "), ErrInvalid)
}
