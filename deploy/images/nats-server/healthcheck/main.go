// Command nats-healthcheck is the container health check of the NATS image
// built FROM scratch: it asks the server's monitoring endpoint /healthz
// (JetStream included) on loopback and exits 0 only on 200 OK.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8222/healthz", "health endpoint of the local NATS server")
	flag.Parse()
	if err := check(*url); err != nil {
		fmt.Fprintln(os.Stderr, "nats-healthcheck:", err)
		os.Exit(1)
	}
}

func check(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}
