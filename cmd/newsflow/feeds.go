package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher"
	"github.com/newsflow/newsflow/services/fetcher/opml"
	"github.com/newsflow/newsflow/services/fetcher/registry"
	"go.uber.org/zap"
)

const feedsUsage = `Usage: newsflow feeds COMMAND [flags]

Manage the feed registry of a running newsflow (the fetchers pick changes up
at once; no restart):

  add URL [--name N] [--tag T]...  register a feed; given a site's HTML page, the
                                   feed it announces (<link rel="alternate">).
                                   --no-discover registers URL as given, unfetched;
                                   --allow-private-networks lets URL be on loopback
                                   or a private network
  rm URL|KEY                       remove a feed
  list [--json]                    state, last poll, next due, items seen, last error
  pause URL|KEY                    stop polling a feed
  resume URL|KEY                   poll a paused or dead feed again, now
  import FILE.opml                 register every feed of an OPML file
  export                           print the registry as OPML 2.0

Flags of every command: --nats-url (default nats://127.0.0.1:4222, where
"newsflow run" listens), --nats-creds, --nats-user, --nats-password, --timeout.
`

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func cmdFeeds(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, feedsUsage)
		if len(args) == 0 {
			return errors.New("missing command")
		}
		return nil
	}
	sub := args[0]
	fs := flag.NewFlagSet("feeds "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var nc service.Common
	fs.StringVar(&nc.NATSURL, "nats-url", "nats://127.0.0.1:4222", "NATS server URL(s), comma-separated (env NATS_URL)")
	fs.StringVar(&nc.NATSCreds, "nats-creds", "", "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&nc.NATSUser, "nats-user", "", "NATS user")
	fs.StringVar(&nc.NATSPassword, "nats-password", "", "NATS password")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	name := fs.String("name", "", "add: the feed's name")
	var tags stringList
	fs.Var(&tags, "tag", "add: a tag (repeatable)")
	asJSON := fs.Bool("json", false, "list: one JSON record a line")
	noDiscover := fs.Bool("no-discover", false, "add: register the URL as given, without fetching it to find its feed")
	allowPrivate := fs.Bool("allow-private-networks", false, "add: allow fetching the URL from loopback and private addresses")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "rm": 1, "pause": 1, "resume": 1, "import": 1, "list": 0, "export": 0}
	n, ok := want[sub]
	if !ok {
		fmt.Fprint(stderr, feedsUsage)
		return fmt.Errorf("unknown command %q", sub)
	}
	if len(pos) != n {
		return fmt.Errorf("%s takes %d argument(s), got %d", sub, n, len(pos))
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	conn, err := service.Connect(nc, "newsflow-feeds", zap.NewNop())
	if err != nil {
		return err
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		return err
	}
	reg, err := registry.Open(ctx, js)
	if err != nil {
		return err
	}
	now := time.Now()
	switch sub {
	case "add":
		feedURL, err := discover(ctx, pos[0], !*noDiscover, *allowPrivate, stdout, stderr)
		if err != nil {
			return err
		}
		e, created, err := reg.Add(ctx, registry.Feed{URL: feedURL, Name: *name, Tags: tags}, now)
		if err != nil {
			return err
		}
		if !created {
			fmt.Fprintf(stdout, "already registered: %s %s (%s)\n", e.Key, e.Feed.URL, e.Feed.State)
			return nil
		}
		fmt.Fprintf(stdout, "registered %s %s\n", e.Key, e.Feed.URL)
	case "rm":
		e, err := reg.Find(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := reg.Remove(ctx, e.Key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s %s\n", e.Key, e.Feed.URL)
	case "pause", "resume":
		e, err := reg.Find(ctx, pos[0])
		if err != nil {
			return err
		}
		if sub == "pause" {
			e, err = reg.Pause(ctx, e.Key)
		} else {
			e, err = reg.Resume(ctx, e.Key, now)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s: %s\n", e.Key, e.Feed.URL, e.Feed.State)
	case "list":
		list, err := reg.List(ctx)
		if err != nil {
			return err
		}
		return printFeeds(stdout, list, now, *asJSON)
	case "import":
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		feeds, err := opml.Parse(f)
		if err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		added, known, bad := 0, 0, 0
		for _, o := range feeds {
			_, created, err := reg.Add(ctx, registry.Feed{URL: o.URL, Name: o.Title, Tags: o.Tags}, now)
			switch {
			case errors.Is(err, registry.ErrInvalidURL):
				bad++
				fmt.Fprintf(stderr, "skipped: %v\n", err)
			case err != nil:
				return err
			case created:
				added++
			default:
				known++
			}
		}
		fmt.Fprintf(stdout, "imported %d feeds (%d already registered, %d skipped)\n", added, known, bad)
	case "export":
		list, err := reg.List(ctx)
		if err != nil {
			return err
		}
		out := make([]opml.Feed, 0, len(list))
		for _, e := range list {
			out = append(out, opml.Feed{URL: e.Feed.URL, Title: e.Feed.Name, Tags: e.Feed.Tags})
		}
		return opml.Write(stdout, "newsflow feeds", out, now)
	}
	return nil
}

// discoverTimeout bounds the fetch of a URL given to feeds add.
const discoverTimeout = 15 * time.Second

// discover returns the feed to register for rawURL: rawURL itself when it
// is a feed, or the feed the HTML page at rawURL announces. When the URL
// cannot be fetched from here (another network, a server down) it says so
// and returns rawURL as given: the fetcher finds a page's feed at its first
// poll. A page that announces no feed is an error.
func discover(ctx context.Context, rawURL string, fetch, allowPrivate bool, stdout, stderr io.Writer) (string, error) {
	if _, err := registry.NormalizeURL(rawURL); err != nil || !fetch {
		return rawURL, err
	}
	ctx, cancel := context.WithTimeout(ctx, discoverTimeout)
	defer cancel()
	d, err := fetcher.DiscoverFeed(ctx, rawURL, fetcher.DiscoverOptions{AllowPrivate: allowPrivate, Timeout: discoverTimeout})
	switch {
	case err == nil:
		if d.Page != "" {
			fmt.Fprintf(stdout, "found feed %s announced by %s\n", d.URL, d.Page)
		}
		return d.URL, nil
	case errors.Is(err, fetcher.ErrNoFeed):
		return "", fmt.Errorf("%w (--no-discover registers it anyway)", err)
	default:
		hint := ""
		if errors.Is(err, fetcher.ErrBlockedAddress) {
			hint = " (--allow-private-networks allows it)"
		}
		fmt.Fprintf(stderr, "could not fetch %s to check it: %v%s; registering it as given\n", rawURL, err, hint)
		return rawURL, nil
	}
}

// parseInterspersed parses flags wherever they stand among the arguments
// (the flag package stops at the first non-flag) and returns the others.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := service.ParseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func printFeeds(w io.Writer, list []registry.Entry, now time.Time, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, e := range list {
			if err := enc.Encode(struct {
				Key string `json:"key"`
				registry.Feed
			}{e.Key, e.Feed}); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSTATE\tLAST POLL\tRESULT\tNEXT DUE\tITEMS\tNAME\tURL\tLAST ERROR")
	for _, e := range list {
		f := e.Feed
		next := "-"
		if f.State.Pollable() {
			next = rel(f.NextDue, now)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.Key[:8], f.State, rel(f.LastPoll, now), dash(f.LastResult),
			next, f.ItemsSeen, dash(f.Name), f.URL, dash(trim(f.LastError, 80)))
	}
	return tw.Flush()
}

// rel shows a time relative to now, to the second ("-" when zero).
func rel(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := t.Sub(now).Round(time.Second)
	switch {
	case d == 0:
		return "now"
	case d > 0:
		return "in " + d.String()
	default:
		return (-d).String() + " ago"
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func trim(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
