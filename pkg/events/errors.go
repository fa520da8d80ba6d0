package events

import "errors"

// Sentinel errors, for errors.Is.
var (
	// ErrInvalid is wrapped by every validation failure of a message.
	ErrInvalid = errors.New("invalid message")
	// ErrSchemaVersion means a message carries a schema version this package
	// cannot read.
	ErrSchemaVersion = errors.New("unsupported schema version")
	// ErrNoHost means a URL has no host.
	ErrNoHost = errors.New("url has no host")
)
