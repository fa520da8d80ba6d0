package service

import (
	"os"
	"runtime/debug"
)

// DefaultGCPercent is the garbage collector target the newsflow binaries
// run with unless GOGC is set. Every stage allocates a parse tree, a page or
// an index segment per message and keeps little, so with Go's default of 100
// the collector runs very often on a small live heap: 200 cut the CPU per
// article of the all-in-one by about a sixth for about 45 % more peak memory
// (BENCHMARKS.md, Pipeline). GOMEMLIMIT still caps the heap.
const DefaultGCPercent = 200

// TuneGC applies DefaultGCPercent unless the operator set GOGC, and returns
// the percentage in force.
func TuneGC() int {
	if v, ok := os.LookupEnv("GOGC"); ok && v != "" {
		// The runtime applied GOGC at start; read it back (SetGCPercent
		// returns the value it replaces).
		inForce := debug.SetGCPercent(100)
		debug.SetGCPercent(inForce)
		return inForce
	}
	debug.SetGCPercent(DefaultGCPercent)
	return DefaultGCPercent
}
