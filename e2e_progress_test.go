package main

// End-to-end tests of what long work shows on stderr: the end-of-run
// summary, --verbose's request lines and the plain progress lines of a
// stderr that is not a terminal. They check counts, never times.

import (
	"bytes"
	"context"
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

func TestSummaryCountsPulledThenCached(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 450, Users: 8, Seed: 5})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("s.lua", readCounts)

	first := w.run("run", "s.lua")
	expectCode(t, first, 0)
	one := parseSummary(t, first)
	if one.cached != 0 || one.pulled < 458 || one.requests != int(s.Requests()) || one.writes != "" {
		t.Fatalf("first run: %+v (simulator saw %d requests)\n%s", one, s.Requests(), first.stderr)
	}

	// The same data dir within the refresh interval: everything from the
	// cache, not one request.
	second := w.run("run", "s.lua")
	expectCode(t, second, 0)
	two := parseSummary(t, second)
	forms := len(s.Records("form_definitions"))
	if two.requests != 0 || two.pulled != 0 || two.cached != 450+8+forms {
		t.Fatalf("second run: %+v, want 0 requests, 0 pulled, %d from cache\n%s", two, 450+8+forms, second.stderr)
	}
	if first.stdout != second.stdout {
		t.Fatalf("the runs read different data: %q vs %q", first.stdout, second.stdout)
	}

	// An incremental pull receives the changed records only; the rest is
	// served from the cache.
	s.TouchCustomers(3)
	third := w.run("run", "--refresh", "s.lua")
	expectCode(t, third, 0)
	three := parseSummary(t, third)
	if three.pulled < 3 || three.pulled+three.cached < 458 || three.cached < 400 {
		t.Fatalf("refresh after 3 changes: %+v\n%s", three, third.stderr)
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

	// A script that never touches the API has nothing to sum up.
	w.write("plain.lua", `print("hi")`)
	p := w.run("run", "plain.lua")
	expectCode(t, p, 0)
	if p.stderr != "" {
		t.Fatalf("stderr %q, want nothing", p.stderr)
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
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	w := newWorkdir(t)
	w.write("s.lua", `local reader = require "reader"
print(#reader.customers(), #reader.orders())`)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "run", "--sim", "s.lua")
	cmd.Dir, cmd.Env = w.dir, w.env
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
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
	var stderr string
	select {
	case stderr = <-screen:
	case <-ctx.Done():
		t.Fatal("stderr never ended")
	}
	for _, want := range []string{"\x1b[Kcustomers  ▕", "\x1b[Korders  ▕", "skynamo: orders: full pull", "skynamo: done in "} {
		contains(t, stderr, want)
	}
	if strings.ContainsAny(stdout.String(), "\r\x1b") || !regexp.MustCompile(`^\d+\t\d+\n$`).MatchString(stdout.String()) {
		t.Fatalf("stdout %q", stdout.String())
	}
}
