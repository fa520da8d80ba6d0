package service

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthcheckURL(t *testing.T) {
	cases := []struct {
		listen, path, want string
		err                bool
	}{
		{":8080", "/readyz", "http://127.0.0.1:8080/readyz", false},
		{"0.0.0.0:8081", "healthz", "http://127.0.0.1:8081/healthz", false},
		{"[::]:8082", "/readyz", "http://127.0.0.1:8082/readyz", false},
		{"127.0.0.1:9000", "/readyz", "http://127.0.0.1:9000/readyz", false},
		{"8080", "/readyz", "", true},
	}
	for _, c := range cases {
		t.Run(c.listen, func(t *testing.T) {
			got, err := HealthcheckURL(c.listen, c.path)
			if (err != nil) != c.err || got != c.want {
				t.Fatalf("HealthcheckURL(%q, %q) = %q, %v; want %q (error %v)", c.listen, c.path, got, err, c.want, c.err)
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	ready := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !ready {
			http.Error(w, `{"ready":false}`, http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := Healthcheck(context.Background(), srv.URL); err != nil {
		t.Fatalf("ready server: %v", err)
	}
	ready = false
	if err := Healthcheck(context.Background(), srv.URL); !errors.Is(err, ErrUnhealthy) {
		t.Fatalf("unready server: got %v, want ErrUnhealthy", err)
	}
	srv.Close()
	if err := Healthcheck(context.Background(), srv.URL); err == nil || errors.Is(err, ErrUnhealthy) {
		t.Fatalf("closed server: got %v, want a connection error", err)
	}
}
