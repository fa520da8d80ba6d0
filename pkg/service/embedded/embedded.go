// Package embedded starts a NATS server with JetStream inside the process:
// the all-in-one binary's default and every test's real broker. It lives
// apart from package service so that service binaries that only connect do
// not link the server.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure the embedded server.
type Options struct {
	// StoreDir is where JetStream keeps its files.
	StoreDir string
	// Listen is host:port for outside clients ("" accepts none: in-process
	// connections only).
	Listen string
	// MaxPayload is the largest message; 8 MiB by default, since raw pages
	// can exceed NATS's 1 MiB default.
	MaxPayload int32
	// SyncInterval is how often JetStream fsyncs (0: the server default of
	// two minutes; see the durability notes in BENCHMARKS.md).
	SyncInterval time.Duration
	// SyncAlways fsyncs every write: slow, but no acked message is lost on power loss.
	SyncAlways bool
}

// Server is a running embedded NATS server.
type Server struct {
	*server.Server
}

// Start starts the server and waits until it accepts connections.
func Start(o Options) (*Server, error) {
	if o.StoreDir == "" {
		return nil, errors.New("embedded nats: StoreDir is required")
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = 8 << 20
	}
	opts := &server.Options{
		ServerName:         "newsflow",
		JetStream:          true,
		StoreDir:           o.StoreDir,
		MaxPayload:         o.MaxPayload,
		NoSigs:             true,
		SyncInterval:       o.SyncInterval,
		SyncAlways:         o.SyncAlways,
		JetStreamMaxMemory: 256 << 20,
	}
	if o.Listen == "" {
		opts.DontListen = true
	} else {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: listen %q: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("embedded nats: port %q: %w", port, err)
		}
		if p == 0 {
			p = server.RANDOM_PORT
		}
		opts.Host, opts.Port = host, p
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("embedded nats: not ready within 10s")
	}
	return &Server{Server: s}, nil
}

// InProcess is the connect option that talks to the server without TCP.
func (s *Server) InProcess() nats.Option { return nats.InProcessServer(s.Server) }

// Connect returns an in-process client connection.
func (s *Server) Connect(name string) (*nats.Conn, error) {
	return nats.Connect(s.ClientURL(), nats.Name(name), s.InProcess(), nats.MaxReconnects(-1))
}

// Stop shuts the server down and waits for it.
func (s *Server) Stop() {
	s.Shutdown()
	s.WaitForShutdown()
}

// ForTest starts a server for tb in a temporary directory, listening on a
// free loopback port, and stops it when the test ends.
func ForTest(tb testing.TB) *Server {
	tb.Helper()
	s, err := Start(Options{StoreDir: tb.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}
