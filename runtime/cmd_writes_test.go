package runtime

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skynamo/skynamo/sim"
)

func TestWritesCheck(t *testing.T) {
	tests := []struct {
		name string
		opts writesOptions
		args []string
		bad  string // "" = valid; else part of the error
	}{
		{name: "newest", opts: writesOptions{}},
		{name: "one journal", args: []string{"j.jsonl"}},
		{name: "all", opts: writesOptions{All: true}},
		{name: "all with a journal", opts: writesOptions{All: true}, args: []string{"j"}, bad: "--all"},
		{name: "two journals", args: []string{"a", "b"}, bad: "too many arguments"},
		{name: "empty name", args: []string{""}, bad: "empty"},
		{name: "sim", opts: writesOptions{HostOptions: HostOptions{Sim: true}}, bad: "--sim"},
		{name: "resume dry run", opts: writesOptions{Resume: true, HostOptions: HostOptions{DryRun: true}}, bad: "--dry-run"},
		{name: "resume offline", opts: writesOptions{Resume: true, HostOptions: HostOptions{Offline: true}}, bad: "--offline"},
		{name: "status dry run", opts: writesOptions{HostOptions: HostOptions{DryRun: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Config = DefaultConfigPath
			err := tt.opts.check(tt.args)
			switch {
			case tt.bad == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)):
				t.Fatalf("error %v, want one about %q", err, tt.bad)
			case err != nil:
				if code, _ := classify(err, nil); code != ExitUsage {
					t.Errorf("exit code %d, want %d", code, ExitUsage)
				}
			}
		})
	}
}

// simCLI is a CLI whose config points at a small simulator on 127.0.0.1:0,
// with its data folder (cache and journals) in the test's working folder.
func simCLI(t *testing.T) (*cli, *sim.Server) {
	t.Helper()
	s := sim.New(sim.Options{Customers: 20, Products: 8, Orders: 30, Seed: 5})
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := newCLI(t)
	c.env = map[string]string{
		"SKYNAMO_INSTANCE_NAME": sim.DefaultInstance, "SKYNAMO_API_KEY": sim.DefaultAPIKey,
		"SKYNAMO_API_BASE": base, RetryBaseEnv: "1ms",
	}
	return c, s
}

func countNamed(s *sim.Server, collection, prefix string) int {
	n := 0
	for _, r := range s.Records(collection) {
		if name, _ := r["name"].(string); strings.HasPrefix(name, prefix) {
			n++
		}
	}
	return n
}

const createRates = `
local writer = require "writer"
local b = writer.batch { batch_size = 1 }
for i = 1, 5 do b:create("tax_rates", { name = "Resumed " .. i, rate = i }) end
local res = b:apply { dry_run = false }
print("applied", res.applied, "planned", res.planned, "failed", res.failed)
`

func TestDryRunFlagBeatsTheScript(t *testing.T) {
	c, s := simCLI(t)
	r := c.run("run", "--dry-run", c.script("s.lua", createRates))
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "applied\t0\tplanned\t5\tfailed\t0")
	mustContain(t, "stderr", r.stderr, "--dry-run: nothing is sent", "dry run: 5 planned")
	if n := countNamed(s, "taxrates", "Resumed "); n != 0 {
		t.Errorf("%d tax rates were created in a dry run", n)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "skynamo_data", "journal")); err == nil {
		t.Errorf("a dry run wrote a journal")
	}
}

func TestSimModeWrites(t *testing.T) {
	c := newCLI(t)
	c.env[RetryBaseEnv] = "1ms"
	r := c.run("run", "--sim", c.script("s.lua", createRates+`
local reader = require "reader"
local n = 0
for _, r in ipairs(assert(reader.tax_rates())) do
  if r.name:find("^Resumed ") then n = n + 1 end
end
print("read back", n)
`))
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "applied\t5\tplanned\t0\tfailed\t0", "read back\t5")
}

func TestApplyWithFailedItemsExitsPartial(t *testing.T) {
	c, s := simCLI(t)
	src := `
local writer = require "writer"
local b = writer.batch()
b:create("tax_rates", { name = "Good Rate", rate = 15 })
b:create("tax_rates", { name = "Bad Rate", rate = "fifteen" })
b:update("tax_rates", { id = 987654 }, { rate = 3 })
local res = b:apply()
print("applied", res.applied, "failed", res.failed)
`
	r := c.lua(src)
	r.expect(t, ExitPartial)
	mustContain(t, "stdout", r.stdout, "applied\t1\tfailed\t2")
	mustContain(t, "stderr", r.stderr, "writer: 1 applied, 2 failed, 0 unknown in ", "item 2 (", "rate", "item 3 (",
		"skynamo: partial: writer: of 3 writes, 2 failed")
	if n := countNamed(s, "taxrates", "Good Rate"); n != 1 {
		t.Errorf("%d good rates, want 1", n)
	}

	// The journal keeps the validation failure and the server's refusal:
	// writes failed exports both.
	r = c.run("writes", "failed", "--out", "failed.csv")
	r.expect(t, ExitOK)
	rows := readCSV(t, filepath.Join(c.dir, "failed.csv"))
	if len(rows) != 3 || strings.Join(rows[0], ",") != "index,entity,kind,label,status,error,body" {
		t.Fatalf("failed.csv: %q", rows)
	}
	if rows[1][0] != "2" || rows[1][4] != "failed" || !strings.Contains(rows[1][5], "rate: must be a number") {
		t.Errorf("validation failure row: %q", rows[1])
	}
	if rows[2][0] != "3" || rows[2][4] != "failed" || rows[2][5] == "" || !strings.Contains(rows[2][6], "987654") {
		t.Errorf("refused row: %q", rows[2])
	}
	r = c.run("writes", "failed")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "index,entity,kind,label,status,error,body\n2,tax_rates,create,", "\n3,tax_rates,update,")

	// Reading journals needs no API key: without any config they are
	// still found in the default data folder. Resuming needs the API.
	c.env = map[string]string{}
	r = c.run("writes", "status")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "3 writes: 1 applied, 2 failed")
	c.run("writes", "failed").expect(t, ExitOK)
	c.run("writes", "resume").expect(t, ExitUsage)
}

func TestStoppedApplyResumes(t *testing.T) {
	c, s := simCLI(t)
	r := c.run("run", "--max-requests", "3", c.script("s.lua", createRates))
	r.expect(t, ExitPartial)
	mustContain(t, "stderr", r.stderr, "apply stopped", "skynamo writes resume")
	// The budget covers every request: the apply's lookups of existing
	// names use some, so fewer than 3 creates may have gone out.
	sent := countNamed(s, "taxrates", "Resumed ")
	if sent < 1 || sent > 3 {
		t.Fatalf("%d rates created before the stop, want 1 to 3\nstderr:\n%s", sent, r.stderr)
	}

	r = c.run("writes", "status")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "not finished",
		fmt.Sprintf("5 writes: %d applied, 0 failed, 0 unknown, %d pending", sent, 5-sent), "not sent yet: items ")

	r = c.run("writes", "status", "--all")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "journal", "not finished")

	r = c.run("writes", "resume")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "5 writes: 5 applied, 0 failed, 0 unknown, 0 pending")
	if n := countNamed(s, "taxrates", "Resumed "); n != 5 {
		t.Errorf("%d rates after the resume, want 5 (each once)", n)
	}
	r = c.run("writes", "status")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "(finished)")

	r = c.run("writes", "status", "nope")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, `no journal "nope"`)
}

func TestWritesWithoutJournal(t *testing.T) {
	c, _ := simCLI(t)
	r := c.run("writes", "status")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, "no journal in")
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestOfflineAppliesOnlyDryRuns(t *testing.T) {
	c, s := simCLI(t)
	r := c.run("run", "--offline", c.script("s.lua", createRates))
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "--offline sends no request", "dry_run")
	r = c.run("run", "--offline", "--dry-run", "s.lua")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "planned\t5")
	if n := countNamed(s, "taxrates", "Resumed "); n != 0 {
		t.Errorf("%d tax rates created offline", n)
	}
}

// A damaged journal (here an empty one, newer than the good one) is named
// in a warning; status, status --all and resume carry on with the others.
func TestDamagedJournalDoesNotBlockTheOthers(t *testing.T) {
	c, _ := simCLI(t)
	c.lua(createRates).expect(t, ExitOK)
	bad := filepath.Join(c.dir, "skynamo_data", "journal", "20990101T000000.000Z-1.jsonl")
	if err := os.WriteFile(bad, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		out  string
	}{
		{[]string{"writes", "status"}, "5 writes: 5 applied"},
		{[]string{"writes", "status", "--all"}, "finished  5       5"},
		{[]string{"writes", "resume"}, "5 writes: 5 applied"},
	} {
		args := tt.args
		r := c.run(args...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, tt.out)
		mustContain(t, "stderr", r.stderr, "warning: journal "+bad+" is empty")
		if n := strings.Count(r.stderr, "20990101T000000.000Z-1.jsonl"); n != 1 {
			t.Errorf("%v: the damaged journal is named %d times:\n%s", args, n, r.stderr)
		}
	}
}
