package bindings

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// luaModule is one module a Lua test file can require.
type luaModule struct {
	name   string
	loader lua.LGFunction
}

// luaTestModules are the modules a Lua test file can require: the plain ones,
// and reader and writer over a small simulator with a cache in a temporary
// folder, sharing one skynamo.Reader as the host's do.
func luaTestModules(t *testing.T) []luaModule {
	read := newTestReader(t)
	return []luaModule{
		{"json", NewJSON().Loader},
		{"csv", NewCSV().Loader},
		{"dates", NewDates(nil).Loader},
		{"reader", NewReader(StaticReader(read), nil).Loader},
		{"writer", newTestWriter(t, read).Loader},
		{"http", NewHTTP(nil).Loader},
	}
}

// TestLua runs each testdata/*_test.lua: the file runs in a fresh state,
// then every global function named Test* runs as a subtest, in name order.
// The runner gives the Lua side a few helpers:
//
//	assert_eq(got, want, msg)  deep equality (tables compared raw)
//	tmpdir()                   a fresh temporary folder for this subtest
//	list_dir(path)             the names in a folder, sorted
//	golden(name, text)         compare with testdata/golden/<name>; -update rewrites it
func TestLua(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*_test.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*_test.lua files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".lua"), func(t *testing.T) { runLuaFile(t, file, luaTestModules(t)) })
	}
}

func runLuaFile(t *testing.T, file string, modules []luaModule) {
	L := lua.NewState()
	defer L.Close()
	L.SetContext(context.Background())
	for _, m := range modules {
		L.PreloadModule(m.name, m.loader)
	}
	current := t // the subtest whose helpers are in use
	L.SetGlobal("assert_eq", L.NewFunction(assertEq))
	L.SetGlobal("echo_url", lua.LString(newEchoServer(t)))
	L.SetGlobal("tmpdir", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(current.TempDir()))
		return 1
	}))
	L.SetGlobal("list_dir", L.NewFunction(func(L *lua.LState) int {
		entries, err := os.ReadDir(L.CheckString(1))
		if err != nil {
			L.RaiseError("%v", err)
		}
		names := L.NewTable()
		for _, e := range entries { // ReadDir sorts by name
			names.Append(lua.LString(e.Name()))
		}
		L.Push(names)
		return 1
	}))
	L.SetGlobal("golden", L.NewFunction(func(L *lua.LState) int {
		checkGolden(current, L, L.CheckString(1), L.CheckString(2))
		return 0
	}))
	if err := L.DoFile(file); err != nil {
		t.Fatal(err)
	}

	var names []string
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if _, isFn := v.(*lua.LFunction); isFn && strings.HasPrefix(k.String(), "Test") {
			names = append(names, k.String())
		}
	})
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("%s defines no Test* functions", file)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			current = t
			err := L.CallByParam(lua.P{Fn: L.GetGlobal(name), NRet: 0, Protect: true})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// assertEq is assert_eq(got, want, msg): raises, naming both values, unless
// they are equal (tables deeply, by raw access).
func assertEq(L *lua.LState) int {
	got, want := L.Get(1), L.Get(2)
	if !luaDeepEqual(got, want, map[[2]*lua.LTable]bool{}) {
		msg := L.OptString(3, "values differ")
		L.RaiseError("%s:\n  got:  %s\n  want: %s", msg, dump(got), dump(want))
	}
	return 0
}

func luaDeepEqual(a, b lua.LValue, seen map[[2]*lua.LTable]bool) bool {
	ta, okA := a.(*lua.LTable)
	tb, okB := b.(*lua.LTable)
	if !okA || !okB {
		return a == b
	}
	pair := [2]*lua.LTable{ta, tb}
	if ta == tb || seen[pair] {
		return true
	}
	seen[pair] = true
	equal := true
	count := 0
	ta.ForEach(func(k, v lua.LValue) {
		count++
		equal = equal && luaDeepEqual(v, tb.RawGet(k), seen)
	})
	tb.ForEach(func(lua.LValue, lua.LValue) { count-- })
	return equal && count == 0
}

// dump renders a value for failure messages, tables with sorted keys.
func dump(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(v))
	case *lua.LTable:
		var parts []string
		v.ForEach(func(k, e lua.LValue) {
			parts = append(parts, fmt.Sprintf("[%s]=%s", dump(k), dump(e)))
		})
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return v.String()
}

func checkGolden(t *testing.T, L *lua.LState, name, got string) {
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		L.RaiseError("golden file %s: %v (run go test -update)", path, err)
	}
	if string(want) != got {
		L.RaiseError("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
