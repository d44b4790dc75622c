package runtime

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// VM limits, sized for report scripts: 100,000 records in memory, strings
// built from 100,000 pieces, unpack of whole tables, recursion 10,000 deep.
// gopher-lua's defaults (256 call frames, a fixed 5,120-slot value stack)
// fail all of these.
const (
	// callStackSize is the deepest call nesting. With MinimizeStackMemory the
	// frames are allocated in small segments as the stack grows, so the
	// limit costs a pointer per 8 frames until it is used.
	callStackSize = 100_000
	// registrySize is the value stack a state (and each coroutine) starts
	// with; registryGrowStep is added whenever it grows. Growth copies the
	// stack, so a large step keeps unpack of 100,000 values to a handful of
	// copies.
	registrySize     = 8 << 10
	registryGrowStep = 64 << 10
	// registryMaxSize (4M values, 64 MiB) bounds the value stack, so runaway
	// recursion or unpack fails with a Lua error instead of exhausting memory.
	registryMaxSize = 4 << 20
)

func luaOptions() lua.Options {
	return lua.Options{
		CallStackSize:       callStackSize,
		RegistrySize:        registrySize,
		RegistryGrowStep:    registryGrowStep,
		RegistryMaxSize:     registryMaxSize,
		MinimizeStackMemory: true,
	}
}

// session is one Lua state with the host wired in: the modules preloaded,
// print/io/os going through the Host, Ctrl-C and os.exit stopping the
// script. A run uses one session; the REPL keeps one for all its lines.
type session struct {
	L    *lua.LState
	host *Host

	ctx    context.Context    // the caller's: cancelled means interrupted
	cancel context.CancelFunc // stops the script: os.exit uses it
	exit   *exitRequest       // set by os.exit

	io *luaIO
}

// newSession makes a Lua state. searchDir is where require looks for the
// script's own modules (the script's folder; the working folder for the
// REPL).
func newSession(ctx context.Context, h *Host, mods []Module, searchDir string) (*session, error) {
	L := lua.NewState(luaOptions())
	runCtx, cancel := context.WithCancel(ctx)
	// Every VM instruction checks this context, so Ctrl-C stops even a
	// script in a tight loop; bindings pass L.Context() to HTTP calls.
	L.SetContext(runCtx)
	s := &session{L: L, host: h, ctx: ctx, cancel: cancel}
	s.installBase()
	s.installIO()
	s.installString()
	s.installOS()
	s.setSearchPath(searchDir)
	// Stdlib first: a Go module that takes a stdlib name is a wiring mistake
	// that preload reports instead of letting either shadow the other.
	std := stdlibModules()
	if err := preload(L, append(std, mods...)); err != nil {
		s.Close()
		return nil, err
	}
	// A missing module's message lists the Go modules first, then stdlib.
	var names []string
	for _, m := range append(append([]Module(nil), mods...), std...) {
		names = append(names, m.Name)
	}
	s.installRequire(names)
	return s, nil
}

// Close releases the state. Deferred work that must survive errors and
// os.exit (flushing output, module cleanup) is the caller's, after Close.
func (s *session) Close() {
	s.cancel()
	s.L.Close()
}

// setSearchPath points require at the script's folder, then at LUA_PATH
// from the host environment. gopher-lua read LUA_PATH from the process
// environment when it opened the package library; that value is replaced.
func (s *session) setSearchPath(dir string) {
	if dir == "" {
		dir = "."
	}
	paths := []string{filepath.Join(dir, "?.lua"), filepath.Join(dir, "?", "init.lua")}
	if extra, ok := s.host.Getenv("LUA_PATH"); ok && extra != "" {
		paths = append(paths, strings.Trim(extra, ";"))
	}
	pkg, ok := s.L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	pkg.RawSetString("path", lua.LString(strings.Join(paths, ";")))
}

// call runs fn(args...) protected and returns its results. Errors come back
// as the runtime's error types (ScriptError, exitRequest, interruptedError).
//
// Two things differ from a bare L.PCall, both because of deep stacks:
// the error handler builds a bounded traceback (see traceback.go) at the
// moment of the error, which also keeps gopher-lua from computing its own
// quadratic one; and a Go panic such as "lua callstack overflow" (which
// gopher-lua raises as a plain Go panic when MinimizeStackMemory is on) is
// caught while the Lua stack is still there to be described.
func (s *session) call(fn lua.LValue, args ...lua.LValue) ([]lua.LValue, error) {
	L := s.L
	base := L.GetTop()
	guard := L.NewFunction(func(L *lua.LState) int {
		// PCall restores the previous handler when it returns; the script's
		// own pcall calls swap in theirs and restore this one.
		L.Panic = func(L *lua.LState) {
			panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: L.Get(-1), StackTrace: traceback(L, 0)})
		}
		defer func() {
			rcv := recover()
			if rcv == nil {
				return
			}
			if ae, ok := rcv.(*lua.ApiError); ok {
				panic(ae)
			}
			panic(&lua.ApiError{Type: lua.ApiErrorPanic, Object: goPanicValue(L, rcv), StackTrace: traceback(L, 0)})
		}()
		L.Push(fn)
		for _, a := range args {
			L.Push(a)
		}
		L.Call(len(args), lua.MultRet)
		return L.GetTop()
	})
	L.Push(guard)
	err := L.PCall(0, lua.MultRet, nil)
	var results []lua.LValue
	for i := base + 1; i <= L.GetTop(); i++ {
		results = append(results, L.Get(i))
	}
	L.SetTop(base)
	if err != nil {
		return nil, s.failure(err)
	}
	return results, nil
}

// goPanicValue keeps a Go error from a panicking binding as the error value,
// so its exit code survives; anything else becomes text.
func goPanicValue(L *lua.LState, rcv any) lua.LValue {
	if err, ok := rcv.(error); ok {
		ud := L.NewUserData()
		ud.Value = err
		return ud
	}
	return lua.LString(fmt.Sprint(rcv))
}

// failure turns what PCall returned into the runtime's error types.
func (s *session) failure(err error) error {
	if s.exit != nil {
		return s.exit
	}
	if s.ctx.Err() != nil {
		return interruptedError{}
	}
	ae, ok := err.(*lua.ApiError)
	if !ok {
		return err
	}
	msg, cause := s.errorText(ae.Object)
	if cause == nil {
		cause = ae.Cause
	}
	msg = tidyMessage(msg)
	trace := tidyTraceback(ae.StackTrace)
	if _, isString := ae.Object.(lua.LString); isString && !hasPosition(msg) && raisedByError(trace) {
		// error(msg, 0): the script asked for its message without a
		// position, typically a usage message for its own arguments.
		return &ScriptError{Message: msg}
	}
	if !hasPosition(msg) {
		// A Go error raised by a binding carries no position; the innermost
		// Lua frame of the traceback says where the script was.
		if pos := firstLuaPosition(ae.StackTrace); pos != "" {
			msg = pos + " " + msg
		}
	}
	if hasPosition(msg) && !strings.HasPrefix(msg, stdlibChunkPrefix) {
		// A stdlib helper blamed the script's line (error(msg, level)): its
		// own frames are our plumbing, not the script's bug, just as a Go
		// binding's argument check shows no frames of its own.
		trace = dropLibraryFrames(trace)
	}
	if luaFrames(trace) <= 1 {
		trace = "" // only the main chunk: the message's position says it all
	}
	return &ScriptError{Message: msg, Traceback: trace, Cause: cause}
}

// raisedByError reports whether the innermost frame is Lua's error().
func raisedByError(trace string) bool {
	for _, line := range strings.Split(trace, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "stack traceback") {
			continue
		}
		return line == "[G]: in function 'error'"
	}
	return false
}

// stdlibChunkPrefix starts the chunk name of every embedded stdlib module.
const stdlibChunkPrefix = "stdlib/"

// dropLibraryFrames removes the frames at the top of a traceback that belong
// to stdlib modules: the leading run of stdlib and Go frames ([G]: in
// function 'error', table.sort calling a stdlib comparator…) up to and
// including its last stdlib frame. A traceback that does not start inside
// stdlib is returned unchanged, so a Go binding's own frame stays.
func dropLibraryFrames(trace string) string {
	lines := strings.Split(trace, "\n")
	start, cut := 0, -1
	if strings.HasPrefix(lines[0], "stack traceback") {
		start = 1
	}
	for i := start; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if strings.HasPrefix(line, stdlibChunkPrefix) {
			cut = i
		} else if !strings.HasPrefix(line, "[G]") {
			break
		}
	}
	if cut < 0 {
		return trace
	}
	return strings.Join(append(lines[:start:start], lines[cut+1:]...), "\n")
}

// luaFrames counts the Lua (not Go) frames of a traceback.
func luaFrames(trace string) int {
	n := 0
	for _, line := range strings.Split(trace, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "[G]") && !strings.HasPrefix(line, "stack traceback") {
			n++
		}
	}
	return n
}

// errorText renders a Lua error value. Strings are the message; a userdata
// holding a Go error is how bindings raise errors that keep their type; a
// value with __tostring says what it is; anything else is described as
// lua.c does.
func (s *session) errorText(v lua.LValue) (string, error) {
	switch v := v.(type) {
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		return luaNumberText(v), nil
	case *lua.LUserData:
		if err, ok := v.Value.(error); ok {
			return err.Error(), err
		}
	}
	if mt := s.L.GetMetaField(v, "__tostring"); mt != lua.LNil {
		if err := s.L.CallByParam(lua.P{Fn: mt, NRet: 1, Protect: true}, v); err == nil {
			str := s.L.Get(-1)
			s.L.Pop(1)
			if str, ok := str.(lua.LString); ok {
				return string(str), nil
			}
		}
	}
	if t, ok := v.(*lua.LTable); ok {
		// error({code = 1, msg = "..."}) is how some scripts carry data;
		// its contents say more than its type.
		return "(error object is a table: " + shortTable(t) + ")", nil
	}
	return fmt.Sprintf("(error object is a %s value)", v.Type()), nil
}

// shortTable renders t on one line for an error message: up to eight
// entries, keys sorted, nested tables as {…}, long strings cut.
func shortTable(t *lua.LTable) string {
	type entry struct{ key, text string }
	var entries []entry
	t.ForEach(func(k, v lua.LValue) {
		key := "[" + shortValue(k) + "]"
		if s, ok := k.(lua.LString); ok && isIdentifier(string(s)) {
			key = string(s)
		}
		entries = append(entries, entry{key, key + " = " + shortValue(v)})
	})
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	parts := make([]string, 0, len(entries))
	for i, e := range entries {
		if i == 8 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, e.text)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func shortValue(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		s := string(v)
		if r := []rune(s); len(r) > 60 {
			s = string(r[:59]) + "…"
		}
		return strconv.Quote(s)
	case lua.LNumber:
		return luaNumberText(v)
	case *lua.LTable:
		return "{…}"
	}
	return v.String()
}

// hasPosition reports whether msg starts with "chunk:line:".
func hasPosition(msg string) bool {
	first, _, ok := strings.Cut(msg, " ")
	if !ok || !strings.HasSuffix(first, ":") {
		return false
	}
	parts := strings.Split(strings.TrimSuffix(first, ":"), ":")
	if len(parts) < 2 {
		return false
	}
	line := parts[len(parts)-1]
	return line != "" && strings.Trim(line, "0123456789") == ""
}

// firstLuaPosition finds "report.lua:12:" in the first traceback line that
// is a Lua frame.
func firstLuaPosition(trace string) string {
	for _, line := range strings.Split(trace, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "[G]") || strings.HasPrefix(line, "stack traceback") || strings.HasPrefix(line, "...") {
			continue
		}
		if pos, _, ok := strings.Cut(line, " "); ok && hasPosition(line) {
			return pos
		}
	}
	return ""
}

// tidyTraceback drops gopher-lua's "[G]: ?" line for the Go caller at the
// bottom of every stack, which tells the reader nothing.
func tidyTraceback(trace string) string {
	lines := strings.Split(strings.TrimRight(trace, "\n"), "\n")
	for len(lines) > 1 && strings.TrimSpace(lines[len(lines)-1]) == "[G]: ?" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= 1 {
		return "" // only the header left
	}
	return strings.Join(lines, "\n")
}
