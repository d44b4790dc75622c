package stdlib

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/bindings"
)

// The stdlib helpers promise to cost at most 1.5x the same work written as a
// plain Lua loop (issue 5). BenchmarkHelpersVsLoops measures that promise on
// 100,000 records: every case runs the helper and the loop in the same
// benchmark, on the same data, and reports helper time / loop time as the
// x-of-loop metric, plus a table of all cases at the end. Nothing asserts a
// time; the numbers are for people:
//
//	go test -run XXX -bench HelpersVsLoops -benchtime 1x ./stdlib/
//
// The loops are what a careful author would write: a numeric for, a counter
// instead of #out, conditions inline rather than through a function.

const benchRecords = 100_000

// benchSetup builds the records: orders-like rows with strings, numbers, a
// date-time with an offset, and a custom table whose metatable raises on an
// unknown name like the reader's does.
const benchSetup = `
tables = require "tables"
dates = require "dates"
local names = {["Credit Limit (R)"] = "Credit Limit (R)", credit_limit_r = "Credit Limit (R)", Region = "Region", region = "Region"}
local meta = {__index = function(t, k)
  local key = names[k]
  if key == nil then error("no custom field " .. tostring(k)) end
  return rawget(t, key)
end}
local regions = {"North", "South", "East", "West", "Central"}
local statuses = {"Active", "Inactive", "Prospect"}
recs = {}
for i = 1, N do
  local c = {["Credit Limit (R)"] = (i * 7919) % 50000, Region = regions[i % 5 + 1]}
  if i % 11 == 0 then c["Credit Limit (R)"] = nil end
  recs[i] = setmetatable({}, nil)
  local r = recs[i]
  r.id = i
  r.name = "Customer " .. ((i * 104729) % 99991)
  r.rep = "rep" .. (i % 40)
  r.status = statuses[i % 3 + 1]
  r.total = ((i * 6007) % 100000) / 100
  r.customer_id = (i * 31) % 6000 + 1
  r.date = string.format("2026-%02d-%02dT%02d:%02d:00%s", i % 12 + 1, i % 28 + 1, i % 24, i % 60, i % 2 == 0 and "+02:00" or "Z")
  r.custom = setmetatable(c, meta)
end
customers = {}
for i = 1, 5000 do
  customers[i] = {id = i, name = "Customer " .. i, region = regions[i % 5 + 1]}
end
cutoff_text = "2026-06-15T00:00:00+02:00"
cutoff = dates.parse(cutoff_text)
`

type benchCase struct {
	name, helper, loop string
}

// benchCases: each chunk is a function body that returns a number, which
// must be the same for helper and loop (a check that the loop does the same
// work).
var benchCases = []benchCase{
	{"filter fn", `return #tables.filter(recs, function(r) return r.total > 500 end)`,
		`local out, n = {}, 0
		for i = 1, #recs do local r = recs[i]; if r.total > 500 then n = n + 1; out[n] = r end end
		return #out`},
	{"filter key=value", `return #tables.filter(recs, "status", "Active")`,
		`local out, n = {}, 0
		for i = 1, #recs do local r = recs[i]; if r.status == "Active" then n = n + 1; out[n] = r end end
		return #out`},
	{"map fn", `return #tables.map(recs, function(r) return r.total * 2 end)`,
		`local out = {}
		for i = 1, #recs do out[i] = recs[i].total * 2 end
		return #out`},
	{"map key", `return #tables.map(recs, "name")`,
		`local out = {}
		for i = 1, #recs do out[i] = recs[i].name end
		return #out`},
	{"sort_by 1 key", `return tables.sort_by(recs, "name")[1].id`,
		`local out = {}
		for i = 1, #recs do out[i] = recs[i] end
		table.sort(out, function(a, b) if a.name ~= b.name then return a.name < b.name end return a.id < b.id end)
		return out[1].id`},
	{"sort_by 2 keys", `return tables.sort_by(recs, {"-total", "name"})[1].id`,
		`local out = {}
		for i = 1, #recs do out[i] = recs[i] end
		table.sort(out, function(a, b)
		  if a.total ~= b.total then return a.total > b.total end
		  if a.name ~= b.name then return a.name < b.name end
		  return a.id < b.id
		end)
		return out[1].id`},
	{"sort_by custom", `return tables.sort_by(recs, "custom.Credit Limit (R)")[1].id`,
		`local out = {}
		for i = 1, #recs do out[i] = recs[i] end
		table.sort(out, function(a, b)
		  local x, y = rawget(a.custom, "Credit Limit (R)"), rawget(b.custom, "Credit Limit (R)")
		  if x == y then return a.id < b.id end
		  if x == nil then return false end
		  if y == nil then return true end
		  return x < y
		end)
		return out[1].id`},
	{"group_by", `local g, order = tables.group_by(recs, "rep"); return #order + #g.rep1`,
		`local groups, order, n = {}, {}, 0
		for i = 1, #recs do
		  local r = recs[i]
		  local g = groups[r.rep]
		  if g then g[#g + 1] = r else groups[r.rep] = {r}; n = n + 1; order[n] = r.rep end
		end
		return #order + #groups.rep1`},
	{"group_by custom", `local g, order = tables.group_by(recs, "custom.Region"); return #order + #g.North`,
		`local groups, order, n = {}, {}, 0
		for i = 1, #recs do
		  local r = recs[i]
		  local k = r.custom.Region
		  local g = groups[k]
		  if g then g[#g + 1] = r else groups[k] = {r}; n = n + 1; order[n] = k end
		end
		return #order + #groups.North`},
	{"index_by", `return tables.index_by(recs, "id")[500].id`,
		`local out = {}
		for i = 1, #recs do local r = recs[i]; out[r.id] = r end
		return out[500].id`},
	{"join inner", `return #tables.join(recs, customers, {"customer_id", "id"}, {as = {"order", "customer"}})`,
		`local by_id = {}
		for i = 1, #customers do local c = customers[i]; by_id[c.id] = c end
		local out, n = {}, 0
		for i = 1, #recs do
		  local o = recs[i]
		  local c = by_id[o.customer_id]
		  if c then n = n + 1; out[n] = {order = o, customer = c} end
		end
		return #out`},
	{"join left", `return #tables.left_join(recs, customers, {"customer_id", "id"})`,
		`local by_id = {}
		for i = 1, #customers do local c = customers[i]; by_id[c.id] = c end
		local out, n = {}, 0
		for i = 1, #recs do
		  local o = recs[i]
		  n = n + 1; out[n] = {left = o, right = by_id[o.customer_id]}
		end
		return #out`},
	{"aggregate", `local rows = tables.aggregate(recs, "rep", {total = {"sum", "total"}, n = {"count"}, avg = {"avg", "total"}})
		return #rows + rows[1].n`,
		`local rows, by, nr = {}, {}, 0
		for i = 1, #recs do
		  local r = recs[i]
		  local row = by[r.rep]
		  if not row then row = {rep = r.rep, total = 0, n = 0}; by[r.rep] = row; nr = nr + 1; rows[nr] = row end
		  row.total = row.total + r.total
		  row.n = row.n + 1
		end
		for i = 1, nr do local row = rows[i]; row.avg = row.total / row.n end
		return #rows + rows[1].n`},
	{"sum", `return tables.sum(recs, "total")`,
		`local s = 0
		for i = 1, #recs do local v = recs[i].total; if v ~= nil then s = s + v end end
		return s`},
	{"avg", `return tables.avg(recs, "total")`,
		`local s, n = 0, 0
		for i = 1, #recs do local v = recs[i].total; if v ~= nil then s = s + v; n = n + 1 end end
		return s / n`},
	{"min", `return (tables.min(recs, "total"))`,
		`local m
		for i = 1, #recs do local v = recs[i].total; if v ~= nil and (m == nil or v < m) then m = v end end
		return m`},
	{"max", `return (tables.max(recs, "total"))`,
		`local m
		for i = 1, #recs do local v = recs[i].total; if v ~= nil and (m == nil or v > m) then m = v end end
		return m`},
	{"count key=value", `return tables.count(recs, "status", "Active")`,
		`local n = 0
		for i = 1, #recs do if recs[i].status == "Active" then n = n + 1 end end
		return n`},
	{"unique", `return #tables.unique(recs, "customer_id")`,
		`local seen, out, n = {}, {}, 0
		for i = 1, #recs do
		  local r = recs[i]
		  if not seen[r.customer_id] then seen[r.customer_id] = true; n = n + 1; out[n] = r end
		end
		return #out`},
	{"take", `return #tables.take(recs, 50000)`,
		`local out = {}
		for i = 1, 50000 do out[i] = recs[i] end
		return #out`},
	{"skip", `return #tables.skip(recs, 50000)`,
		`local out = {}
		for i = 50001, #recs do out[i - 50000] = recs[i] end
		return #out`},
	{"dates.after", `local n = 0
		for i = 1, #recs do if dates.after(recs[i].date, cutoff_text) then n = n + 1 end end
		return n`,
		`local n = 0
		for i = 1, #recs do if dates.parse(recs[i].date) > cutoff then n = n + 1 end end
		return n`},
	{"dates.compare", `local n = 0
		for i = 1, #recs do if dates.compare(recs[i].date, cutoff) < 0 then n = n + 1 end end
		return n`,
		`local n = 0
		for i = 1, #recs do if dates.parse(recs[i].date) < cutoff then n = n + 1 end end
		return n`},
}

type benchResult struct {
	helper, loop time.Duration
}

func BenchmarkHelpersVsLoops(b *testing.B) {
	// The VM options of runtime/luastate.go, whose stack sizes change the
	// cost of calls.
	L := lua.NewState(lua.Options{
		CallStackSize:       100_000,
		RegistrySize:        8 << 10,
		RegistryGrowStep:    64 << 10,
		RegistryMaxSize:     4 << 20,
		MinimizeStackMemory: true,
	})
	defer L.Close()
	preloadModules(L)
	L.PreloadModule("dates", bindings.NewDates(nil).Loader)
	L.SetGlobal("N", lua.LNumber(benchRecords))
	if err := L.DoString(benchSetup); err != nil {
		b.Fatal(err)
	}

	// No collection during a timed call: a pause would land on whichever
	// side happened to cross the heap goal. A round allocates a few hundred
	// MB at most, collected between rounds.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))

	var mu sync.Mutex
	results := map[string]benchResult{}
	for _, c := range benchCases {
		helper := compileBody(b, L, c.name+" (helper)", c.helper)
		loop := compileBody(b, L, c.name+" (loop)", c.loop)
		b.Run(c.name, func(b *testing.B) {
			var total benchResult
			for range b.N {
				// The best of five rounds, taking turns at going first: the
				// two sides see the same heap, and a GC pause or a busy
				// neighbour process landing in one round does not decide
				// the ratio.
				best := benchResult{helper: time.Hour, loop: time.Hour}
				for round := range 5 {
					// Collect between rounds, never inside a timed call.
					runtime.GC()
					var dh, dl time.Duration
					var hv, lv lua.LValue
					if round%2 == 0 {
						dh, hv = timeCall(b, L, helper)
						dl, lv = timeCall(b, L, loop)
					} else {
						dl, lv = timeCall(b, L, loop)
						dh, hv = timeCall(b, L, helper)
					}
					if !L.Equal(hv, lv) && hv.String() != lv.String() {
						b.Fatalf("%s: helper returned %v, loop %v: they do not do the same work", c.name, hv, lv)
					}
					best.helper, best.loop = min(best.helper, dh), min(best.loop, dl)
				}
				total.helper += best.helper
				total.loop += best.loop
			}
			ratio := float64(total.helper) / float64(total.loop)
			b.ReportMetric(ratio, "x-of-loop")
			b.ReportMetric(float64(total.helper.Milliseconds())/float64(b.N), "helper-ms")
			b.ReportMetric(float64(total.loop.Milliseconds())/float64(b.N), "loop-ms")
			mu.Lock()
			results[c.name] = benchResult{helper: total.helper / time.Duration(b.N), loop: total.loop / time.Duration(b.N)}
			mu.Unlock()
		})
	}
	// Printed rather than logged: a parent benchmark's log shows only with -v.
	fmt.Print("\n" + benchTable(results))
}

func compileBody(b *testing.B, L *lua.LState, name, body string) *lua.LFunction {
	// Globals read in a loop cost a table lookup each time: both sides get
	// the data as locals, as a script would have it.
	const locals = "local recs, customers, tables, dates, cutoff, cutoff_text = recs, customers, tables, dates, cutoff, cutoff_text\n"
	fn, err := L.LoadString("return function() " + locals + body + "\nend")
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	L.Push(fn)
	L.Call(0, 1)
	return L.Get(-1).(*lua.LFunction)
}

func timeCall(b *testing.B, L *lua.LState, fn *lua.LFunction) (time.Duration, lua.LValue) {
	L.SetTop(0)
	start := time.Now()
	err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true})
	d := time.Since(start)
	if err != nil {
		b.Fatal(err)
	}
	v := L.Get(-1)
	L.Pop(1)
	return d, v
}

func benchTable(results map[string]benchResult) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-18s %10s %10s %8s\n", "helper", "helper ms", "loop ms", "ratio")
	names := make([]string, 0, len(results))
	for _, c := range benchCases {
		if _, ok := results[c.name]; ok {
			names = append(names, c.name)
		}
	}
	for _, name := range names {
		r := results[name]
		fmt.Fprintf(&sb, "%-18s %10.1f %10.1f %7.2fx\n", name,
			float64(r.helper.Microseconds())/1000, float64(r.loop.Microseconds())/1000,
			float64(r.helper)/float64(r.loop))
	}
	return sb.String()
}
