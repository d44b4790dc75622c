package main

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"skynamo/skynamo/sim"
)

// Tests of scripts/sync_erp_reference.lua: the real binary against a
// simulator the test inspects, on ERP files written to a temporary folder.

// simPost sends a write straight to the simulator, to set up records the
// seed does not have.
func simPost(t *testing.T, s *writeSim, path, body string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.base, "/")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-client", "demo")
	req.Header.Set("x-api-key", "demo-key")
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, text)
	}
}

// erpFixture is a simulator whose tax rates are the seed's ("VAT 15% (T01)",
// "Zero Rated (T00)", "Exempt (T02)", inactive "VAT 14% (T99)") and whose
// warehouses are the seed's four without ERP ids (one, "Pretoria
// (closed)", inactive) plus two with: "Cape Town Depot (W02)" and
// "Old Depot (W09)". The ERP files rename, re-rate, reactivate, create and
// drop some of each; the warehouse file uses its own column names.
func erpFixture(t *testing.T) (*writeSim, *workdir) {
	t.Helper()
	s := startWriteSim(t, smallSim())
	simPost(t, s, "/warehouses", `[{"name": "Cape Town Depot (W02)", "order_email": "old.cpt@demo-company.example"},
		{"name": "Old Depot (W09)"}]`)
	s.writes.Store(0)
	w := newWorkdir(t)
	w.useSim(s.base)
	w.write("erp/tax.csv", "id,name,rate,active\n"+
		"T01,VAT 15%,16,yes\n"+ // re-rate
		"T00,Zero-rated,0,yes\n"+ // rename
		"T99,VAT 14%,14,Y\n"+ // reactivate
		"T05,Reduced,\"5,5%\",\n"+ // create (empty active = active; decimal comma and %)
		"T07,Retired,3,no\n") // inactive and not in Skynamo: nothing
	// T02 is not in the file: deactivated.
	w.write("erp/wh.csv", "code,description,email,status\n"+
		"W01,Johannesburg Central,orders.central@demo-company.example,active\n"+ // create
		"W02,Cape Town Depot,new.cpt@demo-company.example,active\n") // new order e-mail
	// W09 is not in the file: deactivated.
	return s, w
}

func (w *workdir) erpRun(extra ...string) result {
	args := []string{"run", w.script("sync_erp_reference.lua"),
		"--tax-file", "erp/tax.csv",
		"--warehouse-file", "erp/wh.csv", "--warehouse-id-col", "code", "--warehouse-name-col", "description",
		"--warehouse-email-col", "email", "--warehouse-active-col=status",
		"--plan-out", "plan.csv"}
	return w.run(append(args, extra...)...)
}

// planRows reads the plan CSV as sorted "action|entity|erp_id|property|before|after" lines.
func planRows(w *workdir) []string {
	var out []string
	for _, r := range w.readCSV("plan.csv") {
		out = append(out, strings.Join([]string{r["action"], r["entity"], r["erp_id"], r["property"], r["before"], r["after"]}, "|"))
	}
	sort.Strings(out)
	return out
}

var wantPlan = []string{
	"create|tax rate|T05|name||Reduced (T05)",
	"create|warehouse|W01|name||Johannesburg Central (W01)",
	"deactivate|tax rate|T02|active|true|false",
	"deactivate|warehouse|W09|active|true|false",
	"re-rate|tax rate|T01|rate|15|16",
	"reactivate|tax rate|T99|active|false|true",
	"rename|tax rate|T00|name|Zero Rated (T00)|Zero-rated (T00)",
	"update|warehouse|W02|order_email|old.cpt@demo-company.example|new.cpt@demo-company.example",
}

// A dry run (the default) prints the plan and writes the plan CSV with
// exactly the expected changes, and sends no write.
func TestERPSyncDryRunPlansAndWritesNothing(t *testing.T) {
	s, w := erpFixture(t)
	r := w.erpRun()
	expectCode(t, r, 0)
	if n := s.Writes(); n != 0 {
		t.Fatalf("the dry run sent %d writes: %s", n, s.writesSummary())
	}
	got := planRows(w)
	if strings.Join(got, "\n") != strings.Join(wantPlan, "\n") {
		t.Errorf("plan CSV:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantPlan, "\n"))
	}
	for _, line := range []string{
		`re-rate    tax rate T01 (id 1): rate 15 → 16`,
		`rename     tax rate T00 (id 2): name "Zero Rated (T00)" → "Zero-rated (T00)"`,
		`create     tax rate T05: "Reduced (T05)", rate 5.5`,
		`deactivate tax rate T02 (id 3): active true → false (not in the ERP file)`,
		`reactivate tax rate T99 (id 4): active false → true`,
		`create     warehouse W01: "Johannesburg Central (W01)"`,
		`left alone (no ERP id in brackets at the end of its name): warehouse 1 "Johannesburg DC"`,
		"dry run: nothing was written",
	} {
		contains(t, r.stdout, line)
	}
	if strings.Contains(r.stdout, "T07") {
		t.Errorf("an inactive ERP record missing from Skynamo should change nothing:\n%s", r.stdout)
	}
}

// --apply makes Skynamo match the ERP; a second dry run then finds nothing
// to change, and a second --apply sends no write (idempotence).
func TestERPSyncApplyThenNothingToChange(t *testing.T) {
	s, w := erpFixture(t)
	r := w.erpRun("--apply")
	expectCode(t, r, 0)
	contains(t, r.stdout, "applied 8, failed 0")
	outcome := w.readCSV("plan.csv")
	if len(outcome) != len(wantPlan) {
		t.Errorf("the outcome CSV has %d rows, want %d", len(outcome), len(wantPlan))
	}
	for _, row := range outcome {
		if row["status"] != "applied" || row["method"] == "" {
			t.Errorf("outcome row %v: want status applied and the method", row)
		}
	}

	tax := map[string]map[string]any{}
	for _, rec := range s.Records("tax_rates") {
		tax[rec["name"].(string)] = rec
	}
	for name, want := range map[string]struct {
		rate   string
		active bool
	}{
		"VAT 15% (T01)": {"16", true}, "Zero-rated (T00)": {"0", true}, "Exempt (T02)": {"0", false},
		"VAT 14% (T99)": {"14", true}, "Reduced (T05)": {"5.5", true},
	} {
		rec := tax[name]
		if rec == nil {
			t.Errorf("no tax rate %q after the apply; have %v", name, keys(tax))
			continue
		}
		if num(t, rec["rate"]) != num(t, json.Number(want.rate)) || rec["active"] != want.active {
			t.Errorf("tax rate %q: rate %v active %v, want %s %v", name, rec["rate"], rec["active"], want.rate, want.active)
		}
	}
	if len(tax) != 5 {
		t.Errorf("%d tax rates after the apply, want 5: %v", len(tax), keys(tax))
	}
	wh := map[string]map[string]any{}
	for _, rec := range s.Records("warehouses") {
		wh[rec["name"].(string)] = rec
	}
	for name, want := range map[string]struct {
		email  any
		active bool
	}{
		"Johannesburg Central (W01)": {"orders.central@demo-company.example", true},
		"Cape Town Depot (W02)":      {"new.cpt@demo-company.example", true},
		"Old Depot (W09)":            {nil, false},
		"Johannesburg DC":            {"orders.jhb@demo-company.example", true}, // no ERP id: untouched
		"Pretoria (closed)":          {nil, false},
	} {
		rec := wh[name]
		if rec == nil {
			t.Errorf("no warehouse %q after the apply; have %v", name, keys(wh))
			continue
		}
		if rec["order_email"] != want.email || rec["active"] != want.active {
			t.Errorf("warehouse %q: order_email %v active %v, want %v %v", name, rec["order_email"], rec["active"], want.email, want.active)
		}
	}

	s.writes.Store(0)
	r = w.erpRun()
	expectCode(t, r, 0)
	contains(t, r.stdout, "nothing to change")
	if got := planRows(w); len(got) != 0 {
		t.Errorf("the plan after the apply is not empty:\n%s", strings.Join(got, "\n"))
	}
	r = w.erpRun("--apply")
	expectCode(t, r, 0)
	contains(t, r.stdout, "nothing to change")
	if n := s.Writes(); n != 0 {
		t.Errorf("a second --apply sent %d writes: %s", n, s.writesSummary())
	}
}

// The host's --dry-run wins over the script's --apply.
func TestERPSyncHostDryRunBeatsApply(t *testing.T) {
	s, w := erpFixture(t)
	args := []string{"run", "--dry-run", w.script("sync_erp_reference.lua"), "--tax-file", "erp/tax.csv", "--apply", "--plan-out", "plan.csv"}
	r := w.run(args...)
	expectCode(t, r, 0)
	contains(t, r.stdout, "--dry-run was given, so nothing was written")
	if n := s.Writes(); n != 0 {
		t.Errorf("--dry-run with --apply sent %d writes: %s", n, s.writesSummary())
	}
}

// Duplicated ERP ids, in the file or in Skynamo, stop the run with a clear
// error before anything is written.
func TestERPSyncDuplicateIDs(t *testing.T) {
	s, w := erpFixture(t)
	w.write("erp/tax.csv", "id,name,rate\nT01,VAT,15\nT05,Reduced,5\nT01,VAT again,15\n")
	r := w.erpRun("--apply")
	expectCode(t, r, 1)
	contains(t, r.stderr, `line 4: ERP id "T01" is also on line 2`)

	simPost(t, s, "/warehouses", `[{"name": "Second Old Depot (W09)"}]`)
	s.writes.Store(0)
	w.write("erp/tax.csv", "id,name,rate\nT01,VAT 15%,15\n")
	r = w.erpRun("--apply")
	expectCode(t, r, 1)
	contains(t, r.stderr, `ERP id "W09" is on Skynamo warehouse`)
	contains(t, r.stderr, `"Old Depot (W09)"`)
	contains(t, r.stderr, `"Second Old Depot (W09)"`)
	if n := s.Writes(); n != 0 {
		t.Errorf("a run stopped by duplicates sent %d writes: %s", n, s.writesSummary())
	}
}

// Bad arguments and files give one-line errors: a mistake in the command
// line (an unknown option, a missing value, no file, a file that cannot be
// opened) exits 2 before any config is read; bad data in a file exits 1. A
// missing column is named with the columns the file has.
func TestERPSyncBadInput(t *testing.T) {
	w := newWorkdir(t)
	w.write("tax.csv", "code,description,pct\nT01,VAT,15\n")
	w.write("bad_rate.csv", "id,name,rate,active\nT01,VAT,fifteen,yes\nT02,Zero,0,perhaps\n")
	script := w.script("sync_erp_reference.lua")
	for _, c := range []struct {
		args []string
		want []string
		code int
	}{
		{nil, []string{"give --tax-file PATH, --warehouse-file PATH or both"}, 2},
		{[]string{"--frobnicate"}, []string{"unknown option --frobnicate"}, 2},
		{[]string{"--tax-fil", "tax.csv"}, []string{"unknown option --tax-fil, did you mean --tax-file?"}, 2},
		{[]string{"--tax-file"}, []string{"--tax-file needs a value"}, 2},
		{[]string{"--tax-file", "missing.csv"}, []string{"--tax-file", "missing.csv"}, 2},
		{[]string{"--tax-file", "tax.csv"}, []string{`tax.csv has no column "id" (--tax-id-col); its columns are: "code", "description", "pct"`}, 1},
		{[]string{"--tax-file", "tax.csv", "--tax-id-col", "code", "--tax-name-col", "description", "--tax-rate-col", "rate"},
			[]string{`has no column "rate" (--tax-rate-col); its columns are: "code", "description", "pct"`}, 1},
		{[]string{"--tax-file", "tax.csv", "--tax-id-col", "code", "--tax-name-col", "description", "--tax-rate-col", "pct", "--tax-active-col", "enabled"},
			[]string{`has no column "enabled" (--tax-active-col)`}, 1},
		{[]string{"--tax-file", "bad_rate.csv"}, []string{`bad_rate.csv line 2: rate "fifteen" is not a number`, `bad_rate.csv line 3: active "perhaps" is not true or false`}, 1},
	} {
		r := w.run(append([]string{"run", "--sim", script}, c.args...)...)
		if r.code != c.code {
			t.Errorf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", c.args, r.code, c.code, r.stdout, r.stderr)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%v: want %q in:\n%s", c.args, want, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "stack traceback") {
			t.Errorf("%v: a traceback for a user error:\n%s", c.args, r.stderr)
		}
	}
}

// --help and argument mistakes need no config: the script reads its
// arguments before it requires reader or writer, which connect.
func TestERPSyncHelp(t *testing.T) {
	w := newWorkdir(t)
	r := w.run("run", "--sim", w.script("sync_erp_reference.lua"), "--help")
	expectCode(t, r, 0)
	for _, want := range []string{"usage: sync_erp_reference.lua", "--tax-file", "--warehouse-email-col", "--apply", "in brackets"} {
		contains(t, r.stdout, want)
	}
	for _, c := range []struct {
		args []string
		code int
	}{{[]string{"--help"}, 0}, {[]string{"--apply=yes"}, 2}} {
		r := w.run(append([]string{"run", "sync_erp_reference"}, c.args...)...)
		expectCode(t, r, c.code)
		if strings.Contains(r.stderr, "SKYNAMO_INSTANCE_NAME") {
			t.Errorf("%v without a config asked for one:\n%s", c.args, r.stderr)
		}
	}
}

// With the in-process simulator (--sim), whose seed names its tax rates
// with ERP ids, the default dry run plans against the demo data.
func TestERPSyncWithBuiltInSimulator(t *testing.T) {
	w := newWorkdir(t)
	w.write("tax.csv", "id,name,rate\nT01,VAT 15%,15\nT00,Zero Rated,0\nT02,Exempt,0\n")
	r := w.run("run", "--sim", w.script("sync_erp_reference.lua"), "--tax-file", "tax.csv")
	expectCode(t, r, 0)
	contains(t, r.stdout, "nothing to change")
	w.write("tax.csv", "id,name,rate\nT01,VAT 15%,15\nT00,Zero Rated,0\n")
	r = w.run("run", "--sim", w.script("sync_erp_reference.lua"), "--tax-file", "tax.csv")
	expectCode(t, r, 0)
	contains(t, r.stdout, `deactivate tax rate T02 (id 3): active true → false (not in the ERP file)`)
	rows := w.readCSV("skynamo_data/output/erp_reference_plan.csv")
	if len(rows) != 1 || rows[0]["action"] != "deactivate" || rows[0]["status"] != "planned" {
		t.Errorf("plan CSV: %v", rows)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// An apply cut short by the quota exits 5 naming `skynamo writes resume`;
// once the quota is back, the resume finishes the job and a dry run then
// finds nothing to change.
func TestERPSyncQuotaStopThenResume(t *testing.T) {
	s, w := erpFixture(t)
	// The two reads of the run and one write get through; the rest meet
	// "Limit Exceeded".
	s.SetFaults(sim.Faults{QuotaLimit: 3})
	s.ResetRequests()
	r := w.erpRun("--apply")
	expectCode(t, r, 5)
	contains(t, r.stderr, "writes resume")
	if rows := w.readCSV("plan.csv"); len(rows) != len(wantPlan) {
		t.Errorf("the plan CSV of the stopped apply has %d rows, want %d", len(rows), len(wantPlan))
	}
	if s.Writes() == 0 {
		t.Fatal("no write was sent before the quota; the test proved nothing")
	}

	s.SetFaults(sim.Faults{})
	r = w.run("writes", "resume")
	expectCode(t, r, 0)
	r = w.erpRun()
	expectCode(t, r, 0)
	contains(t, r.stdout, "nothing to change")
}
