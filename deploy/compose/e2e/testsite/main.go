// Command testsite serves generated news feeds and article pages for the
// Compose end-to-end test, from a container on the stack's network. Each host
// name it is reached by (site-0 … site-9, network aliases) is one news site
// with one RSS feed; POST /control?items=N makes every feed list N items, so
// the test decides when articles appear.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/newsflow/newsflow/deploy/compose/e2e/sitegen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		if err := healthcheck(); err != nil {
			fmt.Fprintln(os.Stderr, "testsite:", err)
			os.Exit(1)
		}
		return
	}
	addr := flag.String("http", ":8080", "listen address")
	flag.Parse()
	var items atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /control", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("items"))
		if err != nil || n < 0 || n > sitegen.MaxItems {
			http.Error(w, "items: want 0.."+strconv.Itoa(sitegen.MaxItems), http.StatusBadRequest)
			return
		}
		items.Store(int64(n))
		fmt.Fprintf(w, "items=%d\n", n)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("GET /", sitegen.Handler(func() int { return int(items.Load()) }))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "testsite:", err)
		os.Exit(1)
	}
}

func healthcheck() error {
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://127.0.0.1:8080/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}
