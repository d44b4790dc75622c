package runtime

import (
	"bytes"
	"context"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"skynamo/bindings"
	"skynamo/stdlib"
)

// Module is a Lua module written in Go. Scripts reach it with require(Name);
// nothing is put in the globals. Loader follows gopher-lua's convention: it
// pushes the module table and returns 1 (a binding's Loader method, as in
// gluahttp's NewHttpModule(client).Loader).
type Module struct {
	Name   string
	Loader lua.LGFunction
}

// ModuleFactory builds the Go modules for one run or REPL from the host
// flags: it reads the config, builds the client (or the simulator for
// --sim), registers the API key and SMTP password with h.AddSecret, and
// returns the modules in the order they should be registered.
//
// cleanup runs once the Lua state is closed, also after errors, os.exit and
// Ctrl-C, so it is the place for flushing caches and closing the simulator.
// It gets no context because the run's context may already be cancelled;
// an error it returns is reported, and becomes the exit code when the
// script itself succeeded. cleanup may be nil.
//
// Errors should say what to fix; wrap them with WithExitCode or UsageError
// (a bad config is ExitUsage, a refused key ExitAPI) or give them an
// ExitCode method.
type ModuleFactory func(ctx context.Context, h *Host, opts *HostOptions) (mods []Module, cleanup func() error, err error)

// NoModules is the factory of a host without Go bindings: scripts get the
// Lua standard library and the embedded stdlib modules only.
func NoModules(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
	return nil, nil, nil
}

// stdlibModules turns the embedded Lua files into preloadable modules. Each
// is compiled under its chunk name ("stdlib/tables.lua") so tracebacks name
// the file.
func stdlibModules() []Module {
	var mods []Module
	for _, m := range stdlib.Modules() {
		mods = append(mods, Module{Name: m.Name, Loader: luaSourceLoader(m.Chunk, m.Source)})
	}
	return mods
}

func luaSourceLoader(chunk string, src []byte) lua.LGFunction {
	return func(L *lua.LState) int {
		fn, err := L.Load(bytes.NewReader(src), chunk)
		if err != nil {
			L.RaiseError("%s", tidyMessage(err.Error()))
		}
		L.Push(fn)
		L.Push(L.Get(1)) // the module name, as require passes it to loaders
		L.Call(1, 1)
		return 1
	}
}

// preload registers mods with package.preload in order. A name registered
// twice is a wiring mistake that would otherwise silently shadow a module.
func preload(L *lua.LState, mods []Module) error {
	seen := make(map[string]bool, len(mods))
	for _, m := range mods {
		if m.Name == "" || m.Loader == nil {
			return fmt.Errorf("module %q: missing name or loader", m.Name)
		}
		if seen[m.Name] {
			return fmt.Errorf("module %q registered twice", m.Name)
		}
		seen[m.Name] = true
		L.PreloadModule(m.Name, strictLoader(m.Name, m.Loader))
	}
	return nil
}

// strictLoader makes a misspelt function of a module an error that names
// the closest ones (`tables has no "sortby"; did you mean "sort_by"?`)
// instead of gopher-lua's "attempt to call a non-function object". A
// module that sets its own metatable (reader) keeps it.
func strictLoader(name string, load lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		n := load(L)
		if n < 1 {
			return n
		}
		if t, ok := L.Get(-1).(*lua.LTable); ok && L.GetMetatable(t) == lua.LNil {
			L.SetMetatable(t, bindings.StrictMeta(L, name, t))
		}
		return n
	}
}
