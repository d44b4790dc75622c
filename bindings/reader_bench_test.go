package bindings

import (
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// BenchmarkRecordMetaNullRead measures what the typo-catching metatable
// costs the loops it touches: reading a property that is null on every
// record, which misses the table and runs __index, and setting a key of
// the script's own on every record, which runs __newindex. Plain tables
// and records with recordMeta go through the same Lua loops in turns,
// best of five each, and the ratios are reported (read-x, set-x).
//
//	go test -run XXX -bench RecordMetaNullRead ./bindings/
func BenchmarkRecordMetaNullRead(b *testing.B) {
	const n = 100_000
	e, err := skynamo.LookupEntity("orders")
	if err != nil {
		b.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	meta := recordMeta(L, e)
	build := func(withMeta bool) *lua.LTable {
		list := L.CreateTable(n, 0)
		for i := 1; i <= n; i++ {
			r := L.CreateTable(0, 4)
			r.RawSetString("id", lua.LNumber(i))
			r.RawSetString("total_amount", lua.LNumber(i%97))
			if withMeta {
				L.SetMetatable(r, meta)
			}
			list.RawSetInt(i, r)
		}
		return list
	}
	plain, withMeta := build(false), build(true)
	loop, err := L.LoadString(`local list = ...
local n = 0
for i = 1, #list do
  local r = list[i]
  if r.warehouse_id ~= nil or r.week then n = n + 1 end
end
return n`)
	if err != nil {
		b.Fatal(err)
	}
	// Setting a key of the script's own on every record runs __newindex
	// once per record (it registers the name); the key is cleared after,
	// so each run sets it anew.
	set, err := L.LoadString(`local list = ...
for i = 1, #list do list[i].week = i % 52 end
for i = 1, #list do list[i].week = nil end`)
	if err != nil {
		b.Fatal(err)
	}
	run := func(fn *lua.LFunction, list *lua.LTable) time.Duration {
		start := time.Now()
		L.Push(fn)
		L.Push(list)
		if err := L.PCall(1, 0, nil); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for b.Loop() {
		read := [2]time.Duration{time.Hour, time.Hour}
		write := [2]time.Duration{time.Hour, time.Hour}
		for range 5 {
			read[0] = min(read[0], run(loop, plain))
			read[1] = min(read[1], run(loop, withMeta))
			write[0] = min(write[0], run(set, plain))
			write[1] = min(write[1], run(set, withMeta))
		}
		b.ReportMetric(ms(read[0]), "read-plain-ms")
		b.ReportMetric(ms(read[1]), "read-meta-ms")
		b.ReportMetric(float64(read[1])/float64(read[0]), "read-x")
		b.ReportMetric(ms(write[0]), "set-plain-ms")
		b.ReportMetric(ms(write[1]), "set-meta-ms")
		b.ReportMetric(float64(write[1])/float64(write[0]), "set-x")
	}
}
