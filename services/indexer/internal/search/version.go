package search

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/newsflow/newsflow/pkg/events"
)

// Version orders the versions of one article. Every backend upserts by it,
// so none ever replaces a newer version with an older one.
type Version struct {
	Modified int64 // UnixNano of ModifiedAt; 0 when absent
	Fetched  int64 // UnixNano of FetchedAt
}

// VersionOf is the version of a.
func VersionOf(a *events.Article) Version {
	var v Version
	if a.ModifiedAt != nil && !a.ModifiedAt.IsZero() {
		v.Modified = a.ModifiedAt.UnixNano()
	}
	if !a.FetchedAt.IsZero() {
		v.Fetched = a.FetchedAt.UnixNano()
	}
	return v
}

// OlderThan reports whether v is an older version than w. When both know
// their modification time it decides; otherwise (or on a tie) the fetch time
// does. Equal versions are not older, so a redelivery rewrites the document.
func (v Version) OlderThan(w Version) bool {
	if v.Modified != 0 && w.Modified != 0 && v.Modified != w.Modified {
		return v.Modified < w.Modified
	}
	return v.Fetched < w.Fetched
}

// String is the stored form, read back by ParseVersion.
func (v Version) String() string {
	return strconv.FormatInt(v.Modified, 10) + " " + strconv.FormatInt(v.Fetched, 10)
}

// ParseVersion reads the form String writes.
func ParseVersion(s string) (Version, error) {
	m, f, ok := strings.Cut(s, " ")
	if !ok {
		return Version{}, fmt.Errorf("version %q: no separator", s)
	}
	var v Version
	var err error
	if v.Modified, err = strconv.ParseInt(m, 10, 64); err != nil {
		return Version{}, fmt.Errorf("version %q: %w", s, err)
	}
	if v.Fetched, err = strconv.ParseInt(f, 10, 64); err != nil {
		return Version{}, fmt.Errorf("version %q: %w", s, err)
	}
	return v, nil
}
