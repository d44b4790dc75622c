package runtime

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua v1.1.2 has a bug (yuin/gopher-lua#448) that makes reports
// silently wrong: when an error is raised while no error handler is set, it
// closes the open upvalues of EVERY frame on the stack, not just the frames
// the error unwinds. After the first error a pcall catches, a function that
// adds to an enclosing local (`local total = 0; local function add(x)
// total = total + x end`) keeps adding to a detached copy, and the script
// reads a stale total without any error.
//
// pcall and xpcall here do what PUC Lua's luaD_pcall does instead: while
// the protected call runs, gopher-lua's "error handler set" flag (its
// unexported LState.hasErrorFunc, which stops the closing) stays on, and
// after a caught error only the upvalues of the frames the error unwound
// are closed, through gopher-lua's own closeUpvalues from the protected
// call's base. Without that second half, a closure made inside the failed
// call would keep pointing at stack slots that later calls reuse.
//
// The hooks reach unexported parts of gopher-lua (a struct field and a
// method), found once here; when an upgrade renames them, lookups fail,
// pcall and xpcall stay gopher-lua's own, and TestPcallKeepsEnclosingLocals
// fails so the upgrade is looked at (ideally, #448 is fixed upstream by then
// and this file goes).
var pcallHooks = func() *struct{ flag, frame, localBase uintptr } {
	st := reflect.TypeFor[lua.LState]()
	flag, ok1 := st.FieldByName("hasErrorFunc")
	frame, ok2 := st.FieldByName("currentFrame")
	if !ok1 || !ok2 || flag.Type.Kind() != reflect.Bool || frame.Type.Kind() != reflect.Pointer {
		return nil
	}
	base, ok3 := frame.Type.Elem().FieldByName("LocalBase")
	if !ok3 || base.Type.Kind() != reflect.Int {
		return nil
	}
	return &struct{ flag, frame, localBase uintptr }{flag.Offset, frame.Offset, base.Offset}
}()

//go:linkname closeUpvalues github.com/yuin/gopher-lua.(*LState).closeUpvalues
func closeUpvalues(L *lua.LState, idx int)

// swapErrorHandlerFlag sets L's flag to v and returns the old value.
func swapErrorHandlerFlag(L *lua.LState, v bool) bool {
	p := (*bool)(unsafe.Add(unsafe.Pointer(L), pcallHooks.flag))
	old := *p
	*p = v
	return old
}

// frameBase is the first stack slot of the running Go function's frame:
// pcall's own arguments, above which every frame of the protected call
// lives.
func frameBase(L *lua.LState) int {
	frame := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), pcallHooks.frame))
	return *(*int)(unsafe.Add(frame, pcallHooks.localBase))
}

// installProtectedCalls replaces the globals pcall and xpcall with versions
// that do not trip the bug above; their behaviour is Lua 5.1's.
func (s *session) installProtectedCalls() {
	if pcallHooks == nil {
		return
	}
	s.L.SetGlobal("pcall", s.L.NewFunction(luaPcall))
	s.L.SetGlobal("xpcall", s.L.NewFunction(luaXpcall))
}

// luaPcall is pcall(f, ...) -> true, results... | false, err.
func luaPcall(L *lua.LState) int {
	f := L.CheckAny(1)
	if f.Type() != lua.LTFunction && L.GetMetaField(f, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + f.Type().String() + " value"))
		return 2
	}
	return protectedCall(L, L.GetTop()-1, 0, nil)
}

// luaXpcall is xpcall(f, handler) -> true, results... | false, handler(err).
func luaXpcall(L *lua.LState) int {
	f := L.CheckFunction(1)
	handler := L.CheckFunction(2)
	top := L.GetTop()
	L.Push(f)
	return protectedCall(L, 0, top, handler)
}

// protectedCall calls the function below its nargs arguments on top of the
// stack, keeping the flag on throughout and closing, when an error is
// caught, the upvalues of the frames it unwound while their stack slots
// still hold their values (gopher-lua runs the error handler before it
// resets the stack). Results go above keep slots.
func protectedCall(L *lua.LState, nargs, keep int, handler *lua.LFunction) int {
	base := frameBase(L)
	old := swapErrorHandlerFlag(L, true)
	defer swapErrorHandlerFlag(L, old)
	onError := L.NewFunction(func(L *lua.LState) int {
		defer closeUpvalues(L, base)
		if handler == nil {
			return 1 // the error object, unchanged
		}
		// gopher-lua clears the flag before it runs the handler; an error
		// inside the handler must not close every frame's upvalues either.
		prev := swapErrorHandlerFlag(L, true)
		defer swapErrorHandlerFlag(L, prev)
		L.Push(handler)
		L.Push(L.Get(1))
		L.Call(1, 1)
		return 1
	})
	if err := L.PCall(nargs, lua.MultRet, onError); err != nil {
		L.Push(lua.LFalse)
		if aerr, ok := err.(*lua.ApiError); ok {
			L.Push(aerr.Object)
		} else {
			L.Push(lua.LString(err.Error()))
		}
		return 2
	}
	L.Insert(lua.LTrue, keep+1)
	return L.GetTop() - keep
}
