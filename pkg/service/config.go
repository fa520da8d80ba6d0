package service

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// EnvPrefix is the prefix of the environment variable behind every flag:
// --nats-url can be set with NEWSFLOW_NATS_URL.
const EnvPrefix = "NEWSFLOW_"

// envAliases are conventional names read as well as the prefixed ones.
var envAliases = map[string]string{"nats-url": "NATS_URL", "nats-creds": "NATS_CREDS"}

// EnvName is the environment variable that sets the flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ParseFlags applies environment variables to fs and then parses args, so a
// flag on the command line beats the environment, which beats the default.
func ParseFlags(fs *flag.FlagSet, args []string) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		names := []string{EnvName(f.Name)}
		if a, ok := envAliases[f.Name]; ok {
			names = append([]string{a}, names...)
		}
		for _, n := range names {
			if v, ok := os.LookupEnv(n); ok {
				if err := fs.Set(f.Name, v); err != nil {
					errs = append(errs, fmt.Errorf("env %s=%q: %w", n, v, err))
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return fs.Parse(args)
}

// Common is the configuration every service binary shares.
type Common struct {
	// NATSURL is where to connect (comma-separated list for a cluster).
	NATSURL string
	// NATSCreds is an optional credentials file (JWT + nkey).
	NATSCreds string
	// NATSUser and NATSPassword are optional user credentials.
	NATSUser, NATSPassword string
	// LogFormat is "json" (production) or "console" (humans).
	LogFormat string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// HTTPAddr serves /healthz, /readyz and /metrics ("" disables it).
	HTTPAddr string
	// Provision creates or updates the streams this service uses at start.
	// Turn it off where an admin user provisions and services may not.
	Provision bool
	// StreamReplicas is the replica count of provisioned streams: 1 on one
	// server, 3 on a cluster.
	StreamReplicas int
	// StreamCompression is how provisioned page and article streams are
	// stored: s2 (or empty) or none; see StreamOptions.Uncompressed.
	StreamCompression string
	// NATSInboxPrefix replaces _INBOX for this connection's replies, so a
	// least-privilege user may subscribe to its own inboxes only.
	NATSInboxPrefix string
}

// RegisterFlags defines the common flags on fs with their defaults.
func (c *Common) RegisterFlags(fs *flag.FlagSet, defaultHTTP string) {
	fs.StringVar(&c.NATSURL, "nats-url", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated (env NATS_URL)")
	fs.StringVar(&c.NATSCreds, "nats-creds", "", "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&c.NATSUser, "nats-user", "", "NATS user")
	fs.StringVar(&c.NATSPassword, "nats-password", "", "NATS password")
	c.RegisterLogFlags(fs)
	fs.StringVar(&c.HTTPAddr, "http", defaultHTTP, "address for /healthz, /readyz and /metrics (empty: off)")
	fs.BoolVar(&c.Provision, "provision", true, "create or update the JetStream streams and consumers at start")
	fs.IntVar(&c.StreamReplicas, "stream-replicas", 1, "replicas of provisioned streams and buckets (1, or 3 on a cluster)")
	fs.StringVar(&c.StreamCompression, "stream-compression", CompressionS2, CompressionUsage)
	fs.StringVar(&c.NATSInboxPrefix, "nats-inbox-prefix", "", "reply subject prefix instead of _INBOX (match the user's permissions)")
}

// RegisterLogFlags defines only --log-format and --log-level.
func (c *Common) RegisterLogFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.LogFormat, "log-format", "json", "log format: json or console")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
}

// Validate reports what is wrong with c.
func (c *Common) Validate() error {
	var errs []error
	if c.NATSURL == "" {
		errs = append(errs, errors.New("nats-url is empty"))
	}
	if c.StreamReplicas < 0 || c.StreamReplicas > 5 {
		errs = append(errs, fmt.Errorf("stream-replicas %d: want 1 to 5", c.StreamReplicas))
	}
	if _, err := ParseCompression(c.StreamCompression); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		errs = append(errs, fmt.Errorf("log-format %q: want json or console", c.LogFormat))
	}
	return errors.Join(errs...)
}
