package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher/registry"
)

func open(t *testing.T) *registry.Registry {
	t.Helper()
	r, err := registry.Open(context.Background(), servicetest.JetStream(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAddIsIdempotentAndNormalizes(t *testing.T) {
	r := open(t)
	ctx := context.Background()
	now := time.Now()
	e, created, err := r.Add(ctx, registry.Feed{URL: " HTTPS://Example.COM/rss#top ", Name: "Ex", Tags: []string{"a", " a ", "", "b"}}, now)
	if err != nil || !created {
		t.Fatalf("add: %v created=%v", err, created)
	}
	if e.Feed.URL != "https://example.com/rss" || e.Feed.State != registry.Active || len(e.Feed.Tags) != 2 || !e.Feed.NextDue.Equal(now.UTC()) {
		t.Errorf("added %+v", e.Feed)
	}
	again, created, err := r.Add(ctx, registry.Feed{URL: "https://example.com/rss", Name: "other"}, now)
	if err != nil || created || again.Feed.Name != "Ex" || again.Key != e.Key {
		t.Errorf("second add: %+v created=%v err=%v", again, created, err)
	}
	for _, q := range []string{"https://EXAMPLE.com/rss", e.Key} {
		if got, err := r.Find(ctx, q); err != nil || got.Key != e.Key {
			t.Errorf("Find(%q) = %v, %v", q, got.Key, err)
		}
	}
	if _, err := r.Find(ctx, "https://example.com/other"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Find unknown: %v", err)
	}
	for _, bad := range []string{"ftp://example.com/x", "/rss", "not a url"} {
		if _, _, err := r.Add(ctx, registry.Feed{URL: bad}, now); !errors.Is(err, registry.ErrInvalidURL) {
			t.Errorf("Add(%q): %v", bad, err)
		}
	}
}

func TestClaimIsExclusive(t *testing.T) {
	r := open(t)
	ctx := context.Background()
	now := time.Now()
	e, _, err := r.Add(ctx, registry.Feed{URL: "https://example.com/rss"}, now)
	if err != nil {
		t.Fatal(err)
	}
	// Two replicas read the same revision; one wins.
	a, errA := r.Claim(ctx, e, "a", now, time.Minute)
	_, errB := r.Claim(ctx, e, "b", now, time.Minute)
	if errA != nil || !errors.Is(errB, registry.ErrConflict) {
		t.Fatalf("claims: a=%v b=%v", errA, errB)
	}
	// Even with the fresh revision, b may not take a live lease...
	if _, err := r.Claim(ctx, a, "b", now, time.Minute); !errors.Is(err, registry.ErrConflict) {
		t.Errorf("claim of a live lease: %v", err)
	}
	// ...but may once it has run out.
	if got, err := r.Claim(ctx, a, "b", now.Add(2*time.Minute), time.Minute); err != nil || got.Feed.Lease.Owner != "b" {
		t.Errorf("claim of an expired lease: %+v, %v", got.Feed.Lease, err)
	}
}

func TestUpdatePauseResumeRemove(t *testing.T) {
	r := open(t)
	ctx := context.Background()
	now := time.Now()
	e, _, _ := r.Add(ctx, registry.Feed{URL: "https://example.com/rss"}, now)
	if _, err := r.Update(ctx, e.Key, func(f *registry.Feed) error { f.State = registry.Dead; f.Failures = 7; return nil }); err != nil {
		t.Fatal(err)
	}
	p, err := r.Pause(ctx, e.Key)
	if err != nil || p.Feed.State != registry.Paused {
		t.Fatalf("pause: %v %v", p.Feed.State, err)
	}
	later := now.Add(time.Hour)
	res, err := r.Resume(ctx, e.Key, later)
	if err != nil || res.Feed.State != registry.Active || res.Feed.Failures != 0 || !res.Feed.NextDue.Equal(later.UTC()) {
		t.Fatalf("resume: %+v %v", res.Feed, err)
	}
	if err := r.Remove(ctx, e.Key); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(ctx, e.Key); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("second remove: %v", err)
	}
	if list, err := r.List(ctx); err != nil || len(list) != 0 {
		t.Errorf("list after remove: %v %v", list, err)
	}
}

func TestMove(t *testing.T) {
	r := open(t)
	ctx := context.Background()
	now := time.Now()
	e, _, _ := r.Add(ctx, registry.Feed{URL: "https://old.example/rss", Name: "N", Tags: []string{"t"}}, now)
	e.Feed.ItemsSeen = 5
	e, _ = r.Put(ctx, e)
	moved, err := r.Move(ctx, e, "https://new.example/rss", now)
	if err != nil || moved.Feed.URL != "https://new.example/rss" || moved.Feed.Name != "N" || moved.Feed.ItemsSeen != 5 {
		t.Fatalf("move: %+v %v", moved.Feed, err)
	}
	list, err := r.List(ctx)
	if err != nil || len(list) != 1 || list[0].Key != registry.Key("https://new.example/rss") {
		t.Fatalf("after move: %+v %v", list, err)
	}
	// Moving onto a registered feed just drops the old record.
	other, _, _ := r.Add(ctx, registry.Feed{URL: "https://third.example/rss"}, now)
	if _, err := r.Move(ctx, other, "https://new.example/rss", now); err != nil {
		t.Fatal(err)
	}
	if list, _ := r.List(ctx); len(list) != 1 || list[0].Feed.Name != "N" {
		t.Errorf("after merge: %+v", list)
	}
}
