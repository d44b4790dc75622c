package bindings

import (
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
)

// BenchmarkRecordMetaNullRead measures what the typo-catching metatable
// costs the commonest loop it touches: reading a property that is null on
// every record, which misses the table and runs __index. Plain tables and
// records with recordMeta are read by the same Lua loop in turns, best of
// five each, and the ratio is reported (meta-x-of-plain).
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
	run := func(list *lua.LTable) time.Duration {
		start := time.Now()
		L.Push(loop)
		L.Push(list)
		if err := L.PCall(1, 1, nil); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
		return time.Since(start)
	}
	for b.Loop() {
		best := [2]time.Duration{time.Hour, time.Hour}
		for range 5 {
			best[0] = min(best[0], run(plain))
			best[1] = min(best[1], run(withMeta))
		}
		b.ReportMetric(float64(best[0].Microseconds())/1000, "plain-ms")
		b.ReportMetric(float64(best[1].Microseconds())/1000, "meta-ms")
		b.ReportMetric(float64(best[1])/float64(best[0]), "meta-x-of-plain")
	}
}
