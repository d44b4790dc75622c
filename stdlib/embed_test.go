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
