// Package registry is the fetcher's feed registry: one record per feed in a
// JetStream key-value bucket shared by every fetcher replica and by the
// operator CLI. A record holds what an operator says about a feed (URL,
// name, tags, paused) and what the fetchers learned (validators, schedule,
// last result, failures) plus the lease a replica takes while it polls.
//
// Every change is a revision-checked update (compare-and-swap), so two
// writers never lose each other's changes and two replicas never both win a
// lease.
package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher/internal/kvcas"
)

// Bucket is the key-value bucket of the registry.
const Bucket = "newsflow_feeds"

// Sentinel errors, for errors.Is.
var (
	// ErrNotFound means no feed has that URL or key.
	ErrNotFound = errors.New("feed not registered")
	// ErrConflict means the record changed since it was read: another
	// replica or the operator wrote first.
	ErrConflict = errors.New("feed record changed concurrently")
	// ErrInvalidURL means the URL is not an absolute http(s) URL.
	ErrInvalidURL = errors.New("feed URL is not an absolute http(s) URL")
)

// State is a feed's state.
type State string

// The states of a feed. Active and failing feeds are polled; dead and
// paused ones are not until an operator resumes them.
const (
	Active  State = "active"
	Failing State = "failing"
	Dead    State = "dead"
	Paused  State = "paused"
)

// States lists every state, for metrics and help texts.
var States = []State{Active, Failing, Dead, Paused}

// Pollable reports whether feeds in state s are polled.
func (s State) Pollable() bool { return s == Active || s == Failing }

// Feed is one feed's record.
type Feed struct {
	URL   string   `json:"url"`
	Name  string   `json:"name,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	State State    `json:"state"`
	// AddedAt is when the feed was registered.
	AddedAt time.Time `json:"added_at"`
	// ETag and LastModified are the validators of the last full response,
	// sent back on the next poll so an unchanged feed costs a 304.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Interval is the adaptive polling interval; 0 until the first poll.
	Interval time.Duration `json:"interval,omitempty"`
	// Hint is the feed's own request not to be polled more often (RSS
	// <ttl>, sy:updatePeriod), kept from the last parse for 304 polls.
	Hint time.Duration `json:"hint,omitempty"`
	// NextDue is when the feed should be polled next.
	NextDue time.Time `json:"next_due"`
	// LastPoll, LastResult, LastStatus and LastError describe the last poll.
	LastPoll   time.Time `json:"last_poll,omitzero"`
	LastResult string    `json:"last_result,omitempty"`
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	// Failures counts consecutive failed polls; FailingSince is when the
	// first of them happened.
	Failures     int       `json:"failures,omitempty"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	// ItemsSeen counts the new items the feed has yielded.
	ItemsSeen int64 `json:"items_seen,omitempty"`
	// LastBytes is the size of the last full body: what a 304 saves.
	LastBytes int64 `json:"last_bytes,omitempty"`
	// Lease is set while a replica polls the feed.
	Lease *Lease `json:"lease,omitempty"`
}

// Lease says which replica polls a feed, and until when the others must
// leave it alone. A replica that dies mid-poll holds it until Until.
type Lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// Held reports whether the lease is set and not yet expired at now.
func (l *Lease) Held(now time.Time) bool { return l != nil && now.Before(l.Until) }

// Entry is a feed record with its key and revision.
type Entry struct {
	Key      string
	Revision uint64
	Feed     Feed
}

// Registry is the feed registry.
type Registry struct {
	kv jetstream.KeyValue
}

// Open opens the registry bucket, creating it when absent.
func Open(ctx context.Context, js jetstream.JetStream) (*Registry, error) {
	kv, err := service.EnsureKV(ctx, js, BucketConfig(1))
	if err != nil {
		return nil, err
	}
	return &Registry{kv: kv}, nil
}

// BucketConfig is the configuration of Bucket with the given replica count
// (0: 1); Open creates it so when it is missing.
func BucketConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      Bucket,
		Description: "feed registry and fetch state (newsflow fetcher)",
		Storage:     jetstream.FileStorage,
		History:     1,
		Replicas:    max(replicas, 1),
	}
}

// NormalizeURL checks that raw is an absolute http(s) URL and returns it
// with scheme and host lower-cased and no fragment, so that the same feed
// typed twice gets one key.
func NormalizeURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: %q", ErrInvalidURL, raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%w: %q", ErrInvalidURL, raw)
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

// Key is the bucket key of a (normalized) feed URL: 32 hex digits of its
// SHA-256, since URLs hold characters keys may not.
func Key(feedURL string) string {
	sum := sha256.Sum256([]byte(feedURL))
	return hex.EncodeToString(sum[:16])
}

func isKey(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// Decode decodes a bucket entry.
func Decode(e jetstream.KeyValueEntry) (Entry, error) {
	var f Feed
	if err := json.Unmarshal(e.Value(), &f); err != nil {
		return Entry{}, fmt.Errorf("feed record %s: %w", e.Key(), err)
	}
	return Entry{Key: e.Key(), Revision: e.Revision(), Feed: f}, nil
}

// Add registers a feed due at once. When the URL is registered already it
// returns the existing entry and created false; nothing changes.
func (r *Registry) Add(ctx context.Context, f Feed, now time.Time) (e Entry, created bool, err error) {
	if f.URL, err = NormalizeURL(f.URL); err != nil {
		return Entry{}, false, err
	}
	if f.State == "" {
		f.State = Active
	}
	if f.AddedAt.IsZero() {
		f.AddedAt = now.UTC()
	}
	if f.NextDue.IsZero() {
		f.NextDue = now.UTC()
	}
	f.Tags = cleanTags(f.Tags)
	key := Key(f.URL)
	b, err := json.Marshal(f)
	if err != nil {
		return Entry{}, false, err
	}
	rev, err := r.kv.Create(ctx, key, b)
	if errors.Is(err, jetstream.ErrKeyExists) {
		e, err := r.Get(ctx, key)
		return e, false, err
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("register %s: %w", f.URL, err)
	}
	return Entry{Key: key, Revision: rev, Feed: f}, true, nil
}

// Get returns the entry of a key.
func (r *Registry) Get(ctx context.Context, key string) (Entry, error) {
	kve, err := r.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Entry{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("feed %s: %w", key, err)
	}
	return Decode(kve)
}

// Find returns the entry of a feed given its URL or its key.
func (r *Registry) Find(ctx context.Context, urlOrKey string) (Entry, error) {
	if isKey(urlOrKey) {
		return r.Get(ctx, urlOrKey)
	}
	u, err := NormalizeURL(urlOrKey)
	if err != nil {
		return Entry{}, err
	}
	return r.Get(ctx, Key(u))
}

// List returns every feed, in key order.
func (r *Registry) List(ctx context.Context) ([]Entry, error) {
	w, err := r.kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var out []Entry
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case kve := <-w.Updates():
			if kve == nil { // the initial values are all delivered
				slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
				return out, nil
			}
			e, err := Decode(kve)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
	}
}

// Watch returns a watcher of every record: the current ones, then a nil
// entry, then each change as it happens (deletes included).
func (r *Registry) Watch(ctx context.Context) (jetstream.KeyWatcher, error) {
	w, err := r.kv.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch feeds: %w", err)
	}
	return w, nil
}

// Put writes e.Feed if the record is still at e.Revision and returns the
// new entry; ErrConflict when someone wrote in between.
func (r *Registry) Put(ctx context.Context, e Entry) (Entry, error) {
	b, err := json.Marshal(e.Feed)
	if err != nil {
		return Entry{}, err
	}
	rev, err := r.kv.Update(ctx, e.Key, b, e.Revision)
	if err != nil {
		if isWrongRevision(err) {
			return Entry{}, fmt.Errorf("%w: %s", ErrConflict, e.Key)
		}
		return Entry{}, fmt.Errorf("update feed %s: %w", e.Key, err)
	}
	e.Revision = rev
	return e, nil
}

func isWrongRevision(err error) bool { return kvcas.Conflict(err) }

// Update applies fn to the current record of key and writes it back,
// retrying on conflicts; fn may be called more than once and must only
// change the record it is given.
func (r *Registry) Update(ctx context.Context, key string, fn func(*Feed) error) (Entry, error) {
	for range 20 {
		e, err := r.Get(ctx, key)
		if err != nil {
			return Entry{}, err
		}
		if err := fn(&e.Feed); err != nil {
			return Entry{}, err
		}
		e, err = r.Put(ctx, e)
		if errors.Is(err, ErrConflict) {
			continue
		}
		return e, err
	}
	return Entry{}, fmt.Errorf("%w: %s: gave up after 20 tries", ErrConflict, key)
}

// Remove deletes a feed.
func (r *Registry) Remove(ctx context.Context, key string) error {
	if _, err := r.Get(ctx, key); err != nil {
		return err
	}
	if err := r.kv.Delete(ctx, key); err != nil {
		return fmt.Errorf("remove feed %s: %w", key, err)
	}
	return nil
}

// Pause stops a feed being polled.
func (r *Registry) Pause(ctx context.Context, key string) (Entry, error) {
	return r.Update(ctx, key, func(f *Feed) error {
		f.State = Paused
		return nil
	})
}

// Resume makes a paused or dead feed active and due at once, with its
// failure count cleared.
func (r *Registry) Resume(ctx context.Context, key string, now time.Time) (Entry, error) {
	return r.Update(ctx, key, func(f *Feed) error {
		f.State = Active
		f.Failures = 0
		f.FailingSince = time.Time{}
		f.NextDue = now.UTC()
		return nil
	})
}

// Claim takes the lease of e for owner until now+d, if the record is still
// at e.Revision and no other owner holds a live lease. It returns
// ErrConflict when another writer got there first.
func (r *Registry) Claim(ctx context.Context, e Entry, owner string, now time.Time, d time.Duration) (Entry, error) {
	if l := e.Feed.Lease; l.Held(now) && l.Owner != owner {
		return Entry{}, fmt.Errorf("%w: %s leased by %s", ErrConflict, e.Key, l.Owner)
	}
	e.Feed.Lease = &Lease{Owner: owner, Until: now.Add(d).UTC()}
	return r.Put(ctx, e)
}

// Move re-registers the feed of e under newURL (a permanent redirect, or
// the feed a page announces), keeping its name, tags and counters, and
// removes the old record. When newURL is registered already only the old
// record goes. The new record is due at once.
func (r *Registry) Move(ctx context.Context, e Entry, newURL string, now time.Time) (Entry, error) {
	u, err := NormalizeURL(newURL)
	if err != nil {
		return Entry{}, err
	}
	f := e.Feed
	f.URL = u
	f.Lease = nil
	f.ETag, f.LastModified = "", ""
	f.NextDue = now.UTC()
	moved, _, err := r.Add(ctx, f, now)
	if err != nil {
		return Entry{}, err
	}
	if moved.Key == e.Key {
		return moved, nil
	}
	// Revision-checked, so a concurrent operator change is not lost
	// silently: the old record then stays for the next poll to move.
	if err := r.kv.Delete(ctx, e.Key, jetstream.LastRevision(e.Revision)); err != nil {
		if isWrongRevision(err) {
			return moved, fmt.Errorf("%w: %s", ErrConflict, e.Key)
		}
		return moved, fmt.Errorf("remove moved feed %s: %w", e.Key, err)
	}
	return moved, nil
}

func cleanTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
