package main

import (
	"errors"
	"flag"

	"github.com/newsflow/newsflow/pkg/service"
	"go.uber.org/zap"
)

// parseOperatorFlags parses the flags of an operator command that talks to
// NATS (environment first, then args), rejects stray arguments, validates
// the common settings and returns the command's logger; the caller syncs it.
func parseOperatorFlags(fs *flag.FlagSet, c *service.Common, args []string) (*zap.Logger, error) {
	if err := service.ParseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, errors.New("unexpected arguments: " + fs.Arg(0))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return service.NewLogger(c.LogFormat, c.LogLevel)
}
