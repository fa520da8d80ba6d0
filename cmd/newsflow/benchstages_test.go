package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// Each sample goes to the first stage with a frame anywhere in its stack:
// a page decode under the parser's handler is the decode, not "parser:
// rest"; NATS client frames under the fetcher are the fetcher's.
func TestStageCPUChargesTheFirstMatchingStage(t *testing.T) {
	stacks := []struct {
		frames []string // leaf first
		ms     int64
		want   string
	}{
		{[]string{"encoding/json.unquoteBytes", "github.com/newsflow/newsflow/pkg/events.DecodePage", "github.com/newsflow/newsflow/services/parser.(*Parser).handle"}, 3, "parser: page decode"},
		{[]string{"golang.org/x/net/html.Parse", "github.com/newsflow/newsflow/services/parser/internal/extract.Article", "github.com/newsflow/newsflow/services/parser.(*Parser).handle"}, 5, "parser: extraction"},
		{[]string{"github.com/nats-io/nats.go.(*Conn).publish", "github.com/newsflow/newsflow/services/parser.(*Parser).handle"}, 1, "parser: rest"},
		{[]string{"github.com/blevesearch/zapx/v17.(*interim).convert", "github.com/blevesearch/bleve/v2.(*indexImpl).Batch"}, 2, "indexer"},
		{[]string{"github.com/nats-io/nats.go.(*Conn).publish", "github.com/newsflow/newsflow/services/fetcher.(*Fetcher).handleItem"}, 4, "fetcher"},
		{[]string{"net/http.(*persistConn).readLoop"}, 1, "fetcher"},
		{[]string{"net/http.(*conn).serve"}, 1, "origin site"},
		{[]string{"github.com/nats-io/nats-server/v2/server.(*fileStore).StoreMsg"}, 6, "NATS server"},
		{[]string{"github.com/klauspost/compress/s2.encodeBlockAsm4MB", "github.com/klauspost/compress/s2.(*Writer).writeFull.func1"}, 2, "NATS server"},
		{[]string{"github.com/nats-io/nats.go.(*Conn).readLoop"}, 1, "NATS client"},
		{[]string{"runtime.scanobject", "runtime.gcBgMarkWorker"}, 2, "GC"},
		{[]string{"runtime.futex", "runtime.schedule"}, 7, "other"},
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	want := map[string]time.Duration{}
	funcs := map[string]*profile.Function{}
	for _, st := range stacks {
		s := &profile.Sample{Value: []int64{st.ms, st.ms * 1e6}}
		for _, name := range st.frames {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(p.Function) + 1), Name: name}
				funcs[name] = f
				p.Function = append(p.Function, f)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: f}}}
			p.Location = append(p.Location, loc)
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
		want[st.want] += time.Duration(st.ms) * time.Millisecond
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := stageCPU(&buf, cpuStages)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range want {
		if got[name] != d {
			t.Errorf("%s: %v, want %v", name, got[name], d)
		}
	}
	if len(got) != len(want) {
		t.Errorf("stages charged: %v, want %v", got, want)
	}
	if _, err := stageCPU(bytes.NewReader([]byte("not a profile")), cpuStages); err == nil {
		t.Error("stageCPU read garbage without an error")
	}
}
