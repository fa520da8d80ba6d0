package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// A cpuStage is a part of the pipeline the benchmark charges CPU to: a
// profile sample goes to the first stage (in cpuStages order) with a frame
// whose function name contains one of its markers.
type cpuStage struct {
	name    string
	markers []string
}

// cpuStages splits the all-in-one process by what the work is for. The
// parser's page decode comes first so that it is not counted as
// extraction; HTTP server goroutines are the origin site's, client ones the
// fetcher's.
var cpuStages = []cpuStage{
	{"parser: page decode", []string{"newsflow/pkg/events.DecodePage"}},
	{"parser: extraction", []string{"newsflow/services/parser/internal/", "newsflow/services/parser.Parse"}},
	{"parser: rest", []string{"newsflow/services/parser."}},
	{"indexer", []string{"newsflow/services/indexer", "github.com/blevesearch/"}},
	{"fetcher", []string{"newsflow/services/fetcher", "net/http.(*persistConn)", "net/http.(*Transport)"}},
	{"origin site", []string{"newsflow/cmd/newsflow/internal/benchsite", "net/http.(*conn)"}},
	// The server's S2 stream compression runs in goroutines of its own.
	{"NATS server", []string{"github.com/nats-io/nats-server/", "github.com/klauspost/compress/"}},
	{"NATS client", []string{"github.com/nats-io/nats.go"}},
	{"GC", []string{"runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"}},
}

// stageCPU reads a CPU profile and returns the CPU time charged to each of
// stages, and to "other".
func stageCPU(r io.Reader, stages []cpuStage) (map[string]time.Duration, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("stage CPU: %w", err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			cpu = i
		}
	}
	if cpu < 0 {
		return nil, fmt.Errorf("stage CPU: not a CPU profile")
	}
	out := make(map[string]time.Duration, len(stages)+1)
	for _, s := range p.Sample {
		out[classify(s, stages)] += time.Duration(s.Value[cpu])
	}
	return out, nil
}

// readStageCPU is stageCPU on the profile in file.
func readStageCPU(file string) (map[string]time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return stageCPU(f, cpuStages)
}

func classify(s *profile.Sample, stages []cpuStage) string {
	for _, st := range stages {
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				if line.Function == nil {
					continue
				}
				for _, m := range st.markers {
					if strings.Contains(line.Function.Name, m) {
						return st.name
					}
				}
			}
		}
	}
	return "other"
}

// writeStageCPU prints the CPU per article of each stage and of "other".
func writeStageCPU(w io.Writer, stages []cpuStage, byStage map[string]time.Duration, articles int) {
	fmt.Fprintf(w, "CPU per article by stage (this process's profile):\n")
	for _, st := range append(stages[:len(stages):len(stages)], cpuStage{name: "other"}) {
		d := byStage[st.name]
		fmt.Fprintf(w, "  %-20s %6.2f ms\n", st.name, float64(d)/1e6/float64(articles))
	}
}
