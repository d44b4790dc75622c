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
// gopher-lua skips that closing while an error handler is set (its
// unexported LState.hasErrorFunc, which xpcall sets). pcall and xpcall here
// keep that flag set for the whole protected call and restore it after, so
// nested calls keep it too (gopher-lua clears it when any protected call
// ends). The cost is the other half of the bug's trade: open upvalues of
// the frames the error unwound stay open until their enclosing function
// returns, which only matters to a closure created inside the failed call
// that escaped it, far rarer than the loop above.
//
// errorHandlerFlag finds the field once; when a gopher-lua upgrade renames
// it, it is nil, pcall and xpcall fall back to gopher-lua's own, and
// TestPcallKeepsEnclosingLocals fails so the upgrade is looked at.
var errorHandlerFlag = func() *reflect.StructField {
	f, ok := reflect.TypeFor[lua.LState]().FieldByName("hasErrorFunc")
	if !ok || f.Type.Kind() != reflect.Bool {
		return nil
	}
	return &f
}()

// swapErrorHandlerFlag sets L's flag to v and returns the old value.
func swapErrorHandlerFlag(L *lua.LState, v bool) bool {
	p := (*bool)(unsafe.Add(unsafe.Pointer(L), errorHandlerFlag.Offset))
	old := *p
	*p = v
	return old
}

// installProtectedCalls replaces the globals pcall and xpcall with versions
// that do not trip the bug above; their behaviour is Lua 5.1's.
func (s *session) installProtectedCalls() {
	if errorHandlerFlag == nil {
		return
	}
	L := s.L
	pcall := L.GetGlobal("pcall").(*lua.LFunction).GFunction
	xpcall := L.GetGlobal("xpcall").(*lua.LFunction).GFunction
	L.SetGlobal("pcall", L.NewFunction(keepUpvalues(pcall)))
	L.SetGlobal("xpcall", L.NewFunction(keepUpvalues(xpcall)))
}

func keepUpvalues(protected lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		old := swapErrorHandlerFlag(L, true)
		defer swapErrorHandlerFlag(L, old)
		return protected(L)
	}
}
