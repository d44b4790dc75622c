package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// crashBatch is 300 customer creates and 60 stock level upserts, sent five
// at a time so that a kill lands with requests done, in flight and unsent.
const crashBatch = `
local writer = require "writer"
local b = writer.batch{batch_size = 5}
for i = 1, 300 do
  b:create("customers", {code = string.format("E2E-K%04d", i), name = "E2E Crash " .. i, custom = {["Customer Type"] = "Wholesale"}})
end
for i = 1, 60 do
  b:create("stock_levels", {product_code = "SNK_001", order_unit_name = "Each", warehouse_id = (i % 3) + 1, level = 3000 + i})
end
local res = b:apply()
print("applied", res.applied)
`

// statusLine is the summary `skynamo writes status` prints per journal:
// "360 writes: 190 applied, 0 failed, 10 unknown, 160 pending".
var statusLine = regexp.MustCompile(`(\d+) writes: (\d+) applied, (\d+) failed, (\d+) unknown, (\d+) pending`)

// statusCounts reads the counts of the first summary line.
func statusCounts(t *testing.T, text string) map[string]int {
	t.Helper()
	m := statusLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no summary line in writes status:\n%s", text)
	}
	out := map[string]int{}
	for i, k := range []string{"items", "applied", "failed", "unknown", "pending"} {
		out[k], _ = strconv.Atoi(m[i+1])
	}
	return out
}

// A run killed with SIGKILL mid-apply, then `skynamo writes resume`: every
// write ends applied exactly once (the simulator's records prove it), and
// `writes status` before the resume shows the job half done. Three kills,
// after different numbers of writes reached the server.
func TestKillMidApplyThenResume(t *testing.T) {
	for _, after := range []int64{2, 15, 40} {
		t.Run(fmt.Sprintf("after-%d-writes", after), func(t *testing.T) {
			t.Parallel()
			s := startWriteSim(t, smallSim())
			// Slow requests keep the apply running long enough to be killed
			// mid-way; the test waits on the write counter, not on a clock.
			s.SetFaults(sim.Faults{Latency: 20 * time.Millisecond})
			w := newWorkdir(t)
			w.useSim(s.base)
			w.write("crash.lua", crashBatch)

			// Warm the cache first, so the killed run's requests are writes.
			expectCode(t, w.run("sync", "customers", "products", "stock_levels"), 0)
			s.ResetRequests()

			cmd := exec.Command(binary, "run", "--concurrency", "2", "crash.lua")
			cmd.Dir, cmd.Env = w.dir, w.env
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Minute)
			for s.Writes() < after && time.Now().Before(deadline) {
				time.Sleep(2 * time.Millisecond)
			}
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() {
				t.Fatalf("the apply finished before it was killed (after %d writes); the test proved nothing", s.Writes())
			}
			sentBefore := s.Writes()

			r := w.run("writes", "status")
			expectCode(t, r, 0)
			counts := statusCounts(t, r.stdout)
			t.Logf("killed after %d writes; writes status: %v", sentBefore, counts)
			// Requests of 5 items, at most 2 in flight: whatever was in flight
			// at the kill is unknown, the rest either confirmed or not sent.
			if counts["items"] != 360 || counts["applied"]+counts["unknown"]+counts["pending"] != 360 || counts["failed"] != 0 {
				t.Errorf("writes status after the kill: %v, want 360 writes, all applied, unknown or pending", counts)
			}
			if counts["pending"] == 0 || counts["unknown"] > 10 || counts["applied"] > 5*int(sentBefore) {
				t.Errorf("writes status after a kill mid-apply: %v (%d write requests had reached the server)", counts, sentBefore)
			}

			r = w.run("writes", "resume")
			expectCode(t, r, 0)
			r = w.run("writes", "status")
			expectCode(t, r, 0)
			if c := statusCounts(t, r.stdout); c["applied"] != 360 || c["pending"] != 0 || c["unknown"] != 0 {
				t.Errorf("after the resume, writes status: %v, want all 360 applied", c)
			}

			for i := 1; i <= 300; i++ {
				code := fmt.Sprintf("E2E-K%04d", i)
				if n := count(s, "customers", propIs("code", code)); n != 1 {
					t.Errorf("customer %s is in the simulator %d times, want exactly once", code, n)
				}
			}
			for wh, last := range map[int]int{1: 3060, 2: 3058, 3: 3059} {
				r := findRecord(t, s, "stock_levels", func(r map[string]any) bool {
					return r["product_code"] == "SNK_001" && r["order_unit_name"] == "Each" && fmt.Sprint(r["warehouse_id"]) == fmt.Sprint(wh)
				})
				if fmt.Sprint(r["level"]) != fmt.Sprint(last) {
					t.Errorf("SNK_001/Each/%d has level %v after the resume, want %d (the last queued)", wh, r["level"], last)
				}
			}
		})
	}
}
