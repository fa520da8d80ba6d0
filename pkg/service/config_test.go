package service_test

import (
	"flag"
	"testing"

	"github.com/newsflow/newsflow/pkg/service"
)

func TestParseFlagsPrecedence(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"default", nil, nil, "nats://127.0.0.1:4222"},
		{"conventional env", map[string]string{"NATS_URL": "nats://a:4222"}, nil, "nats://a:4222"},
		{"prefixed env beats alias", map[string]string{"NATS_URL": "nats://a:4222", "NEWSFLOW_NATS_URL": "nats://b:4222"}, nil, "nats://b:4222"},
		{"flag beats env", map[string]string{"NEWSFLOW_NATS_URL": "nats://b:4222"}, []string{"--nats-url", "nats://c:4222"}, "nats://c:4222"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			var cfg service.Common
			cfg.RegisterFlags(fs, ":0")
			if err := service.ParseFlags(fs, c.args); err != nil {
				t.Fatal(err)
			}
			if cfg.NATSURL != c.want {
				t.Errorf("nats url = %q, want %q", cfg.NATSURL, c.want)
			}
			if err := cfg.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
	t.Run("bad env value is an error", func(t *testing.T) {
		t.Setenv("NEWSFLOW_PROVISION", "maybe")
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		var cfg service.Common
		cfg.RegisterFlags(fs, ":0")
		if err := service.ParseFlags(fs, nil); err == nil {
			t.Error("NEWSFLOW_PROVISION=maybe was accepted")
		}
	})
}
