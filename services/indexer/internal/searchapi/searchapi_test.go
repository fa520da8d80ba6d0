package searchapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/services/indexer/internal/index"
	"github.com/newsflow/newsflow/services/indexer/internal/searchapi"
	"github.com/newsflow/newsflow/services/indexer/internal/searchtest"
)

// TestAPIBleve runs the backend-neutral API suite over the embedded index
// (internal/pgindex runs it over PostgreSQL).
func TestAPIBleve(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) searchtest.Store {
		ix, err := index.Open("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ix.Close() })
		return ix
	})
}

func TestInternalErrorHidesDetails(t *testing.T) {
	// A closed index fails every call: the client sees a plain 500.
	ix, err := index.Open("")
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(searchapi.Handler(ix, zaptest.NewLogger(t)))
	defer srv.Close()
	for _, p := range []string{"/v1/search?q=x", "/v1/articles/abc", "/v1/stats"} {
		status, _, body := searchtest.Get(t, srv.URL+p)
		if status != http.StatusInternalServerError || strings.TrimSpace(string(body)) != `{"error":"internal error"}` {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
}
