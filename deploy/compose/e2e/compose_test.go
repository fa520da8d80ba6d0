package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stack drives one Compose project through the docker CLI: `docker compose`
// when the plugin exists, else `docker-compose` (v1).
type stack struct {
	t       *testing.T
	cmd     []string // compose command and its global flags
	env     []string
	project string
}

// composeCommand finds a Compose implementation; NEWSFLOW_COMPOSE
// ("docker-compose" or "docker compose") picks one.
func composeCommand(ctx context.Context) ([]string, error) {
	candidates := [][]string{{"docker", "compose"}, {"docker-compose"}}
	if c := os.Getenv("NEWSFLOW_COMPOSE"); c != "" {
		candidates = [][]string{strings.Fields(c)}
	}
	for _, c := range candidates {
		if _, err := exec.LookPath(c[0]); err != nil {
			continue
		}
		args := append(append([]string{}, c[1:]...), "version")
		if exec.CommandContext(ctx, c[0], args...).Run() == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("neither `docker compose` nor `docker-compose` works")
}

func newStack(t *testing.T, compose []string, project string, env []string, files ...string) *stack {
	cmd := append([]string{}, compose...)
	cmd = append(cmd, "--project-name", project)
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		cmd = append(cmd, "--file", abs)
	}
	return &stack{t: t, cmd: cmd, env: env, project: project}
}

// run runs one compose subcommand and returns its standard output.
func (s *stack) run(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	all := append(append([]string{}, s.cmd[1:]...), args...)
	c := exec.CommandContext(ctx, s.cmd[0], all...)
	c.Env = append(os.Environ(), s.env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", s.cmd[0], strings.Join(args, " "), err, tail(errb.String(), 3000))
	}
	return out.String(), nil
}

// port returns the published 127.0.0.1:port of a service's container port.
func (s *stack) port(ctx context.Context, service string, port int) string {
	s.t.Helper()
	out, err := s.run(ctx, time.Minute, "port", service, fmt.Sprint(port))
	if err != nil {
		s.t.Fatal(err)
	}
	addr := strings.TrimSpace(out)
	if addr == "" || strings.HasSuffix(addr, ":0") {
		s.t.Fatalf("%s:%d is not published: %q", service, port, addr)
	}
	return strings.Replace(addr, "0.0.0.0:", "127.0.0.1:", 1)
}

// container returns the id of a service's container.
func (s *stack) container(ctx context.Context, service string) string {
	s.t.Helper()
	out, err := s.run(ctx, time.Minute, "ps", "-q", service)
	if err != nil {
		s.t.Fatal(err)
	}
	id := strings.TrimSpace(out)
	if id == "" || strings.Contains(id, "\n") {
		s.t.Fatalf("service %s: want one container, got %q", service, id)
	}
	return id
}

// docker runs a plain docker command.
func docker(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
