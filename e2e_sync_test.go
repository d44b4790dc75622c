package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// dumpCustomers is a script that writes id, row_version and name of every
// cached customer, so a test can compare the cache with the server.
const dumpCustomers = `
local reader = require "reader"
local csv = require "csv"
local customers = assert(reader.customers())
assert(csv.write(arg[1], customers, { columns = { "id", "row_version", "name" } }))
`

// expectCacheEqualsServer compares the customers a script reads from the
// cache with the simulator's, record by record.
func expectCacheEqualsServer(t *testing.T, w *workdir, s *sim.Server) {
	t.Helper()
	w.write("dump.lua", dumpCustomers)
	r := w.run("run", "-q", "dump.lua", "dump.csv")
	expectCode(t, r, 0)
	rows := w.readCSV("dump.csv")
	server := s.Records("customers")
	if len(rows) != len(server) {
		t.Fatalf("cache has %d customers, server %d", len(rows), len(server))
	}
	for i, rec := range server {
		got := rows[i]
		if got["id"] != fmt.Sprint(rec["id"]) || got["row_version"] != fmt.Sprint(rec["row_version"]) || got["name"] != rec["name"] {
			t.Fatalf("customer %d: cache has id=%s version=%s name=%q, server id=%v version=%v name=%q",
				i, got["id"], got["row_version"], got["name"], rec["id"], rec["row_version"], rec["name"])
		}
	}
}

// After 10 customers change, a forced sync pulls only them: one list
// request, and the cache then equals the server.
func TestIncrementalSyncIsOneRequest(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 450, Orders: 100})
	w := newWorkdir(t)
	w.useSim(base)

	r := w.run("sync", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "customers")
	// 3 pages of 200, and one follow-up for changes made during the pull.
	first := s.RequestsFor("/customers")
	if first != 4 {
		t.Errorf("first pull of 450 customers: %d list requests, want 3 pages + 1 follow-up", first)
	}

	r = w.run("sync", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "fresh")
	if got := s.RequestsFor("/customers"); got != first {
		t.Errorf("a fresh cache sent %d more requests", got-first)
	}

	s.TouchCustomers(10)
	s.ResetRequests()
	r = w.run("sync", "--force", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "incremental")
	if got := s.RequestsFor("/customers"); got != 1 {
		t.Errorf("incremental pull after 10 changes: %d list requests, want exactly 1", got)
	}
	expectCacheEqualsServer(t, w, s)

	r = w.run("cache", "status", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "customers")
	contains(t, r.stdout, "450")
	contains(t, r.stdout, "incremental")
}

// 10% 502s and 10% throttling still give a complete, correct pull (retries
// with a 1 ms backoff base, so the test does not sleep).
func TestPullSurvivesFaults(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 8000, Orders: 100})
	s.SetFaults(sim.Faults{FailRate: 0.1, ThrottleRate: 0.1})
	w := newWorkdir(t)
	w.useSim(base)
	r := w.run("sync", "customers")
	expectCode(t, r, 0)
	s.SetFaults(sim.Faults{})
	// 40 pages at a 19% fault rate: all 40 clean has odds below 1 in 4,000.
	if s.Requests() <= 40 {
		t.Fatalf("no fault was hit in %d requests; the test proved nothing", s.Requests())
	}
	expectCacheEqualsServer(t, w, s)
}

// An exhausted quota stops the pull with the "partial" exit code and a
// clear message; the pages already pulled stay in the cache, and the next
// run continues from them.
func TestQuotaStopsAndKeepsData(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 1000, Orders: 100})
	s.SetFaults(sim.Faults{QuotaLimit: 3})
	w := newWorkdir(t)
	w.useSim(base)

	r := w.run("sync", "customers")
	expectCode(t, r, 5)
	contains(t, r.stderr, "Limit Exceeded")
	contains(t, r.stderr, "quota")

	r = w.run("cache", "status", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "partial")
	fields := strings.Fields(lineWith(t, r.stdout, "customers"))
	if n, err := strconv.Atoi(fields[2]); err != nil || n < 200 {
		t.Errorf("cache status after the quota: %q; want the pages already pulled kept", fields)
	}

	// The script sees the quota error too, and exits "partial".
	w.write("dump.lua", dumpCustomers)
	r = w.run("run", "dump.lua", "dump.csv")
	expectCode(t, r, 5)
	contains(t, r.stderr, "quota")

	s.SetFaults(sim.Faults{}) // the quota resets
	r = w.run("sync", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "resume")
	expectCacheEqualsServer(t, w, s)
}

func lineWith(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	t.Fatalf("no line starts with %q in:\n%s", prefix, text)
	return ""
}

// --sim needs no config, leaves no cache behind in the working folder, and
// writes the script's output where the script says.
func TestSimFlagRunsTheDemo(t *testing.T) {
	w := newWorkdir(t)
	w.write("skynamo-config.json", `{"SKYNAMO_INSTANCE_NAME": "acme", "SKYNAMO_API_KEY": "real-secret-key"}`)
	r := w.run("run", "--sim", w.script("customer_report.lua"), "--out", "report.csv")
	expectCode(t, r, 0)
	rows := w.readCSV("report.csv")
	if len(rows) < 10 {
		t.Fatalf("the demo report has %d rows", len(rows))
	}
	if _, err := os.Stat(filepath.Join(w.dir, "skynamo_data", "cache")); !os.IsNotExist(err) {
		t.Errorf("--sim left a cache in the working folder (%v)", err)
	}
	if strings.Contains(r.stdout+r.stderr, "real-secret-key") {
		t.Error("the real key was printed")
	}
}

// Bad input gets one clear line, the right exit code, and no secret.
func TestBadInputIsExplained(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 20, Orders: 20})
	_ = s
	w := newWorkdir(t)

	r := w.run("sync", "customers")
	expectCode(t, r, 2)
	contains(t, r.stderr, "SKYNAMO_INSTANCE_NAME")
	contains(t, r.stderr, "skynamo-config.json")

	w.write("skynamo-config.json", `{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "wrong-secret-key", "SKYNAMO_CACHE_REFRES_INTERVAL": 60}`)
	w.env = append(w.env, "SKYNAMO_API_BASE="+base)
	r = w.run("sync", "customers")
	expectCode(t, r, 4)
	contains(t, r.stderr, "Forbidden")
	contains(t, r.stderr, "SKYNAMO_CACHE_REFRESH_INTERVAL") // the typo's warning names the right key
	if strings.Contains(r.stdout+r.stderr, "wrong-secret-key") {
		t.Errorf("the API key was printed:\n%s", r.stderr)
	}

	w.write("skynamo-config.json", `{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "demo-key",}`)
	r = w.run("sync", "customers")
	expectCode(t, r, 2)
	contains(t, r.stderr, "skynamo-config.json:1:")

	w.useSim(base)
	r = w.run("sync", "custmers")
	expectCode(t, r, 2)
	contains(t, r.stderr, `"customers"`)

	w.write("typo.lua", `local c = assert(require("reader").customers())
print(c[1].custom["Credit Limt (R)"])`)
	r = w.run("run", "typo.lua")
	expectCode(t, r, 1)
	contains(t, r.stderr, "typo.lua:2:")
	contains(t, r.stderr, `"Credit Limit (R)"`)

	w.write("syntax.lua", "local x = = 1\n")
	r = w.run("run", "syntax.lua")
	expectCode(t, r, 3)
	contains(t, r.stderr, "syntax.lua:1:")
}

// --key uses another key of the config file as the token.
func TestKeyFlagChoosesAnotherToken(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 20, Orders: 20})
	w := newWorkdir(t)
	w.write("skynamo-config.json", `{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "daily-key-used-up", "HEAVY_JOBS_TOKEN": "demo-key"}`)
	w.env = append(w.env, "SKYNAMO_API_BASE="+base)
	r := w.run("sync", "customers")
	expectCode(t, r, 4)
	r = w.run("sync", "--key", "HEAVY_JOBS_TOKEN", "customers")
	expectCode(t, r, 0)
	if strings.Contains(r.stdout+r.stderr, "demo-key") {
		t.Error("the token was printed")
	}
	r = w.run("cache", "clear")
	expectCode(t, r, 0)
	r = w.run("cache", "status", "--key", "HEAVY_JOBS_TOKEN", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "never pulled")
}

// Ctrl-C during a pull stops it at once with exit 130, and the cache it
// leaves loads: the next sync completes it.
func TestInterruptedPullLeavesUsableCache(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 4000, Orders: 20})
	s.SetFaults(sim.Faults{Latency: 100 * time.Millisecond})
	w := newWorkdir(t)
	w.useSim(base)

	cmd := exec.Command(binary, "sync", "--concurrency", "1", "customers")
	cmd.Dir, cmd.Env = w.dir, w.env
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the pull is under way (page 1 and some more were asked for).
	for s.RequestsFor("/customers") < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Fatalf("interrupted sync: %v, want exit 130\n%s", err, errb.String())
	}
	contains(t, errb.String(), "interrupted")

	s.SetFaults(sim.Faults{})
	r := w.run("cache", "status", "customers")
	expectCode(t, r, 0)
	r = w.run("sync", "customers")
	expectCode(t, r, 0)
	expectCacheEqualsServer(t, w, s)
}

// A cache belongs to one API base: a run that never reached the server
// claims nothing, a cache holding another base's records is refused with a
// way out, and `cache clear` is that way out.
func TestCacheBelongsToOneAPIBase(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 20, Orders: 20})
	w := newWorkdir(t)
	w.write("skynamo-config.json", `{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "demo-key"}`)
	env := w.env

	w.env = append(env, "SKYNAMO_API_BASE=http://127.0.0.1:1/v1/") // nothing listens there
	r := w.run("sync", "customers")
	expectCode(t, r, 4)

	w.env = append(env, "SKYNAMO_API_BASE="+base)
	r = w.run("sync", "customers")
	expectCode(t, r, 0)

	_, other := startSim(t, sim.Options{Customers: 20, Orders: 20})
	w.env = append(env, "SKYNAMO_API_BASE="+other)
	r = w.run("sync", "customers")
	expectCode(t, r, 2)
	contains(t, r.stderr, "holds records of instance")
	contains(t, r.stderr, "cache clear")
	r = w.run("cache", "clear")
	expectCode(t, r, 0)
	r = w.run("sync", "customers")
	expectCode(t, r, 0)
}

// --max-requests caps what one run spends: the pull stops at the budget
// with the "partial" code, keeps its pages, and the next run continues.
func TestRequestBudget(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 1000, Orders: 20})
	w := newWorkdir(t)
	w.useSim(base)
	r := w.run("sync", "--max-requests", "2", "--concurrency", "1", "customers")
	expectCode(t, r, 5)
	contains(t, r.stderr, "--max-requests")
	if got := s.Requests(); got > 2 {
		t.Errorf("the server saw %d requests; the budget was 2", got)
	}
	s.ResetRequests()
	r = w.run("sync", "customers")
	expectCode(t, r, 0)
	contains(t, r.stdout, "resume")
	// A fresh full pull is 5 pages and a follow-up; the resume skips the 2
	// pages kept.
	if got := s.RequestsFor("/customers"); got > 5 {
		t.Errorf("the next run sent %d requests; it should continue, not start over", got)
	}
	expectCacheEqualsServer(t, w, s)
}

// --offline runs a script from the cache alone and says how old each
// entity is; an unreachable API is one line that suggests --offline.
func TestOfflineRunsFromTheCache(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 300, Orders: 20})
	w := newWorkdir(t)
	w.useSim(base)
	r := w.run("sync", "customers", "form_definitions")
	expectCode(t, r, 0)
	s.Close() // the API goes away

	w.write("dump.lua", dumpCustomers)
	r = w.run("run", "--refresh", "dump.lua", "dump.csv")
	expectCode(t, r, 4)
	contains(t, r.stderr, "--offline")

	r = w.run("run", "--offline", "dump.lua", "dump.csv")
	expectCode(t, r, 0)
	contains(t, r.stderr, "offline: customers from the cache, 300 records pulled")
	if rows := w.readCSV("dump.csv"); len(rows) != 300 {
		t.Errorf("offline dump has %d customers, want 300", len(rows))
	}

	w.write("orders.lua", `assert(require("reader").orders())`)
	r = w.run("run", "--offline", "orders.lua")
	expectCode(t, r, 2) // --offline cannot be honoured: a usage error
	contains(t, r.stderr, "orders has never been pulled")
	contains(t, r.stderr, "hint: --offline reads only the cache: run once without --offline, or pull every entity first with skynamo sync")
}

// --max-requests is often tried on the simulator first, whose cache goes
// with it: the budget's hint says so, for run and sync alike.
func TestE2EMaxRequestsUnderSimPromisesNoCache(t *testing.T) {
	w := newWorkdir(t)
	w.write("s.lua", `assert(require("reader").customers())`)
	for _, args := range [][]string{{"run", "--sim", "--max-requests", "1", "s.lua"}, {"sync", "--sim", "--max-requests", "1", "customers"}} {
		r := w.run(args...)
		expectCode(t, r, 5)
		contains(t, r.stderr, "(not under --sim, whose cache goes with the simulator)")
	}
}
