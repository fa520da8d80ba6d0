package httpfetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"
)

// newTestClient returns a client allowed to reach httptest servers on
// 127.0.0.1, with o's other settings.
func newTestClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowPrivate = true
	c := New(o)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestIsBlockedAddr(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.254", true},
		{"192.168.1.1", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"169.254.169.254", true}, // cloud metadata
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"0.0.0.0", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"::1", true},
		{"::", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"ff02::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:8.8.8.8", true}, // any IPv4-mapped address: it would dodge the IPv4 checks
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"93.184.215.14", false},
		{"2001:4860::", false},
		{"2001:4860:4860::8888", false},
		{"2a00:1450:4001:82b::200e", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := IsBlockedAddr(netip.MustParseAddr(tt.addr)); got != tt.blocked {
				t.Errorf("IsBlockedAddr(%s) = %v, want %v", tt.addr, got, tt.blocked)
			}
		})
	}
	if !IsBlockedAddr(netip.Addr{}) {
		t.Error("the zero Addr must be blocked")
	}
}

func TestSSRFBlocksLoopback(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	c := New(Options{}) // AllowPrivate false, as in production
	defer c.CloseIdleConnections()
	for _, u := range []string{
		srv.URL,
		fmt.Sprintf("http://localhost:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://0.0.0.0:%d/", port),
	} {
		t.Run(u, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: u})
			if !errors.Is(err, ErrBlockedAddress) {
				t.Fatalf("Get = %v, %v; want ErrBlockedAddress", resp, err)
			}
			if !strings.Contains(err.Error(), u) {
				t.Errorf("error %q does not name the URL", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server was reached %d times", n)
	}
}

// gzipMember is one gzip member holding 1 MiB of zeros (about 1 KiB
// compressed). Go's gzip reader reads concatenated members as one stream, so
// repeating it serves a bomb of any size for almost no server CPU.
func gzipMember(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipBombCutAtMaxBytes(t *testing.T) {
	member := gzipMember(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Encoding", "gzip")
		for range 1024 { // 1 GiB once decompressed
			if _, err := w.Write(member); err != nil {
				return // the client hung up: exactly what should happen
			}
		}
	}))
	defer srv.Close()

	const max = 1 << 20
	tests := []struct {
		name     string
		truncate bool
	}{
		{"refused", false},
		{"truncated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Options{MaxBytes: max})
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			resp, err := c.Get(context.Background(), Request{URL: srv.URL, AllowTruncate: tt.truncate})
			runtime.ReadMemStats(&after)
			if tt.truncate {
				if err != nil {
					t.Fatal(err)
				}
				if !resp.Truncated || len(resp.Body) != max {
					t.Errorf("Truncated=%v len=%d, want true, %d", resp.Truncated, len(resp.Body), max)
				}
			} else if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			// Everything allocated during the call, server side included:
			// far below the 1 GiB the body would expand to.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MiB for a %d MiB limit", alloc>>20, max>>20)
			}
		})
	}
}

func TestContentLengthOverLimit(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 64<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		w.Write(big)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{MaxBytes: 1 << 20})

	tests := []struct {
		name      string
		req       Request
		wantErr   error
		wantLen   int
		truncated bool
	}{
		{"under client limit", Request{URL: srv.URL}, nil, len(big), false},
		{"over request limit", Request{URL: srv.URL, MaxBytes: 1000}, ErrTooLarge, 0, false},
		{"over request limit, truncate", Request{URL: srv.URL, MaxBytes: 1000, AllowTruncate: true}, nil, 1000, true},
		{"exactly the limit", Request{URL: srv.URL, MaxBytes: int64(len(big))}, nil, len(big), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if len(resp.Body) != tt.wantLen || resp.Truncated != tt.truncated {
				t.Errorf("len=%d truncated=%v, want %d %v", len(resp.Body), resp.Truncated, tt.wantLen, tt.truncated)
			}
		})
	}
}

func TestSlowDripCutAtTotalTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()

	const total = 300 * time.Millisecond
	c := newTestClient(t, Options{TotalTimeout: total, HeaderTimeout: 5 * time.Second})
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if elapsed < total || elapsed > total+3*time.Second {
		t.Errorf("returned after %s, want about %s", elapsed, total)
	}
}

func TestHeaderTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answer; return once the client gives up
	}))
	defer srv.Close()

	const header = 200 * time.Millisecond
	c := newTestClient(t, Options{HeaderTimeout: header, TotalTimeout: 10 * time.Second})
	start := time.Now()
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	elapsed := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("returned after %s: the header timeout did not apply", elapsed)
	}
}

func TestCallerCancelIsNotATimeout(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := c.Get(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled and not ErrTimeout", err)
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	// /chain/N redirects to /chain/N-1; /chain/0 answers.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/b", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/x", http.StatusFound)
	})
	mux.HandleFunc("/noloc", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusFound) // a 3xx without Location is returned as is
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, Options{MaxRedirects: 5})

	tests := []struct {
		path     string
		wantErr  error
		notErr   error
		finalURL string
	}{
		{path: "/chain/0", finalURL: "/chain/0"},
		{path: "/chain/5", finalURL: "/chain/0"},
		{path: "/chain/6", wantErr: ErrTooManyRedirects, notErr: ErrRedirectLoop},
		{path: "/loop/a", wantErr: ErrRedirectLoop},
		{path: "/self", wantErr: ErrRedirectLoop},
		{path: "/ftp", wantErr: ErrInvalidURL},
		{path: "/noloc", wantErr: ErrStatus},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.notErr != nil && errors.Is(err, tt.notErr) {
					t.Errorf("err = %v, must not be %v", err, tt.notErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.URL != srv.URL+tt.path || resp.FinalURL != srv.URL+tt.finalURL {
				t.Errorf("URL=%s FinalURL=%s, want %s and %s", resp.URL, resp.FinalURL, srv.URL+tt.path, srv.URL+tt.finalURL)
			}
		})
	}
	// A loop is a loop whatever the limit: it must not depend on counting.
	_, err := newTestClient(t, Options{MaxRedirects: 100}).Get(context.Background(), Request{URL: srv.URL + "/loop/a"})
	if !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("loop with a high limit: err = %v", err)
	}
}

func TestPermanentURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/p301", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p308", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/p308", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/t302", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/final", http.StatusFound) })
	mux.HandleFunc("/p301then302", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/t302", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/t307then301", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/p301", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "here") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, Options{})
	tests := []struct{ path, want string }{
		{"/final", ""},
		{"/p301", "/final"},
		{"/p308", "/final"},
		{"/t302", ""},
		{"/p301then302", "/t302"},
		{"/t307then301", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.want != "" {
				want = srv.URL + tt.want
			}
			if resp.PermanentURL != want || resp.FinalURL != srv.URL+"/final" {
				t.Errorf("PermanentURL = %q, FinalURL = %q; want %q", resp.PermanentURL, resp.FinalURL, want)
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	const etag = `"v42"`
	const lastMod = "Tue, 06 Jun 2017 20:36:00 GMT"
	var gotUA, gotAccept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.Header.Get("User-Agent"))
		gotAccept.Store(r.Header.Get("Accept"))
		if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title></channel></rss>`)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{})

	first, err := c.Get(context.Background(), Request{URL: srv.URL, Accept: "application/rss+xml"})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || first.StatusCode != 200 || len(first.Body) == 0 {
		t.Fatalf("first fetch: %+v", first)
	}
	if ua := gotUA.Load(); ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q", ua)
	}
	if a := gotAccept.Load(); a != "application/rss+xml" {
		t.Errorf("Accept = %q", a)
	}

	second, err := c.Get(context.Background(), Request{
		URL:          srv.URL,
		ETag:         first.Header.Get("ETag"),
		LastModified: first.Header.Get("Last-Modified"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.StatusCode != http.StatusNotModified || len(second.Body) != 0 {
		t.Errorf("second fetch: NotModified=%v status=%d body=%d bytes", second.NotModified, second.StatusCode, len(second.Body))
	}
	if a := gotAccept.Load(); a != "*/*" {
		t.Errorf("default Accept = %q", a)
	}
}

func TestStatusErrors(t *testing.T) {
	retryAt := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	mux := http.NewServeMux()
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/503date", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", retryAt)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/429junk", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "soon")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/404", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := newTestClient(t, Options{})

	tests := []struct {
		path     string
		code     int
		minRetry time.Duration
		maxRetry time.Duration
	}{
		{"/429", 429, 120 * time.Second, 120 * time.Second},
		{"/503date", 503, 58 * time.Minute, time.Hour},
		{"/429junk", 429, 0, 0},
		{"/404", 404, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path})
			if !errors.Is(err, ErrStatus) {
				t.Fatalf("err = %v, want ErrStatus", err)
			}
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v is not a *StatusError", err)
			}
			if se.Code != tt.code || se.RetryAfter < tt.minRetry || se.RetryAfter > tt.maxRetry {
				t.Errorf("StatusError = %+v, want code %d retry in [%s, %s]", se, tt.code, tt.minRetry, tt.maxRetry)
			}
		})
	}
}

func TestInvalidURL(t *testing.T) {
	c := newTestClient(t, Options{})
	for _, u := range []string{"", "ftp://example.com/feed", "file:///etc/passwd", "/relative", "http://"} {
		if _, err := c.Get(context.Background(), Request{URL: u}); !errors.Is(err, ErrInvalidURL) {
			t.Errorf("Get(%q) = %v, want ErrInvalidURL", u, err)
		}
	}
}

func TestCharsetDecoding(t *testing.T) {
	testdata := filepath.Join("..", "..", "testdata")
	tests := []struct {
		name        string
		file        string
		contentType string
		want        []string // substrings of the decoded body
		notWant     []string
	}{
		{
			name:        "ISO-8859-1 from the header",
			file:        "pages/latin1-no-meta.html",
			contentType: "text/html; charset=ISO-8859-1",
			want:        []string{"Actualités", "garçon, crème brûlée à la façon de Noël"},
		},
		{
			name:        "ISO-8859-1 sniffed: not UTF-8, no declaration",
			file:        "pages/latin1-no-meta.html",
			contentType: "text/html",
			want:        []string{"garçon, crème brûlée"},
		},
		{
			name:        "windows-1251 from the header",
			file:        "pages/cp1251-http-equiv.html",
			contentType: "text/html; charset=windows-1251",
			want:        []string{"Привет, мир", "<title>Новости</title>"},
		},
		{
			name:        "windows-1251 from meta http-equiv",
			file:        "pages/cp1251-http-equiv.html",
			contentType: "text/html",
			want:        []string{"Привет, мир"},
		},
		{
			name:        "windows-1251 from meta charset after 1 KiB of head",
			file:        "pages/cp1251-late-meta.html",
			contentType: "text/html",
			want:        []string{"Новости дня", "Съешь же ещё этих мягких французских булок"},
		},
		{
			name:        "windows-1251 from meta, no Content-Type at all",
			file:        "pages/cp1251-late-meta.html",
			contentType: "",
			want:        []string{"Коалиция нанесла удар"},
		},
		{
			name:        "windows-1251 XML from its declaration, declaration rewritten",
			file:        "feeds/cp1251.xml",
			contentType: "application/rss+xml",
			want:        []string{`encoding="UTF-8"`, "<title>Новости дня</title>"},
			notWant:     []string{"windows-1251"},
		},
		{
			name:        "windows-1251 XML served as text/html",
			file:        "feeds/cp1251.xml",
			contentType: "text/html",
			want:        []string{`encoding="UTF-8"`, "Привет, мир"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(testdata, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// Setting the header to nil stops net/http from sniffing
				// one in, so "no Content-Type" really is none.
				if tt.contentType == "" {
					w.Header()["Content-Type"] = nil
				} else {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.Write(raw)
			}))
			defer srv.Close()
			resp, err := newTestClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(resp.Body) {
				t.Fatal("body is not valid UTF-8")
			}
			body := string(resp.Body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q:\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("body still has %q", w)
				}
			}
			if resp.ContentType == "" {
				t.Error("ContentType is empty")
			}
		})
	}
}

func TestBinaryBodyUntouched(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\xfd")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	defer srv.Close()
	resp, err := newTestClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, png) {
		t.Errorf("binary body changed: %q", resp.Body)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2017, 6, 6, 20, 36, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"30", 30 * time.Second},
		{" 30 ", 30 * time.Second},
		{"99999999999999999", 365 * 24 * time.Hour},
		{"Tue, 06 Jun 2017 20:46:00 GMT", 10 * time.Minute},
		{"Tue, 06 Jun 2017 20:00:00 GMT", 0}, // in the past
		{"whenever", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	var gotHost atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost.Store(r.Host)
		fmt.Fprint(w, "hello from ", r.Host)
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().(*net.TCPAddr)

	tests := []struct {
		name         string
		url          string
		resolve      map[string]string
		allowPrivate bool
		wantErr      error
		wantHost     string
	}{
		{"host to host:port", "http://www.rt.com:1/rss/", map[string]string{"www.rt.com": addr.String()}, true, nil, "www.rt.com:1"},
		{"case-insensitive", "http://WWW.RT.COM:1/rss/", map[string]string{"www.rt.com": addr.String()}, true, nil, "WWW.RT.COM:1"},
		{"address without port keeps the URL's", fmt.Sprintf("http://www.rt.com:%d/", addr.Port), map[string]string{"www.rt.com": "127.0.0.1"}, true, nil, fmt.Sprintf("www.rt.com:%d", addr.Port)},
		{"still checked", "http://www.rt.com:1/rss/", map[string]string{"www.rt.com": addr.String()}, false, ErrBlockedAddress, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Resolve: tt.resolve, AllowPrivate: tt.allowPrivate})
			defer c.CloseIdleConnections()
			resp, err := c.Get(context.Background(), Request{URL: tt.url})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if h := gotHost.Load(); h != tt.wantHost || string(resp.Body) != "hello from "+tt.wantHost {
				t.Errorf("Host = %v, body %q; want %s", h, resp.Body, tt.wantHost)
			}
		})
	}
}

// Rounds of concurrent requests to one host reuse the connections of the
// round before when the client keeps that many idle; with fewer kept, every
// round dials again.
func TestIdleConnsPerHostReusesConnections(t *testing.T) {
	const concurrent, rounds = 12, 4
	for _, tc := range []struct {
		name   string
		idle   int
		maxNew int64
		minNew int64
	}{
		// A connection goes back to the pool just after its response is
		// read, so the next round may dial a few more: the bounds leave
		// room for that and still tell the two apart (12 + 3×8 = 36 dials
		// when only 4 are kept).
		{"idle matches the concurrency", concurrent, 2 * concurrent, concurrent},
		{"default keeps 4", 0, concurrent * rounds, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int64
			var inside sync.WaitGroup
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				inside.Done()
				inside.Wait() // every request of the round holds its connection at once
				_, _ = w.Write([]byte("ok"))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			c := newTestClient(t, Options{IdleConnsPerHost: tc.idle})
			for range rounds {
				inside.Add(concurrent)
				var done sync.WaitGroup
				for range concurrent {
					done.Add(1)
					go func() {
						defer done.Done()
						if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
							t.Error(err)
						}
					}()
				}
				done.Wait()
			}
			if n := conns.Load(); n > tc.maxNew || n < tc.minNew {
				t.Errorf("%d connections for %d rounds of %d requests, want %d..%d", n, rounds, concurrent, tc.minNew, tc.maxNew)
			}
		})
	}
}
