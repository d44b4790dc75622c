package skynamo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// BenchmarkApplyStock compares, in one run, 10,000 stock level updates
// sent to a simulator that adds 50 ms to every request and takes at most
// 200 items per request:
//
//	go test ./skynamo/ -run XXX -bench ApplyStock -benchtime 1x
//
// (a) the older SDK's way: one group, sent sequentially, split only as the
// limit forces (requests of 200, one after another);
// (b) Writer.Apply with BatchSize 200 and the default concurrency.
//
// The floor for (b) is what the network alone needs: ceil(items/batch)
// requests in rounds of the concurrency actually reached, each round one
// latency.
func BenchmarkApplyStock(b *testing.B) {
	const (
		items    = 10000
		maxItems = 200
		latency  = 50 * time.Millisecond
	)
	opts := sim.Options{Seed: 2, Customers: 10, Products: 1200, Users: 3, Orders: 10}
	opts.MaxWriteItems = maxItems
	probe := &concurrencyProbe{next: http.DefaultTransport}
	env := newWriteEnv(b, opts, writeEnvOptions{transport: probe, concurrency: DefaultConcurrency})
	keys := env.stockKeys(b, items)
	env.srv.SetFaults(sim.Faults{Latency: latency})
	ctx := context.Background()

	ops := func(base int) []WriteOp {
		out := make([]WriteOp, len(keys))
		for i, k := range keys {
			out[i] = stockUpdate(k.product, k.unit, k.warehouse, base+i)
		}
		return numberOps(out)
	}

	// oldWay sends the items' bodies one request of maxItems after another.
	oldWay := func(list []WriteOp) (requests, failures int, took time.Duration) {
		start := time.Now()
		for from := 0; from < len(list); from += maxItems {
			var body strings.Builder
			body.WriteByte('[')
			for i, op := range list[from:min(from+maxItems, len(list))] {
				if i > 0 {
					body.WriteByte(',')
				}
				body.Write(op.Item)
			}
			body.WriteByte(']')
			requests++
			if _, err := env.client.Send(ctx, "POST", "/stocklevels", nil, []byte(body.String())); err != nil {
				var apiErr *APIError
				if !errors.As(err, &apiErr) {
					b.Fatal(err)
				}
				failures++
			}
		}
		return requests, failures, time.Since(start)
	}

	// rawParallel sends the same requests in parallel through the same
	// client with nothing else around them (no journal, no results): what
	// this simulator, on this machine, allows at best. The simulator saves
	// a write under one lock, so its work per request adds up across
	// parallel requests, which the network floor leaves out.
	rawParallel := func(list []WriteOp) time.Duration {
		start := time.Now()
		sem := make(chan struct{}, DefaultConcurrency)
		errs := make(chan error, len(list)/maxItems+1)
		for from := 0; from < len(list); from += maxItems {
			var body strings.Builder
			body.WriteByte('[')
			for i, op := range list[from:min(from+maxItems, len(list))] {
				if i > 0 {
					body.WriteByte(',')
				}
				body.Write(op.Item)
			}
			body.WriteByte(']')
			sem <- struct{}{}
			go func(body []byte) {
				defer func() { <-sem }()
				_, err := env.client.Send(ctx, "POST", "/stocklevels", nil, body)
				errs <- err
			}([]byte(body.String()))
		}
		for range cap(sem) {
			sem <- struct{}{}
		}
		close(errs)
		for err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}

	b.ResetTimer()
	for n := range b.N {
		oldReq, oldFail, oldTook := oldWay(ops(1000 * n))
		rawTook := rawParallel(ops(200 + 1000*n))

		probe.max.Store(0)
		before := probe.writes.Load()
		start := time.Now()
		res, err := env.writer.Apply(ctx, ops(500+1000*n), ApplyOptions{BatchSize: maxItems})
		took := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		newReq := int(probe.writes.Load() - before)
		newFail := res.Count(StatusFailed) + res.Count(StatusUnknown) + res.Count(StatusPending)
		conc := int(probe.max.Load())
		rounds := ceilDiv(ceilDiv(items, maxItems), conc)
		floor := time.Duration(rounds) * latency
		levels := env.stockLevels()
		for i, k := range keys {
			if levels[k] != fmt.Sprint(500+1000*n+i) {
				b.Fatalf("stock level %v is %s after the apply", k, levels[k])
			}
		}

		b.ReportMetric(float64(oldReq), "old-requests")
		b.ReportMetric(float64(oldFail), "old-failures")
		b.ReportMetric(float64(oldTook.Milliseconds()), "old-ms")
		b.ReportMetric(float64(newReq), "apply-requests")
		b.ReportMetric(float64(newFail), "apply-failures")
		b.ReportMetric(float64(took.Milliseconds()), "apply-ms")
		b.ReportMetric(float64(floor.Milliseconds()), "floor-ms")
		b.ReportMetric(float64(took)/float64(floor), "x-floor")
		b.ReportMetric(float64(rawTook.Milliseconds()), "raw-parallel-ms")
		b.ReportMetric(float64(took)/float64(rawTook), "x-raw-parallel")
		b.Logf("%d stock levels, at most %d per request, %s latency:\n"+
			"  older SDK way: %d requests, %d failed, %s\n"+
			"  Writer.Apply:  %d requests, %d items not applied, %s, concurrency reached %d;\n"+
			"                 floor %d rounds x %s = %s, ratio %.2f (target <= 1.3); %.1fx faster than the older way\n"+
			"  bare parallel sends (same requests, no journal or bookkeeping): %s; Writer.Apply is %.2fx that",
			items, maxItems, latency, oldReq, oldFail, oldTook.Round(time.Millisecond),
			newReq, newFail, took.Round(time.Millisecond), conc, rounds, latency, floor, float64(took)/float64(floor),
			float64(oldTook)/float64(took), rawTook.Round(time.Millisecond), float64(took)/float64(rawTook))
	}
}
