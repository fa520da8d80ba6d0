package fetcher_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/service/servicetest"
	"github.com/newsflow/newsflow/services/fetcher"
)

// TestBucketsAreWhatTheFetcherCreates: the buckets a fetcher creates for
// itself are exactly those Buckets lists (what newsflow provision creates
// where the fetcher may not), with the same settings.
func TestBucketsAreWhatTheFetcherCreates(t *testing.T) {
	js := servicetest.JetStream(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, emptyFeed, "x")
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig()
	cfg.HostConcurrency, cfg.HostDelay = 2, time.Millisecond
	cfg.SeenTTL = 48 * time.Hour
	f, _ := newFetcher(t, js, cfg)
	ctx := context.Background()
	if _, err := f.PollOnce(ctx, srv.URL+"/feed"); err != nil {
		t.Fatal(err)
	}
	var created []string
	for name := range js.StreamNames(ctx).Name() {
		if b, ok := strings.CutPrefix(name, "KV_"); ok {
			created = append(created, b)
		}
	}
	slices.Sort(created)
	var listed []string
	for _, want := range fetcher.Buckets(1, cfg.SeenTTL) {
		listed = append(listed, want.Bucket)
		kv, err := js.KeyValue(ctx, want.Bucket)
		if err != nil {
			t.Errorf("bucket %s: %v", want.Bucket, err)
			continue
		}
		st, err := kv.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.TTL() != want.TTL || st.History() != int64(want.History) {
			t.Errorf("bucket %s: TTL %s history %d, Buckets says %s and %d", want.Bucket, st.TTL(), st.History(), want.TTL, want.History)
		}
	}
	slices.Sort(listed)
	if !slices.Equal(created, listed) {
		t.Errorf("the fetcher created buckets %v, Buckets lists %v", created, listed)
	}
	if got := fetcher.Buckets(3, 0); got[0].Replicas != 3 || got[1].TTL != 30*24*time.Hour {
		t.Errorf("Buckets(3, 0) = %+v", got)
	}
}
