// Package jsonschema generates JSON Schema (draft 2020-12) documents from Go
// struct types by reflection: json tags give the property names, a field
// without omitempty is required, and a desc tag gives the description. It
// covers exactly the shapes the contract uses, and so stays stdlib-only.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

var timeType = reflect.TypeOf(time.Time{})

// Generate returns the indented schema of v's type with the given $id and title.
func Generate(v any, id, title, description string) ([]byte, error) {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s, err := schemaOf(t)
	if err != nil {
		return nil, err
	}
	doc := ordered{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", id},
		{"title", title},
		{"description", description},
	}
	doc = append(doc, s...)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type kv struct {
	k string
	v any
}

// ordered is a JSON object that keeps its keys in order, so generated files
// are stable and diffs are readable.
type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		buf.Write(k)
		buf.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func schemaOf(t reflect.Type) (ordered, error) {
	if t == timeType {
		return ordered{{"type", "string"}, {"format", "date-time"}}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem())
	case reflect.String:
		return ordered{{"type", "string"}}, nil
	case reflect.Bool:
		return ordered{{"type", "boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ordered{{"type", "integer"}}, nil
	case reflect.Float32, reflect.Float64:
		return ordered{{"type", "number"}}, nil
	case reflect.Slice:
		items, err := schemaOf(t.Elem())
		if err != nil {
			return nil, err
		}
		return ordered{{"type", "array"}, {"items", items}}, nil
	case reflect.Struct:
		var props ordered
		required := []string{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fs, err := schemaOf(f.Type)
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.Name, err)
			}
			if d := f.Tag.Get("desc"); d != "" {
				fs = append(ordered{{"description", d}}, fs...)
			}
			props = append(props, kv{name, fs})
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
		return ordered{{"type", "object"}, {"properties", props}, {"required", required}}, nil
	}
	return nil, fmt.Errorf("unsupported kind %s", t.Kind())
}
