package main

// End-to-end tests of what long work shows on stderr: the end-of-run
// summary, --verbose's request lines and the plain progress lines of a
// stderr that is not a terminal. They check counts, never times.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"skynamo/skynamo/sim"
)

// summaryRE matches run's last line and captures its counts.
var summaryRE = regexp.MustCompile(`(?m)^skynamo: done in [0-9.ms]+ · ([0-9,]+) requests? · ([0-9,]+) records? pulled, ([0-9,]+) from cache(?: · writes: (.*))?$`)

type runSummary struct {
	requests, pulled, cached int
	writes                   string
}

func parseSummary(t *testing.T, r result) runSummary {
	t.Helper()
	m := summaryRE.FindAllStringSubmatch(r.stderr, -1)
	if len(m) != 1 {
		t.Fatalf("want one summary line on stderr, found %d:\n%s", len(m), r.stderr)
	}
	if !strings.HasSuffix(r.stderr, m[0][0]+"\n") {
		t.Fatalf("the summary is not the last line of stderr:\n%s", r.stderr)
	}
	num := func(s string) int {
		n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return runSummary{requests: num(m[0][1]), pulled: num(m[0][2]), cached: num(m[0][3]), writes: m[0][4]}
}

const readCounts = `
local reader = require "reader"
local c = assert(reader.customers())
local u = assert(reader.users())
print(#c, #u)
`

// readOrders reads orders, which the reader joins with their interactions
// and completed forms: only the orders reach the script.
const readOrders = `
local reader = require "reader"
local c = assert(reader.customers())
local u = assert(reader.users())
local o = assert(reader.orders())
print(#c, #u, #o)
`

func TestSummaryCountsPulledThenCached(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 450, Users: 8, Orders: 120, Seed: 5})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("s.lua", readOrders)
	customers, users, orders := len(s.Records("customers")), len(s.Records("users")), len(s.Records("orders"))
	handed := customers + users + orders

	first := w.run("run", "s.lua")
	expectCode(t, first, 0)
	one := parseSummary(t, first)
	if one.cached != 0 || one.pulled < handed || one.requests != int(s.Requests()) || one.writes != "" {
		t.Fatalf("first run: %+v (simulator saw %d requests)\n%s", one, s.Requests(), first.stderr)
	}

	// The same data dir within the refresh interval: everything from the
	// cache, not one request. "From cache" is what the script received:
	// the customers, users and orders, not the interactions, completed
	// forms and form definitions read to complete them.
	second := w.run("run", "s.lua")
	expectCode(t, second, 0)
	two := parseSummary(t, second)
	if two.requests != 0 || two.pulled != 0 || two.cached != handed {
		t.Fatalf("second run: %+v, want 0 requests, 0 pulled, %d from cache\n%s", two, handed, second.stderr)
	}
	if want := fmt.Sprintf("%d\t%d\t%d\n", customers, users, orders); second.stdout != want {
		t.Fatalf("the script read %q, want %q", second.stdout, want)
	}
	if first.stdout != second.stdout {
		t.Fatalf("the runs read different data: %q vs %q", first.stdout, second.stdout)
	}

	// An incremental pull receives the changed records only; the rest of
	// what the script receives is served from the cache.
	s.TouchCustomers(3)
	w.write("c.lua", `print(#assert(require("reader").customers{refresh = true}))`)
	third := w.run("run", "c.lua")
	expectCode(t, third, 0)
	three := parseSummary(t, third)
	if three.pulled < 3 || three.cached != customers-3 {
		t.Fatalf("refresh after 3 changes: %+v, want %d from cache\n%s", three, customers-3, third.stderr)
	}
}

func TestSummaryAfterAScriptErrorAndNotWhenQuiet(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 30, Users: 4, Seed: 2})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("boom.lua", `local reader = require "reader"
local c = reader.customers()
error("boom after " .. #c)`)
	r := w.run("run", "boom.lua")
	expectCode(t, r, 1)
	contains(t, r.stderr, "boom after 30")
	if got := parseSummary(t, r); got.pulled < 30 {
		t.Fatalf("summary %+v", got)
	}

	q := w.run("run", "--quiet", "boom.lua")
	expectCode(t, q, 1)
	if strings.Contains(q.stderr, "done in") {
		t.Fatalf("--quiet printed the summary:\n%s", q.stderr)
	}

	// A script that never touches the API prints no summary: requiring
	// reader or writer is not touching it, nor is an exit before any read.
	w.write("plain.lua", `print("hi")`)
	w.write("required.lua", `local reader, writer = require "reader", require "writer"
print(#writer.batch())
if arg[1] == "usage" then io.stderr:write("bad option\n") os.exit(2) end`)
	for _, r := range []result{w.run("run", "plain.lua"), w.run("run", "required.lua")} {
		expectCode(t, r, 0)
		if r.stderr != "" {
			t.Fatalf("stderr %q, want nothing", r.stderr)
		}
	}
	u := w.run("run", "required.lua", "usage")
	expectCode(t, u, 2)
	if u.stderr != "bad option\n" {
		t.Fatalf("stderr %q, want the script's line alone", u.stderr)
	}

	// A partial exit after reading keeps the summary last.
	w.write("partial.lua", `local reader = require "reader"
print(#reader.customers())
os.exit(5)`)
	pr := w.run("run", "partial.lua")
	expectCode(t, pr, 5)
	parseSummary(t, pr)

	// A run that stops before the script runs ends with its error alone.
	w.write("broken.lua", `local x = = 1`)
	for _, r := range []result{w.run("run", "broken.lua"), w.run("run", "--no-such-flag", "plain.lua")} {
		if r.code != 3 && r.code != 2 {
			t.Fatalf("exit %d, want 3 (does not load) or 2 (usage)\n%s", r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "done in") {
			t.Fatalf("a run that never started printed a summary:\n%s", r.stderr)
		}
	}
}

func TestSummaryCountsWrites(t *testing.T) {
	ws := startWriteSim(t, smallSim())
	w := newWorkdir(t)
	w.useSim(ws.base)
	w.write("w.lua", `
local writer = require "writer"
local b = writer.batch()
local kind = {["Customer Type"] = "Wholesale"}
b:create("customers", {code = "E1", name = "One", custom = kind})
b:create("customers", {code = "E2", name = "Two", custom = kind})
b:create("customers", {code = "E3", custom = kind}) -- no name: invalid
local res = b:apply()
print(res.applied, res.failed)
`)
	r := w.run("run", "w.lua")
	expectCode(t, r, 5) // one write failed validation: partial
	got := parseSummary(t, r)
	if got.writes != "2 applied, 1 failed, 0 unknown" {
		t.Fatalf("writes %q\n%s", got.writes, r.stderr)
	}
	contains(t, r.stderr, "skynamo: partial:")

	d := w.run("run", "--dry-run", "w.lua")
	if got := parseSummary(t, d); !strings.Contains(got.writes, "planned (dry run)") {
		t.Fatalf("dry run writes %q\n%s", got.writes, d.stderr)
	}
}

func TestVerboseNamesEveryRequestAndNoSecret(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 450, Users: 4, Seed: 9})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("s.lua", readCounts)
	r := w.run("run", "--verbose", "s.lua")
	expectCode(t, r, 0)
	lines := regexp.MustCompile(`(?m)^skynamo: GET /[a-z]+\?\S+ 200 [0-9.]+m?s$`).FindAllString(r.stderr, -1)
	if len(lines) != int(s.Requests()) {
		t.Fatalf("%d request lines for %d requests:\n%s", len(lines), s.Requests(), r.stderr)
	}
	contains(t, r.stderr, "GET /customers?flags=show_nulls&page_number=3&page_size=200 200 ")
	for _, secret := range []string{"demo-key", "x-api-key"} {
		if strings.Contains(r.stderr, secret) {
			t.Fatalf("stderr shows %q:\n%s", secret, r.stderr)
		}
	}
	u := w.run("run", "--quiet", "--verbose", "s.lua")
	expectCode(t, u, 2)
}

func TestPlainProgressOfALongPull(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 30, Users: 4, Seed: 4})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("s.lua", `local reader = require "reader"
local http = require "http"
print(#assert(reader.customers()))`)
	// Tiny pages make a short pull long enough for plain progress lines.
	w.env = append(w.env, "SKYNAMO_PAGE_SIZE=1")
	r := w.run("run", "s.lua")
	expectCode(t, r, 0)
	if strings.ContainsAny(r.stderr, "\r\x1b") {
		t.Fatalf("stderr is not a terminal but got control characters: %q", r.stderr)
	}
	contains(t, r.stderr, "skynamo: customers: 3/30 pages, 3 records\n")
}

// With stderr on a terminal the binary draws bars there, and stdout (a
// pipe here) stays free of them.
func TestBarsOnATerminalStderr(t *testing.T) {
	w := newWorkdir(t)
	w.write("s.lua", `local reader = require "reader"
print(#reader.customers(), #reader.orders())`)
	stdout, stderr := runWithTerminalStderr(t, w, "run", "--sim", "s.lua")
	for _, want := range []string{"\x1b[Kcustomers  ▕", "\x1b[Korders  ▕", "skynamo: orders: full pull", "skynamo: done in "} {
		contains(t, stderr, want)
	}
	if strings.ContainsAny(stdout, "\r\x1b") || !regexp.MustCompile(`^\d+\t\d+\n$`).MatchString(stdout) {
		t.Fatalf("stdout %q", stdout)
	}
}

// TERM=dumb is a terminal that cannot redraw a line: plain lines only.
func TestNoBarsOnADumbTerminal(t *testing.T) {
	w := newWorkdir(t)
	w.write("s.lua", `local reader = require "reader"
print(#reader.customers())`)
	w.env = append(w.env, "TERM=dumb")
	_, stderr := runWithTerminalStderr(t, w, "run", "--sim", "s.lua")
	contains(t, stderr, "skynamo: customers: full pull")
	if strings.Contains(stderr, "\x1b") || strings.Contains(strings.ReplaceAll(stderr, "\r\n", "\n"), "\r") {
		t.Fatalf("bars on a dumb terminal: %q", stderr)
	}
}

// runWithTerminalStderr runs the binary with stderr on a pseudo-terminal
// 100 columns wide and stdout on a pipe, returning what each received.
func runWithTerminalStderr(t *testing.T, w *workdir, args ...string) (stdout, stderr string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds its own copy; EOF comes when it exits
	screen := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, ptmx) // ends with EIO once the child is gone
		screen <- b.String()
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run: %v", err)
	}
	select {
	case stderr = <-screen:
	case <-ctx.Done():
		t.Fatal("stderr never ended")
	}
	return out.String(), stderr
}
