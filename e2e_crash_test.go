package main

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// kill -9 at a random moment of a pull, 20 times in a row: every time the
// cache still loads, and the next pull completes it to equal the server.
// Every other round starts from an empty cache, so kills land in full pulls
// (60 pages: past the first checkpoint at 50) as well as in the resumes and
// incremental pulls that follow them.
func TestKillDuringPullTwentyTimes(t *testing.T) {
	// 60 pages at 10 ms, two at a time: a full pull lasts longer than the
	// longest wait before the kill, so the kills of the even rounds land in
	// full pulls on any machine.
	s, base := startSim(t, sim.Options{Customers: 12000, Orders: 20})
	s.SetFaults(sim.Faults{Latency: 10 * time.Millisecond})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("load.lua", `local c = assert(require("reader").customers()); print(#c)`)
	rng := rand.New(rand.NewPCG(20, 26)) // the moments are random but the same every run

	killed := 0
	for i := range 20 {
		s.TouchCustomers(3) // the server moves on between runs, as in production
		if i%2 == 0 {
			expectCode(t, w.run("cache", "clear", "customers"), 0)
		}
		cmd := exec.Command(binary, "sync", "--force", "--concurrency", "2", "customers")
		cmd.Dir, cmd.Env = w.dir, w.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Kill()
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		} else if err != nil {
			t.Fatalf("round %d: the sync failed before it was killed: %v", i+1, err)
		}

		// The records load (or were never saved): never a broken cache.
		r := w.run("run", "-q", "--offline", "load.lua")
		if r.code != 0 && !strings.Contains(r.stderr, "never been pulled") {
			t.Fatalf("after kill %d the cache does not load (exit %d):\n%s", i+1, r.code, r.stderr)
		}
	}
	t.Logf("%d of 20 syncs were killed mid-run", killed)
	if killed < 8 {
		t.Errorf("only %d of 20 syncs were still running when killed; the test proved little", killed)
	}
	s.SetFaults(sim.Faults{})
	r := w.run("sync", "customers")
	expectCode(t, r, 0)
	expectCacheEqualsServer(t, w, s)
}

// Two runs on one data folder at once (overlapping cron jobs): both finish,
// the cache is not corrupted, and it equals the server.
func TestOverlappingRuns(t *testing.T) {
	// Slow enough (15 pages at 60 ms, two at a time) that the second run
	// always starts while the first holds the lock.
	s, base := startSim(t, sim.Options{Customers: 3000, Orders: 20})
	s.SetFaults(sim.Faults{Latency: 60 * time.Millisecond})
	w := newWorkdir(t)
	w.useSim(base)

	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(binary, "sync", "--force", "--concurrency", "2", "customers")
			cmd.Dir, cmd.Env = w.dir, w.env
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			results[i] = result{code: code, stdout: out.String(), stderr: errb.String()}
		}()
	}
	wg.Wait()
	waited := 0
	for _, r := range results {
		expectCode(t, r, 0)
		if strings.Contains(r.stderr, "waiting for another skynamo") {
			waited++
		}
	}
	if waited == 0 {
		t.Errorf("neither run said it waited for the other:\n%s\n%s", results[0].stderr, results[1].stderr)
	}
	s.SetFaults(sim.Faults{})
	expectCacheEqualsServer(t, w, s)
}
