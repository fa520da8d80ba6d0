package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/cmd/newsflow/internal/app"
	"github.com/newsflow/newsflow/pkg/events"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/pkg/service/embedded"
	"go.uber.org/zap"
)

// pipelineUnderTest is the pipeline a benchmark drives: run starts it and
// returns the JetStream context to watch; stop ends it and reports what each
// separate process used.
type pipelineUnderTest interface {
	run(ctx context.Context) (jetstream.JetStream, error)
	stop() ([]stageUsage, error)
}

// stageUsage is the CPU time and peak memory of one service process.
type stageUsage struct {
	name   string
	cpu    time.Duration
	maxRSS int64
}

// inProcess is the all-in-one app.
type inProcess struct {
	a       *app.App
	log     *zap.Logger
	stopRun func() error
}

func startInProcess(ctx context.Context, r *runFlags) (*inProcess, error) {
	a, log, err := r.open(ctx)
	if err != nil {
		return nil, err
	}
	return &inProcess{a: a, log: log}, nil
}

func (p *inProcess) run(ctx context.Context) (jetstream.JetStream, error) {
	p.stopRun = runInBackground(ctx, p.a)
	return p.a.JetStream(), nil
}

func (p *inProcess) stop() ([]stageUsage, error) {
	var err error
	if p.stopRun != nil {
		err = p.stopRun()
	}
	p.a.Close()
	_ = p.log.Sync()
	return nil, err
}

// processes runs the three service binaries against one embedded NATS
// server that listens on loopback.
type processes struct {
	srv   *embedded.Server
	js    jetstream.JetStream
	cmds  map[string]*exec.Cmd
	order []string
	// backlog > 0 starts each stage only once the one before it has
	// published that many messages, so every stage starts with a full
	// backlog in front of it (a memory bound test, not a throughput one).
	backlog int
	log     io.Writer
}

func startProcesses(ctx context.Context, r *runFlags, dir string, backlog int, stderr io.Writer) (*processes, error) {
	srv, err := embedded.Start(embedded.Options{
		StoreDir: filepath.Join(r.app.DataDir, "nats"), Listen: "127.0.0.1:0",
		SyncInterval: r.app.SyncInterval, SyncAlways: r.app.SyncAlways,
	})
	if err != nil {
		return nil, err
	}
	nc, err := srv.Connect("bench")
	if err != nil {
		srv.Stop()
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err == nil {
		err = service.EnsureStreams(ctx, js, r.app.StreamOptions())
	}
	if err != nil {
		srv.Stop()
		return nil, err
	}
	url := srv.ClientURL()
	common := []string{"--nats-url", url, "--http", "", "--log-level", "warn", "--stream-compression", r.app.StreamCompression}
	p := &processes{srv: srv, js: js, cmds: map[string]*exec.Cmd{}, order: []string{"fetcher", "parser", "indexer"}, backlog: backlog, log: stderr}
	args := map[string][]string{
		"fetcher": {"--feed", strings.Join(r.app.Fetcher.Feeds, ","), "--allow-private-networks", "--host-delay", "0s", "--host-concurrency", "0",
			"--poll-interval", r.app.Fetcher.PollInterval.String(), "--min-interval", r.app.Fetcher.MinInterval.String(), "--max-interval", r.app.Fetcher.MaxInterval.String()},
		"parser":  nil,
		"indexer": {"--index-dir", filepath.Join(r.app.DataDir, "index")},
	}
	for _, name := range p.order {
		cmd := exec.Command(filepath.Join(dir, name), append(append([]string(nil), common...), args[name]...)...)
		cmd.Stdout, cmd.Stderr = stderr, stderr
		p.cmds[name] = cmd
	}
	return p, nil
}

func (p *processes) run(ctx context.Context) (jetstream.JetStream, error) {
	// In backlog mode a stage starts once the stream it reads holds the
	// whole backlog.
	input := map[string]string{"parser": events.StreamPages, "indexer": events.StreamArticles}
	for _, name := range p.order {
		if in := input[name]; p.backlog > 0 && in != "" {
			start := time.Now()
			for streamMsgs(ctx, p.js, in) < uint64(p.backlog) {
				select {
				case <-ctx.Done():
					return nil, fmt.Errorf("bench: waiting for a backlog of %d on %s: %w", p.backlog, in, ctx.Err())
				case <-time.After(100 * time.Millisecond):
				}
			}
			fmt.Fprintf(p.log, "bench: backlog of %d messages on %s after %s; starting the %s\n", p.backlog, in, time.Since(start).Round(time.Millisecond), name)
		}
		if err := p.cmds[name].Start(); err != nil {
			return nil, fmt.Errorf("bench: start %s: %w", name, err)
		}
	}
	return p.js, nil
}

func (p *processes) stop() ([]stageUsage, error) {
	var errs []error
	var out []stageUsage
	for _, name := range p.order {
		cmd := p.cmds[name]
		if cmd.Process == nil {
			continue
		}
		// The peak RSS from wait4 starts at the parent's (Linux keeps
		// ru_maxrss across fork and exec): read the child's own VmHWM first.
		hwm := vmHWM(cmd.Process.Pid)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			out = append(out, stageUsage{name: name, cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), maxRSS: hwm})
		}
	}
	p.srv.Stop()
	return out, errors.Join(errs...)
}

// vmHWM is a process's peak resident set size in bytes, from
// /proc/<pid>/status (0 where that is not available).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
