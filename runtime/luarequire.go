package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's require, for a name nothing provides, raises a message
// several lines long that lists every place it looked (no field
// package.preload['readr'], stat readr.lua: no such file ...), and says
// nothing of the modules there are. The host's require looks first, the
// way require itself will, and for a missing module raises one line:
//
//	module "readr" not found; did you mean "reader"? (modules: reader, writer, ...)
//
// When the module can be found, gopher-lua's require loads it, so errors
// inside a module and the script folder's own .lua files (package.path,
// set by setSearchPath) work as before.

// installRequire wraps the global require. modules are the preloaded
// names in registration order, for the list in the message.
func (s *session) installRequire(modules []string) {
	L := s.L
	orig := L.GetGlobal("require")
	if orig == lua.LNil {
		return
	}
	// require(name) -> the module
	L.SetGlobal("require", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		if !findable(L, name) {
			L.RaiseError("%s", missingModule(L, name, modules))
		}
		L.Push(orig)
		L.Push(L.Get(1))
		L.Call(1, 1)
		return 1
	}))
}

// findable reports whether require(name) would find something: a module
// loaded or preloaded, or a file on package.path. A script that changed
// package.loaders gets the benefit of the doubt.
func findable(L *lua.LState, name string) bool {
	reg := L.Get(lua.RegistryIndex)
	if lua.LVAsBool(L.GetField(L.GetField(reg, "_LOADED"), name)) {
		return true
	}
	if loaders, ok := L.GetField(reg, "_LOADERS").(*lua.LTable); !ok || loaders.Len() != 2 {
		return true
	}
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return true
	}
	if pre, ok := pkg.RawGetString("preload").(*lua.LTable); ok && pre.RawGetString(name) != lua.LNil {
		return true
	}
	path, ok := pkg.RawGetString("path").(lua.LString)
	if !ok {
		return true // let require say what is wrong with package.path
	}
	return searchPath(string(path), name) != ""
}

// searchPath is the first file of path (";"-separated templates) that
// exists for name, as gopher-lua's loader looks: "." becomes a separator.
func searchPath(path, name string) string {
	file := strings.ReplaceAll(name, ".", string(os.PathSeparator))
	for _, tpl := range strings.Split(path, ";") {
		if tpl == "" {
			continue
		}
		p := strings.ReplaceAll(tpl, "?", file)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// missingModule is the one-line message for a module nothing provides: the
// closest name among the modules and the .lua files of the first search
// folder, and the modules there are.
func missingModule(L *lua.LState, name string, modules []string) string {
	candidates := append([]string(nil), modules...)
	path := ""
	if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
		if p, ok := pkg.RawGetString("path").(lua.LString); ok {
			path = string(p)
		}
	}
	candidates = append(candidates, luaFilesNear(path)...)
	msg := fmt.Sprintf("module %q not found", name)
	if best := closest(name, candidates); best != "" && best != name {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	if len(modules) > 0 {
		msg += " (modules: " + strings.Join(modules, ", ") + ")"
	}
	return msg
}

// luaFilesNear lists the module names of the .lua files in the folder of
// path's first template (the script's folder), sorted.
func luaFilesNear(path string) []string {
	first, _, _ := strings.Cut(path, ";")
	if first == "" {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(first), "*.lua"))
	var out []string
	for _, m := range matches {
		out = append(out, strings.TrimSuffix(filepath.Base(m), ".lua"))
	}
	sort.Strings(out)
	return out
}
