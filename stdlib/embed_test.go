package stdlib

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestModulesListsEmbeddedFiles(t *testing.T) {
	mods := Modules()
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.Name
		if m.Chunk != "stdlib/"+m.Name+".lua" {
			t.Errorf("module %s: chunk name %q", m.Name, m.Chunk)
		}
		if len(m.Source) == 0 {
			t.Errorf("module %s: empty source", m.Name)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("modules not sorted: %v", names)
	}
	if !contains(names, "strings") {
		t.Errorf("strings module missing from %v", names)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestLua runs each testdata/<module>_test.lua: every global function whose
// name starts with Test becomes a subtest. The modules are preloaded the way
// the runtime does it (by chunk name, through require), kept minimal here so
// this package stays free of the runtime.
func TestLua(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*_test.lua"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no Lua test files in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runLuaFile(t, file) })
	}
}

func runLuaFile(t *testing.T, file string) {
	L := lua.NewState()
	defer L.Close()
	preloadModules(L)
	if err := L.DoFile(file); err != nil {
		t.Fatalf("loading %s: %v", file, err)
	}
	var tests []string
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if name, ok := k.(lua.LString); ok && strings.HasPrefix(string(name), "Test") && v.Type() == lua.LTFunction {
			tests = append(tests, string(name))
		}
	})
	sort.Strings(tests)
	for _, name := range tests {
		t.Run(name, func(t *testing.T) {
			if err := L.CallByParam(lua.P{Fn: L.GetGlobal(name), Protect: true}); err != nil {
				t.Error(err)
			}
		})
	}
}

// preloadModules registers every embedded module with require, the way the
// runtime does (by chunk name), kept minimal so this package stays free of
// the runtime.
func preloadModules(L *lua.LState) {
	for _, m := range Modules() {
		L.PreloadModule(m.Name, func(L *lua.LState) int {
			fn, err := L.Load(bytes.NewReader(m.Source), m.Chunk)
			if err != nil {
				L.RaiseError("%s", err.Error())
			}
			L.Push(fn)
			L.Call(0, 1)
			return 1
		})
	}
}

func TestChunkNameIsThePathInTheRepository(t *testing.T) {
	// Tracebacks print the chunk name; it must lead a reader to the file.
	for _, m := range Modules() {
		if _, err := os.Stat(strings.TrimPrefix(m.Chunk, "stdlib/")); err != nil {
			t.Errorf("chunk %s does not name a file in stdlib/: %v", m.Chunk, err)
		}
	}
}

// TestErrorsNameTheScriptLine runs scripts as the runtime does, as a main
// chunk called from Go, where a hand-counted error level once ran off the
// top of the stack and the message lost its position. A misspelt custom
// field raises from a Go __index, as the reader's records do.
func TestErrorsNameTheScriptLine(t *testing.T) {
	cases := []struct{ script, want string }{
		{"local tables = require 'tables'\nlocal r = tables.sort_by({{a = 1}}, 5)",
			"e2.lua:2: bad argument #2 to 'sort_by' (key must be a property name or a function, got number)"},
		{"local tables = require 'tables'\nlocal r = tables.sort_by(customers, 'custom.Regon')",
			`e2.lua:2: bad argument #2 to 'sort_by' (customers has no custom field "Regon"; did you mean "Région"?)`},
		{"local tables = require 'tables'\n\nlocal r = tables.join({{id = 7}}, {{id = '7'}}, 'id')",
			"e2.lua:3: bad argument #3 to 'join' (left keys are numbers, right keys are strings; convert one side with tonumber/tostring)"},
		{"local pretty = require 'pretty'\npretty.print({}, {row = 5})",
			`e2.lua:2: bad argument #2 to 'print' (unknown option "row": options are rows, depth, width)`},
		{"local strings = require 'strings'\nlocal parts = strings.split(5, ',')",
			"e2.lua:2: bad argument #1 to 'split' (string expected, got number)"},
		// A tail call drops the calling function's frame: the line that
		// called that function is the nearest the script still has.
		{"local strings = require 'strings'\nlocal function f() return strings.pad('x', 3, 'ab') end\nlocal s = f()",
			"e2.lua:3: bad argument #3 to 'pad' (fill must be one character)"},
	}
	for _, c := range cases {
		L := lua.NewState()
		preloadModules(L)
		custom := L.NewTable()
		meta := L.NewTable()
		L.SetField(meta, "__index", L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("customers has no custom field %q; did you mean \"Région\"?", L.CheckString(2))
			return 0
		}))
		L.SetMetatable(custom, meta)
		rec := L.NewTable()
		L.SetField(rec, "custom", custom)
		list := L.NewTable()
		list.Append(rec)
		L.SetGlobal("customers", list)
		fn, err := L.Load(strings.NewReader(c.script), "e2.lua")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		err = L.PCall(0, 0, nil)
		var got string
		if ae, ok := err.(*lua.ApiError); ok {
			got = ae.Object.String()
		}
		if got != c.want {
			t.Errorf("script %q:\n got: %s\nwant: %s", c.script, got, c.want)
		}
		L.Close()
	}
}
