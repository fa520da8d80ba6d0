package service

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// ErrUnhealthy is returned by Healthcheck when the server answered but not
// with 200 OK.
var ErrUnhealthy = errors.New("unhealthy")

// HealthcheckURL turns a listen address (":8080", "0.0.0.0:8080",
// "127.0.0.1:8080") and a path into the loopback URL a container health check
// asks: images built FROM scratch have no shell and no curl, so the binary
// checks itself.
func HealthcheckURL(listen, path string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("healthcheck: address %q: %w", listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

// Healthcheck GETs url with a short timeout and returns nil only for 200 OK.
func Healthcheck(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: %w: %s: %s", url, ErrUnhealthy, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// healthcheckCommand is the `healthcheck [--path /readyz]` subcommand of a
// service binary. It reads --http (and its environment variable) the way the
// service does, so the check asks the port the service listens on.
func healthcheckCommand(name, defaultHTTP string, args []string) error {
	if defaultHTTP == "" {
		defaultHTTP = ":8080" // as run does
	}
	fs := flag.NewFlagSet(name+" healthcheck", flag.ContinueOnError)
	addr := fs.String("http", defaultHTTP, "address the service listens on")
	path := fs.String("path", "/readyz", "path to ask: /healthz (alive) or /readyz (ready)")
	if err := ParseFlags(fs, args); err != nil {
		return err
	}
	url, err := HealthcheckURL(*addr, *path)
	if err != nil {
		return err
	}
	return Healthcheck(context.Background(), url)
}
