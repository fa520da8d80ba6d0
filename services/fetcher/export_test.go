package fetcher

import "context"

// SampleQueues refreshes the queue-depth gauges now, for tests that cannot
// wait for the sampling ticker.
func (f *Fetcher) SampleQueues() { f.sampleQueuesOnce(context.Background()) }
