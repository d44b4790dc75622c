package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

func (s *session) installOS() {
	L := s.L
	ost, ok := L.GetGlobal("os").(*lua.LTable)
	if !ok {
		return
	}
	L.SetFuncs(ost, map[string]lua.LGFunction{
		"exit":   s.osExit,
		"getenv": s.osGetenv,
	})
}

// os.getenv(name) -> string | nil, from the host's environment.
func (s *session) osGetenv(L *lua.LState) int {
	if v, ok := s.host.Getenv(L.CheckString(1)); ok {
		L.Push(lua.LString(v))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

// os.exit([code]) ends the script with code (true = 0, false = 1, default
// 0). It does not end the process: gopher-lua's os.exit calls the real
// os.Exit, which would skip flushing buffered output and caches. Instead
// the request is recorded and the script's context cancelled, so the
// error raised here unwinds the stack, and even a pcall that catches it is
// stopped at the next instruction.
func (s *session) osExit(L *lua.LState) int {
	code := ExitOK
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if !v {
			code = ExitScriptError
		}
	case lua.LNumber:
		code = int(v)
	default:
		L.ArgError(1, "number or boolean expected, got "+v.Type().String())
	}
	if s.exit == nil {
		s.exit = &exitRequest{code: code}
	}
	s.cancel()
	L.RaiseError("os.exit(%d)", code)
	return 0
}
