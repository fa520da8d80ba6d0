package service

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		name, env string
		set       bool
		want      int
	}{
		{"unset: the newsflow default", "", false, DefaultGCPercent},
		{"empty: the newsflow default", "", true, DefaultGCPercent},
		{"the operator's GOGC wins", "150", true, 150},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.set {
				t.Setenv("GOGC", tc.env)
				if tc.env != "" {
					// The runtime reads GOGC at start only: apply it as the
					// runtime would have.
					debug.SetGCPercent(tc.want)
				}
			} else {
				t.Setenv("GOGC", "")
			}
			if got := TuneGC(); got != tc.want {
				t.Errorf("TuneGC() = %d, want %d", got, tc.want)
			}
			if got := debug.SetGCPercent(-1); got != tc.want {
				t.Errorf("GC percent in force %d, want %d", got, tc.want)
			} else {
				debug.SetGCPercent(got)
			}
		})
	}
}
