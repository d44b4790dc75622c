package main

import (
	"fmt"
	"strings"
	"testing"

	"skynamo/skynamo/sim"
)

// mixedBatch queues 500 writes over three endpoints, 3 of them bad in ways
// only the server can tell (a taken code, an unknown product, an unknown
// price list): items 57, 250 and 480.
const mixedBatch = `
for i = 1, 200 do
  local code = string.format("E2E-M%04d", i)
  if i == 57 then code = "CUS00005" end
  b:create("customers", {code = code, name = "E2E Mixed " .. i, custom = {["Customer Type"] = "Wholesale"}})
end
local units = {}
for _, p in ipairs(assert(reader.products())) do
  for _, u in ipairs(p.order_units) do units[#units + 1] = {code = p.code, unit = u.name} end
end
for i = 1, 200 do
  local u = units[(i - 1) % #units + 1]
  local wh = math.floor((i - 1) / #units) + 1
  local code = u.code
  if i == 50 then code = "E2E-NOPE" end
  b:create("stock_levels", {product_code = code, order_unit_name = u.unit, warehouse_id = wh, level = 777000 + i})
end
for i = 1, 100 do
  local u = units[(i - 1) % #units + 1]
  local list = math.floor((i - 1) / #units) + 1
  if i == 80 then list = 999 end
  b:create("prices", {product_code = u.code, order_unit_name = u.unit, price_list_id = list, price = 880000 + i})
end
`

// 500 writes, 3 bad: 497 applied and 3 precise errors (index, label and
// the server's reason), whether the server's 400 rejects the whole request
// or keeps its valid items; exit 5.
func TestMixedBatchThreeBadOf500(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("apply-valid-on-error=%v", keep), func(t *testing.T) {
			t.Parallel()
			o := smallSim()
			o.Products = 40
			o.ApplyValidOnError = keep
			s := startWriteSim(t, o)
			w := newWorkdir(t)
			w.useSim(s.base)
			r := runWrites(t, w, mixedBatch)
			out := parseApply(t, r)
			expectCode(t, r, 5)
			if len(out.Items) != 500 || out.Applied != 497 || out.Failed != 3 {
				t.Fatalf("%d items: %d applied, %d failed, %d unknown; want 500: 497 applied, 3 failed",
					len(out.Items), out.Applied, out.Failed, out.Unknown)
			}
			bad := map[int][2]string{
				57:  {"CUS00005", "already used"},
				250: {"E2E-NOPE", `no product with code "E2E-NOPE"`},
				480: {"", "no price list with id 999"},
			}
			for _, it := range out.Items {
				b, isBad := bad[it.Index]
				if !isBad {
					if it.Status != "applied" {
						t.Errorf("item %d (%s): %s %s", it.Index, it.Label, it.Status, it.Error)
					}
					continue
				}
				if it.Status != "failed" || !strings.Contains(it.Label, b[0]) || !strings.Contains(it.Error, b[1]) {
					t.Errorf("item %d: %s, label %q, error %q; want failed, naming %q, saying %q", it.Index, it.Status, it.Label, it.Error, b[0], b[1])
				}
				// The host's summary names each failed item by its index and label.
				contains(t, r.stderr, fmt.Sprintf("item %d (", it.Index))
			}

			for i := 1; i <= 200; i++ {
				code := fmt.Sprintf("E2E-M%04d", i)
				n := count(s, "customers", propIs("code", code))
				if want := map[bool]int{true: 0, false: 1}[i == 57]; n != want {
					t.Errorf("customer %s is in the simulator %d times, want %d", code, n, want)
				}
			}
			levels := count(s, "stock_levels", func(r map[string]any) bool {
				l := num(t, r["level"])
				return l > 777000 && l <= 777200
			})
			if levels != 199 {
				t.Errorf("%d stock levels carry the new levels, want 199", levels)
			}
			prices := count(s, "prices", func(r map[string]any) bool {
				p := num(t, r["price"])
				return p > 880000 && p <= 880100
			})
			if prices != 99 {
				t.Errorf("%d prices carry the new prices, want 99", prices)
			}
			if t.Failed() {
				t.Logf("writes: %s\nstderr:\n%s", s.writesSummary(), r.stderr)
			}
		})
	}
}

// faultBatch creates records that all have a natural key (customer codes,
// warehouse and tax rate names) and sets stock levels (an upsert), in
// requests of 10 so that many requests meet a fault.
const faultBatch = `
for i = 1, 200 do
  b:create("customers", {code = string.format("E2E-F%04d", i), name = "E2E Fault " .. i, custom = {["Customer Type"] = "Wholesale"}})
end
for i = 1, 10 do
  b:create("warehouses", {name = string.format("E2E Warehouse (W%02d)", i)})
  b:create("tax_rates", {name = string.format("E2E Rate (T%02d)", i), rate = i})
end
for i = 1, 30 do
  b:create("stock_levels", {product_code = "BEV_001", order_unit_name = "Each", warehouse_id = (i % 3) + 1, level = 2000 + i})
end
`

// 10% 502s, 10% throttling and 10% writes that commit and then answer 502
// or drop the connection: every write ends applied and the simulator holds
// each record exactly once.
//
// The client's adaptive throttle paces requests in real time (down to one
// a second under steady 429s, and SKYNAMO_RETRY_BASE does not shorten
// that), so this test idles for tens of seconds: it runs in parallel.
func TestWritesUnderFaultsNoDuplicates(t *testing.T) {
	t.Parallel()
	s := startWriteSim(t, smallSim())
	s.SetFaults(sim.Faults{FailRate: 0.1, ThrottleRate: 0.1})
	s.SetBehaviour(sim.Behaviour{CommitThenFail: 0.1})
	w := newWorkdir(t)
	w.useSim(s.base)
	w.env = append(w.env, "E2E_BATCH=10")
	r := runWrites(t, w, faultBatch)
	out := parseApply(t, r)
	expectCode(t, r, 0)
	if out.Applied != len(out.Items) || len(out.Items) != 250 {
		t.Errorf("%d of %d applied (%d failed, %d unknown), want all 250", out.Applied, len(out.Items), out.Failed, out.Unknown)
	}
	if s.CommittedThenFailed() == 0 {
		t.Fatalf("no write was committed and then failed in %d writes; the test proved nothing", s.Writes())
	}
	t.Logf("%d write requests, %d committed then failed", s.Writes(), s.CommittedThenFailed())
	s.SetFaults(sim.Faults{})
	s.SetBehaviour(sim.Behaviour{})
	for i := 1; i <= 200; i++ {
		code := fmt.Sprintf("E2E-F%04d", i)
		if n := count(s, "customers", propIs("code", code)); n != 1 {
			t.Errorf("customer %s is in the simulator %d times, want exactly once", code, n)
		}
	}
	for i := 1; i <= 10; i++ {
		for _, c := range []struct{ col, name string }{
			{"warehouses", fmt.Sprintf("E2E Warehouse (W%02d)", i)},
			{"tax_rates", fmt.Sprintf("E2E Rate (T%02d)", i)},
		} {
			if n := count(s, c.col, propIs("name", c.name)); n != 1 {
				t.Errorf("%s %q is in the simulator %d times, want exactly once", c.col, c.name, n)
			}
		}
	}
	// Ten writes to each of three stock levels: the last one queued wins.
	for wh, last := range map[int]int{1: 2030, 2: 2028, 3: 2029} {
		match := func(r map[string]any) bool {
			return r["product_code"] == "BEV_001" && r["order_unit_name"] == "Each" && fmt.Sprint(r["warehouse_id"]) == fmt.Sprint(wh)
		}
		if n := count(s, "stock_levels", match); n != 1 {
			t.Errorf("BEV_001/Each/%d is %d stock levels, want 1", wh, n)
		} else if l := findRecord(t, s, "stock_levels", match)["level"]; fmt.Sprint(l) != fmt.Sprint(last) {
			t.Errorf("BEV_001/Each/%d has level %v, want %d (the last queued)", wh, l, last)
		}
	}
}

// The host's --dry-run wins over a script that asks for a real apply: the
// result is the plan and not one write is sent.
func TestDryRunFlagBeatsScript(t *testing.T) {
	s := startWriteSim(t, smallSim())
	w := newWorkdir(t)
	w.useSim(s.base)
	w.write("apply.lua", `
local writer = require "writer"
local b = writer.batch()
b:create("tax_rates", {name = "E2E Dry (T50)", rate = 50})
b:update("warehouses", {id = 1}, {order_email = "e2e.dry@demo-company.example"})
local res = b:apply{dry_run = false}
print(string.format("planned=%d applied=%d", res.planned, res.applied))
for _, it in ipairs(res.items) do print(it.status, it.method, it.path, it.body) end
`)
	r := w.run("run", "--dry-run", "apply.lua")
	expectCode(t, r, 0)
	contains(t, r.stdout, "planned=2 applied=0")
	contains(t, r.stdout, "E2E Dry (T50)")
	if n := s.Writes(); n != 0 {
		t.Errorf("--dry-run sent %d writes: %s", n, s.writesSummary())
	}
	if n := count(s, "tax_rates", propIs("name", "E2E Dry (T50)")); n != 0 {
		t.Errorf("the dry run created the tax rate")
	}
}

// After an apply, the script's next reader call sees the writes (without a
// refresh), and so does the next run reading the cache offline.
func TestReadAfterApplySeesWrites(t *testing.T) {
	s := startWriteSim(t, smallSim())
	w := newWorkdir(t)
	w.useSim(s.base)
	readBack := `
local function show()
  for _, c in ipairs(assert(reader.customers())) do
    if c.code == "E2E-R1" or c.code == "CUS00002" then print("SEEN customer", c.code, c.name) end
  end
  for _, r in ipairs(assert(reader.tax_rates())) do
    if r.name == "E2E Read (T77)" then print("SEEN tax rate", r.name, r.rate) end
  end
  for _, l in ipairs(assert(reader.stock_levels())) do
    if l.product_code == "BEV_001" and l.order_unit_name == "Each" and l.warehouse_id == 2 then print("SEEN stock level", l.level) end
  end
end
`
	w.write("readback.lua", `
local writer = require "writer"
local reader = require "reader"
`+readBack+`
local b = writer.batch()
local cus2
for _, c in ipairs(assert(reader.customers())) do if c.code == "CUS00002" then cus2 = c end end
assert(reader.tax_rates()); assert(reader.stock_levels())
b:create("customers", {code = "E2E-R1", name = "E2E Read Back", custom = {["Customer Type"] = "Wholesale"}})
b:update("customers", cus2, {name = "E2E Renamed Before Read"})
b:create("tax_rates", {name = "E2E Read (T77)", rate = 7.5})
b:create("stock_levels", {product_code = "BEV_001", order_unit_name = "Each", warehouse_id = 2, level = 99})
local res = b:apply()
print("applied", res.applied)
show()
`)
	r := w.run("run", "readback.lua")
	expectCode(t, r, 0)
	for _, line := range []string{"applied\t4", "SEEN customer\tE2E-R1\tE2E Read Back", "SEEN customer\tCUS00002\tE2E Renamed Before Read",
		"SEEN tax rate\tE2E Read (T77)\t7.5", "SEEN stock level\t99"} {
		contains(t, r.stdout, line)
	}

	// A later run reading the cache alone sees them too.
	w.write("offline.lua", `local reader = require "reader"`+readBack+`show()`)
	r = w.run("run", "--offline", "offline.lua")
	expectCode(t, r, 0)
	for _, line := range []string{"SEEN customer\tE2E-R1\tE2E Read Back", "SEEN customer\tCUS00002\tE2E Renamed Before Read",
		"SEEN tax rate\tE2E Read (T77)\t7.5", "SEEN stock level\t99"} {
		contains(t, r.stdout, line)
	}
}
