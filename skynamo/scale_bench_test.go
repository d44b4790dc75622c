package skynamo

import (
	"context"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// BenchmarkScale100k measures, in one run against a simulator that adds
// 50 ms to every request, what a cron job on a 100,000-customer instance
// pays: the first full pull (as a multiple of its latency floor) and the
// incremental pull after 100 customers changed (requests and time):
//
//	go test ./skynamo/ -run XXX -bench Scale100k -benchtime 1x
func BenchmarkScale100k(b *testing.B) {
	const (
		customers = 100000
		changes   = 100
		latency   = 50 * time.Millisecond
	)
	for range b.N {
		env := newSimEnv(b, sim.Options{Customers: customers, Orders: 10}, func(c *Config) { c.Concurrency = DefaultConcurrency })
		env.syncer.logf = func(string, ...any) {}
		env.srv.SetFaults(sim.Faults{Latency: latency})
		ctx := context.Background()

		start := time.Now()
		full, err := env.syncer.Sync(ctx, "customers", true)
		if err != nil {
			b.Fatal(err)
		}
		fullTime := time.Since(start)
		if full.Records != customers {
			b.Fatalf("full pull cached %d customers, want %d", full.Records, customers)
		}

		env.srv.TouchCustomers(changes)
		start = time.Now()
		inc, err := env.syncer.Sync(ctx, "customers", true)
		if err != nil {
			b.Fatal(err)
		}
		incTime := time.Since(start)

		pages := (customers + MaxPageSize - 1) / MaxPageSize
		concurrency := env.cfg.Concurrency
		if concurrency < 1 {
			concurrency = DefaultConcurrency
		}
		floor := latency * time.Duration(1+(pages-1+concurrency-1)/concurrency)
		b.ReportMetric(fullTime.Seconds(), "full-s")
		b.ReportMetric(float64(fullTime)/float64(floor), "full/floor")
		b.ReportMetric(float64(inc.Requests), "inc-requests")
		b.ReportMetric(incTime.Seconds(), "inc-s")
		b.Logf("\n"+
			"%d customers, %d pages of %d, latency %s, concurrency %d\n"+
			"  full pull (mode %s)           %8s, %d requests\n"+
			"  floor = %s x (1 + ceil(%d/%d)) = %s\n"+
			"  full pull / floor              %8.2fx\n"+
			"  incremental after %d changes  %8s, %d requests (mode %s)",
			customers, pages, MaxPageSize, latency, concurrency,
			full.Mode, fullTime.Round(time.Millisecond), full.Requests,
			latency, pages-1, concurrency, floor,
			float64(fullTime)/float64(floor),
			changes, incTime.Round(time.Millisecond), inc.Requests, inc.Mode)
	}
}
