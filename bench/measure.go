package bench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Measurement is one run of one reader.
type Measurement struct {
	// Reader is the reader's name.
	Reader string
	// Rows is the number of rows the reader returned (for the transfer
	// floor: transferred).
	Rows int64
	// Sum is the rows' checksum (Tally.Sum): readers of the same query
	// must agree.
	Sum uint64
	// OutOfOrder counts rows that did not come in API order (only for
	// readers whose Tally checks the order).
	OutOfOrder int64
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// CPU is the CPU time the process used during the run, the server's
	// included: unlike Elapsed it barely changes when other processes
	// compete for the CPUs (0 where it is not measured).
	CPU time.Duration
	// Allocs and AllocBytes are the heap allocations of the whole process
	// during the run: the reader's, plus the server's (a few per request,
	// which the transfer floor's figures show).
	Allocs, AllocBytes uint64
	// PeakHeap is the largest in-use heap (objects plus the free space of
	// their spans) seen during the run, minus the in-use heap after the
	// garbage collection that precedes it; sampled every millisecond. The
	// server's rows are off the heap.
	PeakHeap uint64
	// Server are the server's counts for the run.
	Server ServerStats
}

// RowsPerSec is the throughput.
func (m Measurement) RowsPerSec() float64 {
	if m.Elapsed <= 0 {
		return 0
	}
	return float64(m.Rows) / m.Elapsed.Seconds()
}

// AllocsPerRow is Allocs / Rows.
func (m Measurement) AllocsPerRow() float64 {
	if m.Rows == 0 {
		return 0
	}
	return float64(m.Allocs) / float64(m.Rows)
}

// BytesPerRow is AllocBytes / Rows.
func (m Measurement) BytesPerRow() float64 {
	if m.Rows == 0 {
		return 0
	}
	return float64(m.AllocBytes) / float64(m.Rows)
}

// Measure runs r once against s: it collects garbage first, so that every
// run starts from the same heap, then times the run while a goroutine
// samples the heap.
func Measure(ctx context.Context, s *Server, r Reader) (Measurement, error) {
	t := &Tally{}
	if r.Ordered {
		t.IDColumn = 1
	}
	runtime.GC()
	s.ResetStats()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sampler := startHeapSampler(time.Millisecond)
	cpu := processCPU()
	start := time.Now()
	var err error
	// The label lets a CPU profile (restsql-bench -cpuprofile) be cut to
	// one reader: pprof -tagfocus 'reader=restsql SELECT \*'.
	pprof.Do(ctx, pprof.Labels("reader", r.Name), func(ctx context.Context) { err = r.Read(ctx, t) })
	elapsed := time.Since(start)
	cpu = processCPU() - cpu
	peak := sampler.stop()
	runtime.ReadMemStats(&after)
	m := Measurement{
		Reader:     r.Name,
		Rows:       t.Rows,
		Sum:        t.Sum,
		OutOfOrder: t.OutOfOrder,
		Elapsed:    elapsed,
		CPU:        cpu,
		Allocs:     after.Mallocs - before.Mallocs,
		AllocBytes: after.TotalAlloc - before.TotalAlloc,
		PeakHeap:   peak,
		Server:     s.Stats(),
	}
	if err != nil {
		return m, fmt.Errorf("bench: %s: %w", r.Name, err)
	}
	return m, nil
}

// heapSampler tracks the peak in-use heap above the level at its start.
type heapSampler struct {
	done chan struct{}
	peak chan uint64
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapInUse reads the in-use heap (HeapInuse) through runtime/metrics,
// which, unlike runtime.ReadMemStats, does not stop the world.
func heapInUse(samples []metrics.Sample) uint64 {
	metrics.Read(samples)
	var n uint64
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			n += s.Value.Uint64()
		}
	}
	return n
}

func startHeapSampler(every time.Duration) *heapSampler {
	samples := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		samples[i].Name = name
	}
	base := heapInUse(samples)
	h := &heapSampler{done: make(chan struct{}), peak: make(chan uint64, 1)}
	go func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		var peak uint64
		for {
			if n := heapInUse(samples); n > base && n-base > peak {
				peak = n - base
			}
			select {
			case <-tick.C:
			case <-h.done:
				if n := heapInUse(samples); n > base && n-base > peak {
					peak = n - base
				}
				h.peak <- peak
				return
			}
		}
	}()
	return h
}

// stop ends the sampling and returns the peak.
func (h *heapSampler) stop() uint64 {
	close(h.done)
	return <-h.peak
}
