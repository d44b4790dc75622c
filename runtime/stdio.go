package runtime

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's print and io library write to the process's os.Stdout and
// read os.Stdin, and its file objects can only wrap an *os.File. The
// standard streams are therefore replaced with file objects of our own that
// write through the Host; io.open and friends keep gopher-lua's real files,
// and io.write, io.read, io.lines, io.output, io.input, io.close, io.flush
// and io.type accept both kinds.

const stdFileType = "skynamo.stdfile"

// stdFile is io.stdin, io.stdout or io.stderr.
type stdFile struct {
	name  string
	h     *Host         // its redactor hides secrets in what is written
	w     io.Writer     // nil when not writable
	r     *bufio.Reader // nil when not readable
	flush func() error  // makes written data visible
}

// luaIO holds the Lua io library's current default files: io.output and
// io.input may swap them for files the script opened.
type luaIO struct {
	stdout, stderr, stdin lua.LValue
	out, in               lua.LValue
	origIO                *lua.LTable // gopher-lua's io functions, for real files
}

func (s *session) installBase() {
	L := s.L
	L.SetGlobal("print", L.NewFunction(s.luaPrint))
	L.SetGlobal("tostring", L.NewFunction(luaToString))
	L.SetGlobal("error", L.NewFunction(luaError))
	s.installProtectedCalls()
}

// print(...) writes its arguments, converted with tostring, separated by
// tabs, to the host's standard output.
func (s *session) luaPrint(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(luaToText(L, L.Get(i)))
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(s.host.Stdout(), s.host.redactOutput(b.String())); err != nil {
		L.RaiseError("print: %v", err)
	}
	return 0
}

// error(message [, level]) as Lua 5.1 defines it. gopher-lua's error puts
// the position of the wrong frame for level 2 and above (it names the
// function that called error, not its caller), so argument checks in Lua
// modules would blame the module instead of the script line at fault.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if msg, ok := obj.(lua.LString); ok && level > 0 {
		obj = lua.LString(luaWhere(L, level) + string(msg))
	}
	L.Error(obj, 0)
	return 0
}

// luaWhere is luaL_where: "chunk:line: " of the function level frames up
// from the running Go function, or "" when that is not Lua code.
func luaWhere(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	fv, err := L.GetInfo("Slf", dbg, lua.LNil)
	if fn, isFn := fv.(*lua.LFunction); err != nil || !isFn || fn.IsG || dbg.CurrentLine < 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

func (s *session) installIO() {
	L := s.L
	mt := L.NewTypeMetatable(stdFileType)
	methods := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"write":   stdFileWrite,
		"read":    stdFileRead,
		"lines":   stdFileLines,
		"flush":   stdFileFlush,
		"close":   stdFileClose,
		"setvbuf": stdFileSetvbuf,
		"seek":    stdFileSeek,
	})
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(stdFileString))

	h := s.host
	newFile := func(f *stdFile) lua.LValue {
		ud := L.NewUserData()
		ud.Value = f
		L.SetMetatable(ud, mt)
		return ud
	}
	lio := &luaIO{
		stdout: newFile(&stdFile{name: "stdout", h: h, w: h.Stdout(), flush: h.Flush}),
		stderr: newFile(&stdFile{name: "stderr", h: h, w: h.Stderr(), flush: func() error { return nil }}),
		// Reading stdin flushes stdout first, so a prompt is on screen.
		stdin: newFile(&stdFile{name: "stdin", r: h.Stdin(), flush: h.Flush}),
	}
	lio.out, lio.in = lio.stdout, lio.stdin
	s.io = lio

	iot, ok := L.GetGlobal("io").(*lua.LTable)
	if !ok {
		return
	}
	lio.origIO = L.NewTable()
	iot.ForEach(func(k, v lua.LValue) { lio.origIO.RawSet(k, v) })
	iot.RawSetString("stdout", lio.stdout)
	iot.RawSetString("stderr", lio.stderr)
	iot.RawSetString("stdin", lio.stdin)
	L.SetFuncs(iot, map[string]lua.LGFunction{
		"write":  func(L *lua.LState) int { return callMethod(L, lio.out, "write") },
		"read":   func(L *lua.LState) int { return callMethod(L, lio.in, "read") },
		"flush":  func(L *lua.LState) int { return callMethod(L, lio.out, "flush") },
		"close":  lio.close,
		"lines":  lio.lines,
		"output": func(L *lua.LState) int { return lio.swap(L, &lio.out, "w") },
		"input":  func(L *lua.LState) int { return lio.swap(L, &lio.in, "r") },
		"type":   lio.ioType,
	})
}

// callMethod calls obj:name(...) with the current function's arguments and
// returns what it returns, so the io functions work on either kind of file.
func callMethod(L *lua.LState, obj lua.LValue, name string) int {
	top := L.GetTop()
	L.Push(L.GetField(obj, name))
	L.Push(obj)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top+1, lua.MultRet)
	return L.GetTop() - top
}

// io.close([file]) closes file, or the default output.
func (lio *luaIO) close(L *lua.LState) int {
	if L.GetTop() == 0 {
		return callMethod(L, lio.out, "close")
	}
	f := L.Get(1)
	L.Remove(1)
	return callMethod(L, f, "close")
}

// io.lines([filename]) iterates over a file's lines, or the default input's.
func (lio *luaIO) lines(L *lua.LState) int {
	if L.GetTop() == 0 || L.Get(1) == lua.LNil {
		L.SetTop(0)
		return callMethod(L, lio.in, "lines")
	}
	return callOrig(L, lio.origIO, "lines")
}

// io.output([file | filename]) and io.input: set the default file, opening
// filename with mode; return the current one.
func (lio *luaIO) swap(L *lua.LState, cur *lua.LValue, mode string) int {
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LString:
		L.SetTop(0)
		L.Push(L.GetField(lio.origIO, "open"))
		L.Push(v)
		L.Push(lua.LString(mode))
		L.Call(2, 2)
		if L.Get(-2) == lua.LNil {
			L.RaiseError("%s", L.Get(-1).String())
		}
		*cur = L.Get(-2)
	case *lua.LUserData:
		*cur = v
	default:
		L.ArgError(1, "file or file name expected, got "+v.Type().String())
	}
	L.SetTop(0)
	L.Push(*cur)
	return 1
}

// io.type(obj) -> "file", "closed file" or nil.
func (lio *luaIO) ioType(L *lua.LState) int {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if _, ok := ud.Value.(*stdFile); ok {
			L.Push(lua.LString("file"))
			return 1
		}
	}
	return callOrig(L, lio.origIO, "type")
}

func callOrig(L *lua.LState, orig *lua.LTable, name string) int {
	top := L.GetTop()
	L.Push(orig.RawGetString(name))
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

func checkStdFile(L *lua.LState) *stdFile {
	ud := L.CheckUserData(1)
	f, ok := ud.Value.(*stdFile)
	if !ok {
		L.ArgError(1, "file expected")
	}
	return f
}

// file:write(...) -> file | nil, message
func stdFileWrite(L *lua.LState) int {
	f := checkStdFile(L)
	if f.w == nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("cannot write to " + f.name))
		return 2
	}
	// The arguments are written as one piece, so a secret is seen whole
	// even when it comes in several of them.
	var text string
	if top := L.GetTop(); top == 2 {
		text = stdWriteArg(L, 2)
	} else {
		var b strings.Builder
		for i := 2; i <= top; i++ {
			b.WriteString(stdWriteArg(L, i))
		}
		text = b.String()
	}
	if _, err := io.WriteString(f.w, f.h.redactOutput(text)); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(L.Get(1))
	return 1
}

// stdWriteArg is argument i of file:write as text: a string, or a number
// as Lua 5.1 writes it.
func stdWriteArg(L *lua.LState, i int) string {
	switch v := L.Get(i).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return luaNumberText(v)
	default:
		L.ArgError(i-1, "string expected, got "+v.Type().String())
		return ""
	}
}

// file:flush() -> file | nil, message
func stdFileFlush(L *lua.LState) int {
	f := checkStdFile(L)
	if err := f.flush(); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(L.Get(1))
	return 1
}

// file:close() on a standard file fails, as in Lua 5.1: closing the host's
// streams would break everything printed afterwards, errors included.
func stdFileClose(L *lua.LState) int {
	checkStdFile(L)
	L.Push(lua.LNil)
	L.Push(lua.LString("cannot close standard file"))
	return 2
}

// file:setvbuf(mode) is accepted and ignored: the host decides buffering.
func stdFileSetvbuf(L *lua.LState) int {
	checkStdFile(L)
	L.Push(lua.LTrue)
	return 1
}

func stdFileSeek(L *lua.LState) int {
	f := checkStdFile(L)
	L.Push(lua.LNil)
	L.Push(lua.LString("cannot seek on " + f.name))
	return 2
}

func stdFileString(L *lua.LState) int {
	f := checkStdFile(L)
	L.Push(lua.LString("file (" + f.name + ")"))
	return 1
}

// file:read(...) with Lua 5.1 formats "*l", "*n", "*a" or a byte count
// (the "*" may be left out, as Lua 5.3 allows). Returns nil at end of input.
func stdFileRead(L *lua.LState) int {
	f := checkStdFile(L)
	if f.r == nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("cannot read from " + f.name))
		return 2
	}
	if err := f.flush(); err != nil {
		L.RaiseError("%v", err)
	}
	top := L.GetTop()
	if top == 1 {
		L.Push(readLine(f.r))
		return 1
	}
	n := 0
	for i := 2; i <= top; i++ {
		v := readFormat(L, f.r, i)
		L.Push(v)
		n++
		if v == lua.LNil {
			break
		}
	}
	return n
}

func readFormat(L *lua.LState, r *bufio.Reader, i int) lua.LValue {
	switch v := L.Get(i).(type) {
	case lua.LNumber:
		return readBytes(r, int(v))
	case lua.LString:
		switch strings.TrimPrefix(string(v), "*") {
		case "l", "line":
			return readLine(r)
		case "n", "number":
			return readNumber(r)
		case "a", "all":
			b, _ := io.ReadAll(r)
			return lua.LString(b)
		}
	}
	L.ArgError(i-1, "invalid format")
	return lua.LNil
}

func readLine(r *bufio.Reader) lua.LValue {
	line, err := r.ReadString('\n')
	if err != nil && line == "" {
		return lua.LNil
	}
	return lua.LString(strings.TrimSuffix(line, "\n"))
}

func readBytes(r *bufio.Reader, n int) lua.LValue {
	if n <= 0 {
		// read(0) tests for end of input.
		if _, err := r.Peek(1); err != nil {
			return lua.LNil
		}
		return lua.LString("")
	}
	buf := make([]byte, n)
	got, _ := io.ReadFull(r, buf)
	if got == 0 {
		return lua.LNil
	}
	return lua.LString(buf[:got])
}

func readNumber(r *bufio.Reader) lua.LValue {
	for {
		c, err := r.ReadByte()
		if err != nil {
			return lua.LNil
		}
		if !strings.ContainsRune(" \t\r\n\f\v", rune(c)) {
			_ = r.UnreadByte()
			break
		}
	}
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		if err != nil {
			break
		}
		if !strings.ContainsRune("0123456789+-.eExXabcdefABCDEF", rune(c)) {
			_ = r.UnreadByte()
			break
		}
		b.WriteByte(c)
	}
	if n, err := strconv.ParseFloat(b.String(), 64); err == nil {
		return lua.LNumber(n)
	}
	if n, err := strconv.ParseInt(b.String(), 0, 64); err == nil {
		return lua.LNumber(n)
	}
	return lua.LNil
}

// file:lines() -> iterator over the remaining lines.
func stdFileLines(L *lua.LState) int {
	f := checkStdFile(L)
	if f.r == nil {
		L.RaiseError("cannot read from %s", f.name)
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		_ = f.flush()
		L.Push(readLine(f.r))
		return 1
	}))
	return 1
}
