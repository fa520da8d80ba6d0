package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
)

// ErrTracingConfig marks an OTEL_* setting this build cannot honour.
var ErrTracingConfig = errors.New("tracing configuration")

// instrumentationName names the tracer of the spans this package starts.
const instrumentationName = "github.com/newsflow/newsflow/pkg/service"

// Tracing exports spans with OpenTelemetry over OTLP/HTTP when the standard
// environment asks for it, and is off (a nil *Tracing works, and costs
// nothing) otherwise. The spans themselves are started by the consume loop,
// Publish and StartSpan, which find the tracer in the context (see
// ContextWithTracing), so that no signature between main and a stage has to
// carry it.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// TracingEnabled reports whether the environment asks for trace export:
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set,
// and neither OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says no.
// Off by default: a deployment without a collector sends nothing anywhere.
func TracingEnabled() bool {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_TRACES_EXPORTER")), "none") {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// NewTracing sets up trace export from the standard OpenTelemetry
// environment variables, or returns nil (tracing off) when TracingEnabled
// is false. The exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT,
// _HEADERS, _TIMEOUT (10s by default) and _COMPRESSION; the provider reads
// OTEL_TRACES_SAMPLER[_ARG] (parent-based always-on by default) and
// OTEL_BSP_* (the export queue is bounded: spans beyond it are dropped,
// never waited for); the resource reads OTEL_SERVICE_NAME (default
// serviceName) and OTEL_RESOURCE_ATTRIBUTES. Only the http/protobuf
// protocol is built in: grpc is refused with ErrTracingConfig rather than
// silently ignored. Export errors are logged through log (OpenTelemetry has
// one error handler per process, which this sets). Call Close or Shutdown
// to flush.
func NewTracing(ctx context.Context, serviceName string, log *zap.Logger) (*Tracing, error) {
	if !TracingEnabled() {
		return nil, nil
	}
	for _, k := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" && v != "http/protobuf" {
			return nil, fmt.Errorf("%w: %s=%q: only http/protobuf is supported", ErrTracingConfig, k, v)
		}
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: otlp exporter: %w", ErrTracingConfig, err)
	}
	// Later options override earlier ones: OTEL_SERVICE_NAME beats the
	// binary's name.
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(serviceName), semconv.ServiceVersion(Version)),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(),
	)
	if err != nil {
		_ = exp.Shutdown(ctx)
		return nil, fmt.Errorf("%w: resource: %w", ErrTracingConfig, err)
	}
	if log != nil {
		tlog := log.Named("otel")
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { tlog.Warn("trace export", zap.Error(err)) }))
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	if log != nil {
		endpoint := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
		if endpoint == "" {
			endpoint = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
		}
		log.Info("exporting traces", zap.String("otlp_endpoint", redactURL(endpoint)))
	}
	return &Tracing{tp: tp}, nil
}

// Enabled reports whether t exports spans (false for nil).
func (t *Tracing) Enabled() bool { return t != nil && t.tp != nil }

// Shutdown exports the spans still queued and stops the exporter, within
// ctx's deadline. Safe on nil.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	if err := t.tp.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing shutdown: %w", err)
	}
	return nil
}

// tracer returns the tracer of t, or nil when t is off.
func (t *Tracing) tracer() trace.Tracer {
	if !t.Enabled() {
		return nil
	}
	return t.tp.Tracer(instrumentationName)
}

type tracingKey struct{}

// ContextWithTracing returns ctx carrying t: the consume loops, Publish and
// StartSpan under ctx start spans with it. With t nil or off, ctx is
// returned as is and nothing is traced.
func ContextWithTracing(ctx context.Context, t *Tracing) context.Context {
	if !t.Enabled() {
		return ctx
	}
	return context.WithValue(ctx, tracingKey{}, t.tracer())
}

// tracerFrom returns the tracer ctx carries, or nil.
func tracerFrom(ctx context.Context) trace.Tracer {
	tr, _ := ctx.Value(tracingKey{}).(trace.Tracer)
	return tr
}

// tracingFlushTimeout bounds the final export at shutdown: a collector that
// is away must not hold the process up.
const tracingFlushTimeout = 5 * time.Second

// Close is Shutdown bounded by a few seconds, for mains: call it after the
// services have stopped. Safe on nil.
func (t *Tracing) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), tracingFlushTimeout)
	defer cancel()
	return t.Shutdown(ctx)
}

// redactURL drops the user info of an endpoint URL for logging.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}
