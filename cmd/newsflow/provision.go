package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/newsflow/newsflow/pkg/service"
	"github.com/newsflow/newsflow/services/fetcher"
	"go.uber.org/zap"
)

// cmdProvision creates or updates the pipeline's streams and the fetcher's
// key-value bucket on a NATS server or cluster, as the admin user. Where the
// services run with least-privilege users (--provision=false), this is the
// only step that may create streams; each service then creates and updates
// only its own durable consumer.
func cmdProvision(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c service.Common
	c.RegisterFlags(fs, "")
	seenTTL := fs.Duration("seen-ttl", 30*24*time.Hour, "how long the fetcher remembers a published item (bucket "+fetcher.SeenBucket+")")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long (a cluster may still be electing leaders)")
	log, err := parseOperatorFlags(fs, &c, args)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	log = log.Named("provision")
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	nc, err := service.Connect(c, "newsflow-provision", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	opts := c.StreamOptions()
	// Right after a cluster forms, JetStream answers "no meta leader" for a
	// few seconds: retry until the deadline rather than fail the deployment.
	for {
		err = provision(ctx, js, opts, *seenTTL)
		if err == nil {
			break
		}
		log.Warn("provision failed, retrying", zap.Error(err))
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(2 * time.Second):
		}
	}
	fmt.Fprintf(stdout, "provisioned streams and buckets with %d replica(s)\n", opts.Replicas)
	return nil
}

func provision(ctx context.Context, js jetstream.JetStream, o service.StreamOptions, seenTTL time.Duration) error {
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := service.EnsureStreams(rctx, js, o); err != nil {
		return err
	}
	// The fetcher's user may not create streams, so its buckets must exist
	// before it starts: the same list it would create itself.
	for _, kv := range fetcher.Buckets(o.Replicas, seenTTL) {
		if _, err := service.EnsureKV(rctx, js, kv); err != nil {
			return err
		}
	}
	return nil
}
