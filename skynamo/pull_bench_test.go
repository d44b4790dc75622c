package skynamo

import (
	"context"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// BenchmarkFullPull compares, in one run, a full pull of 20,000 customers
// from a simulator that adds 50 ms to every request, fetched one page after
// another (the older SDK's way) and with the default concurrency:
//
//	go test ./skynamo/ -run XXX -bench FullPull -benchtime 1x
//
// The floor is the time the network alone needs: page 1, then the other
// pages in rounds of Concurrency, each round one latency.
func BenchmarkFullPull(b *testing.B) {
	const (
		customers = 20000
		latency   = 50 * time.Millisecond
	)
	env := newSimEnv(b, sim.Options{Customers: customers}, func(c *Config) { c.Concurrency = DefaultConcurrency })
	env.syncer.logf = func(string, ...any) {}
	env.srv.SetFaults(sim.Faults{Latency: latency})
	ctx := context.Background()

	pull := func(concurrency int) (time.Duration, int, ListStats) {
		cfg := env.cfg
		cfg.Concurrency = concurrency
		client, err := NewClient(cfg, noBackoff())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		records, stats, err := client.ListAll(ctx, "/customers", ListQuery{Flags: []string{"show_nulls"}})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), len(records), stats
	}

	b.ResetTimer()
	for range b.N {
		seq, n, stats := pull(1)
		par, n2, _ := pull(DefaultConcurrency)
		if n != customers || n2 != customers {
			b.Fatalf("pulled %d and %d customers, want %d", n, n2, customers)
		}

		// The whole sync, with the cache written, for comparison.
		if err := env.cache.Clear("customers"); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := env.syncer.Sync(ctx, "customers", true); err != nil {
			b.Fatal(err)
		}
		syncTime := time.Since(start)

		pages := stats.LastPage
		rounds := 1 + (pages-1+DefaultConcurrency-1)/DefaultConcurrency
		floor := latency * time.Duration(rounds)
		speedup := float64(seq) / float64(par)
		overFloor := float64(par) / float64(floor)
		b.ReportMetric(seq.Seconds(), "seq-s")
		b.ReportMetric(par.Seconds(), "par-s")
		b.ReportMetric(speedup, "speedup")
		b.ReportMetric(overFloor, "par/floor")
		b.Logf("\n"+
			"full pull of %d customers, %d pages of %d, latency %s\n"+
			"  sequential (concurrency 1)   %8s\n"+
			"  parallel   (concurrency %2d)  %8s\n"+
			"  speedup                      %8.1fx  (target >= 10x)\n"+
			"  floor = %s x (1 + ceil(%d/%d)) = %s\n"+
			"  parallel / floor             %8.2fx  (target < 1.3x)\n"+
			"  full sync incl. cache write  %8s",
			customers, pages, stats.PageSize, latency,
			seq.Round(time.Millisecond), DefaultConcurrency, par.Round(time.Millisecond),
			speedup, latency, pages-1, DefaultConcurrency, floor, overFloor, syncTime.Round(time.Millisecond))
	}
}
