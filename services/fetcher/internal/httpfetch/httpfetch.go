// Package httpfetch is the fetcher's one outbound HTTP client, for feeds and
// pages alike, so that timeouts, size limits, redirects, conditional requests
// and the SSRF defence are enforced in one place.
//
// Every network read is bounded: connect, time to headers and the whole
// request each have a timeout, and the body is limited after decompression,
// so neither a slow-drip server nor a gzip bomb can hold a worker or its
// memory.
package httpfetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults for zero Options fields.
const (
	DefaultUserAgent      = "newsflow/0.1 (+https://github.com/newsflow/newsflow)"
	DefaultConnectTimeout = 5 * time.Second
	DefaultHeaderTimeout  = 10 * time.Second
	DefaultTotalTimeout   = 30 * time.Second
	DefaultMaxBytes       = 5 << 20
	DefaultMaxRedirects   = 5
)

// Sentinel errors, for errors.Is.
var (
	// ErrBlockedAddress means the request would have connected to a
	// loopback, private or otherwise internal address (SSRF defence).
	ErrBlockedAddress = errors.New("blocked address")
	// ErrTooLarge means the decoded body exceeds the byte limit and the
	// request did not allow truncation.
	ErrTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects means the redirect limit was exceeded.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirectLoop means a redirect led back to a URL already visited.
	// It wraps ErrTooManyRedirects, so callers that only care that the
	// redirects went nowhere can test for that.
	ErrRedirectLoop = fmt.Errorf("redirect loop: %w", ErrTooManyRedirects)
	// ErrStatus is matched by every *StatusError: a response that was neither
	// 2xx nor 304.
	ErrStatus = errors.New("unexpected HTTP status")
	// ErrTimeout means the connect, header or total timeout expired (not the
	// caller's own context, whose error is returned as it is).
	ErrTimeout = errors.New("timeout")
	// ErrInvalidURL means the URL is not an absolute http(s) URL.
	ErrInvalidURL = errors.New("invalid URL")
)

// StatusError is returned for a response that is neither 2xx nor 304.
// errors.Is(err, ErrStatus) matches it.
type StatusError struct {
	Code int
	// RetryAfter is the server's Retry-After (seconds or HTTP date) as a
	// duration from now; 0 when absent or unparseable.
	RetryAfter time.Duration
}

// Error implements error.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("HTTP status %d %s", e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return s
}

// Is makes errors.Is(err, ErrStatus) true for every StatusError.
func (e *StatusError) Is(target error) bool { return target == ErrStatus }

// Options configures a Client. Zero fields take the defaults above.
type Options struct {
	UserAgent      string
	ConnectTimeout time.Duration // dial, and TLS handshake
	HeaderTimeout  time.Duration // from request written to response headers
	TotalTimeout   time.Duration // whole request including the body: cuts a slow drip
	MaxBytes       int64         // body limit after decompression
	MaxRedirects   int           // redirects followed; loops are refused at once
	// AllowPrivate permits connecting to loopback, private, link-local and
	// other internal addresses (see IsBlockedAddr). Leave it false in
	// production: the check runs on every dialled address, so it also
	// covers redirects and DNS rebinding. Tests against httptest servers on
	// 127.0.0.1 set it.
	AllowPrivate bool
	// Resolve maps host names to the address to dial instead, like curl's
	// --resolve: "www.rt.com" -> "127.0.0.1:8080". A value without a port
	// keeps the URL's port. It lets demos and tests serve real host names
	// from a local server; the address checks still apply to the address
	// dialled, so it cannot open a way around AllowPrivate.
	Resolve map[string]string
	// IdleConnsPerHost is how many idle connections to one host are kept
	// for reuse (0: 4). Match it to the requests at once to one host, or a
	// busy host costs a new connection per request.
	IdleConnsPerHost int
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = DefaultHeaderTimeout
	}
	if o.TotalTimeout <= 0 {
		o.TotalTimeout = DefaultTotalTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.IdleConnsPerHost <= 0 {
		o.IdleConnsPerHost = 4
	}
	return o
}

// Client fetches URLs with the limits of its Options. It is safe for
// concurrent use and should be shared, so connections are reused.
type Client struct {
	opts Options
	tr   *http.Transport
	hc   *http.Client
}

// New returns a Client configured by o.
func New(o Options) *Client {
	o = o.withDefaults()
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		d.Control = controlBlockPrivate
	}
	dial := d.DialContext
	if len(o.Resolve) > 0 {
		dial = resolvingDialer(d, o.Resolve)
	}
	tr := &http.Transport{
		// No proxy from the environment: with a proxy the dialled address is
		// the proxy's, and the SSRF check would no longer see the target.
		Proxy:                  nil,
		DialContext:            dial,
		ForceAttemptHTTP2:      true, // a custom DialContext turns HTTP/2 off otherwise
		TLSHandshakeTimeout:    o.ConnectTimeout,
		ResponseHeaderTimeout:  o.HeaderTimeout,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    o.IdleConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 256 << 10,
		// Compression stays on: the transport asks for gzip and decodes it,
		// and the size limit is applied to what it decodes.
		DisableCompression: false,
	}
	c := &Client{opts: o, tr: tr}
	c.hc = &http.Client{
		Transport:     tr,
		CheckRedirect: c.checkRedirect,
		// No Timeout here: the total timeout is a context deadline, so the
		// caller's own context and ours combine and the cause is known.
	}
	return c
}

// resolvingDialer dials the address Resolve gives for a host, else the
// address asked for.
func resolvingDialer(d *net.Dialer, resolve map[string]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	m := make(map[string]string, len(resolve))
	for h, a := range resolve {
		m[strings.ToLower(strings.TrimSuffix(h, "."))] = a
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return d.DialContext(ctx, network, addr)
		}
		if to, ok := m[strings.ToLower(strings.TrimSuffix(host, "."))]; ok {
			if _, _, err := net.SplitHostPort(to); err != nil {
				to = net.JoinHostPort(to, port)
			}
			addr = to
		}
		return d.DialContext(ctx, network, addr)
	}
}

// CloseIdleConnections closes idle keep-alive connections, for shutdown.
func (c *Client) CloseIdleConnections() { c.tr.CloseIdleConnections() }

// redirectsKey carries a request's *redirectTrail in its context, so the
// shared CheckRedirect can record each hop of that request.
type redirectsKey struct{}

// redirectTrail records whether every redirect so far was permanent, and
// where the permanent ones led.
type redirectTrail struct {
	permanentURL string
	broken       bool // a temporary redirect came first
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	next := req.URL.String()
	if t, ok := req.Context().Value(redirectsKey{}).(*redirectTrail); ok && !t.broken {
		// req.Response is the redirect that led here.
		if r := req.Response; r != nil && (r.StatusCode == http.StatusMovedPermanently || r.StatusCode == http.StatusPermanentRedirect) {
			t.permanentURL = next
		} else {
			t.broken = true
		}
	}
	for _, v := range via {
		if v.URL.String() == next {
			return fmt.Errorf("%w: back to %s", ErrRedirectLoop, next)
		}
	}
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.opts.MaxRedirects)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s: %w", next, ErrInvalidURL)
	}
	return nil
}

// Request is one GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators of the copy the caller holds;
	// when set they are sent as If-None-Match and If-Modified-Since, and a
	// 304 comes back as Response.NotModified.
	ETag, LastModified string
	Accept             string // Accept header; "*/*" when empty
	MaxBytes           int64  // 0 = the client's MaxBytes
	// AllowTruncate returns the first MaxBytes of an oversized body with
	// Response.Truncated set, instead of ErrTooLarge. Right for article pages
	// (the text is near the top), wrong for feeds (a cut feed is invalid XML).
	AllowTruncate bool
}

// Response is a fetched resource.
type Response struct {
	URL        string // as requested
	FinalURL   string // after redirects
	StatusCode int
	Header     http.Header
	// Body is decoded to UTF-8 when the content is text (from the BOM, the
	// Content-Type charset, <meta charset> or the XML declaration, else
	// sniffed), with an XML declaration rewritten to say UTF-8. Binary
	// content is left as it is. Decoding may make it longer than MaxBytes.
	Body        []byte
	ContentType string // the Content-Type header, or the sniffed type when absent
	Truncated   bool   // the body was cut at MaxBytes (only with AllowTruncate)
	NotModified bool   // 304: the caller's copy is current; Body is empty
	// PermanentURL is where the leading run of permanent redirects (301,
	// 308) led, "" when the first hop was not one: the URL to store instead
	// of URL. A temporary redirect after permanent ones ends the run.
	PermanentURL string
}

// Get fetches r.URL, following redirects. It returns a *StatusError for any
// status other than 2xx and 304. Every error names the URL.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	resp, err := c.get(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", r.URL, err)
	}
	return resp, nil
}

// errTotalTimeout is the cause of our own deadline, to tell it from the
// caller's context ending.
var errTotalTimeout = errors.New("total timeout")

func (c *Client) get(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(r.URL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, ErrInvalidURL
	}
	maxBytes := r.MaxBytes
	if maxBytes <= 0 {
		maxBytes = c.opts.MaxBytes
	}

	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.TotalTimeout, errTotalTimeout)
	defer cancel()
	trail := &redirectTrail{}
	ctx = context.WithValue(ctx, redirectsKey{}, trail)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	accept := r.Accept
	if accept == "" {
		accept = "*/*"
	}
	req.Header.Set("Accept", accept)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.wrapErr(ctx, err)
	}
	// Closing the body also stops a transfer we cut short; a connection with
	// an unread body is not reused, which is right for a body we refused.
	defer resp.Body.Close()

	out := &Response{
		URL:         r.URL,
		FinalURL:    resp.Request.URL.String(),
		StatusCode:  resp.StatusCode,
		Header:      resp.Header,
		ContentType: resp.Header.Get("Content-Type"),
	}
	if trail.permanentURL != "" && trail.permanentURL != r.URL {
		out.PermanentURL = trail.permanentURL
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		// Read a little so the connection can be reused; an error page is
		// usually small, and a big one is not worth the wait.
		_, _ = io.CopyN(io.Discard, resp.Body, 16<<10)
		return nil, &StatusError{Code: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}

	// A declared length over the limit fails before any byte is read. When
	// the transport decompresses, ContentLength is -1 and only the read
	// below can tell.
	if resp.ContentLength > maxBytes && !r.AllowTruncate {
		return nil, fmt.Errorf("%w: Content-Length %d > %d", ErrTooLarge, resp.ContentLength, maxBytes)
	}
	body, truncated, err := readLimited(resp.Body, maxBytes, resp.ContentLength)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", c.wrapErr(ctx, err))
	}
	if truncated && !r.AllowTruncate {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	// The charset comes from the header as sent: a sniffed type says
	// "charset=utf-8" whatever the bytes are.
	kind, ct := classify(out.ContentType, body)
	out.Body = toUTF8(body, out.ContentType, kind)
	out.ContentType = ct
	out.Truncated = truncated
	return out, nil
}

// readLimited reads at most limit bytes of r. It reads one byte more to learn
// whether there was more, and never buffers beyond that, whatever the
// compression ratio.
func readLimited(r io.Reader, limit, contentLength int64) (body []byte, truncated bool, err error) {
	var buf bytes.Buffer
	if contentLength > 0 && contentLength <= limit {
		buf.Grow(int(contentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, false, err
	}
	b := buf.Bytes()
	if n > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// wrapErr turns a transport error into one the caller can act on: our own
// timeouts become ErrTimeout, the caller's context error stays as it is, and
// the url.Error wrapper goes, since Get names the URL already.
func (c *Client) wrapErr(ctx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if context.Cause(ctx) == errTotalTimeout {
		return fmt.Errorf("%w: request not done within %s", ErrTimeout, c.opts.TotalTimeout)
	}
	if ctx.Err() != nil {
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, ErrBlockedAddress) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		// Cap absurd values rather than overflow the Duration.
		const maxSecs = int64(365 * 24 * time.Hour / time.Second)
		return time.Duration(min(secs, maxSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}
