package runtime

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"
)

// dumpArgs prints the arg table from its lowest index to its highest, then
// the main chunk's ... values.
const dumpArgs = `
local lo, hi = 0, #arg
while arg[lo - 1] ~= nil do lo = lo - 1 end
for i = lo, hi do print(i, arg[i]) end
print("...", select("#", ...), ...)
`

func TestRunPassesArgumentsVerbatim(t *testing.T) {
	c := newCLI(t)
	c.script("s.lua", dumpArgs)
	r := c.run("run", "--quiet", "s.lua", "-x", "--flag=1", "--", "--sim", "plain", "")
	r.expect(t, ExitOK)
	want := strings.Join([]string{
		"-3\tskynamo", "-2\trun", "-1\t--quiet", "0\ts.lua",
		"1\t-x", "2\t--flag=1", "3\t--", "4\t--sim", "5\tplain", "6\t",
		"...\t6\t-x\t--flag=1\t--\t--sim\tplain\t",
	}, "\n") + "\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestRunDashDashBeforeScriptEndsHostFlags(t *testing.T) {
	c := newCLI(t)
	c.script("-dash.lua", dumpArgs)
	r := c.run("run", "--quiet", "--", "-dash.lua", "--quiet")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "-1\t--\n", "-2\t--quiet\n", "0\t-dash.lua\n", "1\t--quiet\n", "...\t1\t--quiet\n")
}

func TestRunScriptFromStdin(t *testing.T) {
	c := newCLI(t)
	c.stdin = "print('from stdin', ...)\n"
	r := c.run("run", "-", "a")
	r.expect(t, ExitOK)
	if r.stdout != "from stdin\ta\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestRunSkipsShebangKeepingLineNumbers(t *testing.T) {
	c := newCLI(t)
	r := c.lua("#!/usr/bin/env skynamo run\nprint('ok')\nerror('line three')\n")
	r.expect(t, ExitScriptError)
	mustContain(t, "stdout", r.stdout, "ok\n")
	mustContain(t, "stderr", r.stderr, "skynamo: s.lua:3: line three\n")
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string // nil: run s.lua
		src    string
		code   int
		stdout string   // exact, when not empty
		stderr []string // substrings
		silent bool     // stderr is empty
	}{
		{name: "ok", src: "print('hi')", code: ExitOK, stdout: "hi\n"},
		{name: "runtime error", src: "local x = 1\nerror('boom')\n", code: ExitScriptError,
			stderr: []string{"skynamo: s.lua:2: boom\n"}},
		{name: "runtime error in a function", src: "local function f()\n  error('boom')\nend\nf()\n", code: ExitScriptError,
			stderr: []string{"skynamo: s.lua:2: boom\nstack traceback:\n", "s.lua:2: in function 'f'", "s.lua:4: in main chunk"}},
		{name: "error(msg, 0) is the script's own message", src: "error('usage: s.lua FILE', 0)", code: ExitScriptError,
			stderr: []string{"skynamo: usage: s.lua FILE\n"}},
		{name: "error with a table value", src: "error({})", code: ExitScriptError,
			stderr: []string{"skynamo: s.lua:1: (error object is a table: {})"}},
		{name: "error with a table of data", src: `error({code = 42, msg = "no stock", [1] = true, rows = {}})`, code: ExitScriptError,
			stderr: []string{`skynamo: s.lua:1: (error object is a table: {[1] = true, code = 42, msg = "no stock", rows = {…}})`}},
		{name: "error with a function value", src: "error(print)", code: ExitScriptError,
			stderr: []string{"skynamo: s.lua:1: (error object is a function value)"}},
		{name: "syntax error", src: "local a = 1\n\nx = = 2\n", code: ExitLoad,
			stderr: []string{"skynamo: s.lua:3: syntax error near '='\n"}},
		{name: "unfinished block", src: "function f()\n  return 1\n", code: ExitLoad,
			stderr: []string{"skynamo: s.lua:2: syntax error at end of file\n", "hint: "}},
		{name: "compile error", src: "goto nowhere", code: ExitLoad,
			stderr: []string{"s.lua:", "no visible label 'nowhere'"}},
		{name: "missing script", args: []string{"run", "missing.lua"}, code: ExitLoad,
			stderr: []string{"skynamo: cannot open script missing.lua: no such file or directory\n"}},
		{name: "bad flag", args: []string{"run", "--nope", "s.lua"}, code: ExitUsage,
			stderr: []string{"unknown flag: --nope"}},
		{name: "bad flag value", args: []string{"run", "--concurrency", "x", "s.lua"}, code: ExitUsage},
		{name: "no script", args: []string{"run"}, code: ExitUsage, stderr: []string{"run needs a script"}},
		{name: "no command", args: []string{}, code: ExitUsage},
		{name: "flag before command", args: []string{"--sim", "run", "s.lua"}, code: ExitUsage,
			stderr: []string{"flags go after the command"}},
		{name: "os.exit code", src: "print('before')\nio.write('unflushed')\nos.exit(7)\nprint('after')",
			code: 7, stdout: "before\nunflushed", silent: true},
		{name: "os.exit true", src: "os.exit(true)", code: ExitOK},
		{name: "os.exit false", src: "os.exit(false)", code: ExitScriptError},
		{name: "os.exit default", src: "os.exit()", code: ExitOK},
		{name: "os.exit through pcall", src: "pcall(os.exit, 9)\nprint('not reached')", code: 9, silent: true},
		{name: "os.exit in a caught function", src: "local ok = pcall(function() os.exit(4) end)\nprint('not reached')", code: 4},
		{name: "os.exit prints nothing", src: "os.exit(3)", code: 3, silent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			c.script("s.lua", tt.src)
			args := tt.args
			if args == nil {
				args = []string{"run", "s.lua"}
			}
			r := c.run(args...)
			r.expect(t, tt.code)
			if tt.stdout != "" && r.stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tt.stdout)
			}
			mustContain(t, "stderr", r.stderr, tt.stderr...)
			// None of these scripts uses the API, so none ends with the
			// summary line: it is printed only after a reader or writer
			// call connected (see the root e2e TestSummaryAfterAScriptErrorAndNotWhenQuiet).
			if strings.Contains(r.stderr, "done in") {
				t.Errorf("a run that never used the API printed a summary: %q", r.stderr)
			}
			if tt.silent && r.stderr != "" {
				t.Errorf("stderr %q, want nothing", r.stderr)
			}
		})
	}
}

// beforeSummary is stderr of a run that never used the API, which
// therefore has no summary line.
func beforeSummary(t *testing.T, stderr string) string {
	t.Helper()
	if strings.Contains(stderr, "skynamo: done in") {
		t.Fatalf("a run that never used the API printed a summary: %q", stderr)
	}
	return stderr
}

func TestRuntimeErrorMessageAppearsOnce(t *testing.T) {
	r := newCLI(t).lua("local function f()\n  local t = nil\n  return t.x + 1\nend\nf()\n")
	r.expect(t, ExitScriptError)
	if n := strings.Count(r.stderr, "attempt to index"); n != 1 {
		t.Errorf("message printed %d times:\n%s", n, r.stderr)
	}
	if n := strings.Count(r.stderr, "stack traceback:"); n != 1 {
		t.Errorf("%d tracebacks:\n%s", n, r.stderr)
	}
	first := strings.SplitN(r.stderr, "\n", 2)[0]
	if !strings.HasPrefix(first, "skynamo: s.lua:3: attempt to index") {
		t.Errorf("first line %q", first)
	}
	mustNotContain(t, "stderr", r.stderr, "[G]: ?")
}

func TestNestedTracebacksAreStripped(t *testing.T) {
	// A Go function that re-raises an inner error's text, as bindings may,
	// glues gopher-lua's traceback into the message.
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "inner", Loader: func(L *lua.LState) int {
			L.Push(L.NewFunction(func(L *lua.LState) int {
				err := L.DoString(`error("deep")`)
				L.RaiseError("%s", err.Error())
				return 0
			}))
			return 1
		}}}, nil, nil
	})
	r := c.lua("local inner = require 'inner'\nlocal function run() inner() end\nrun()\n")
	r.expect(t, ExitScriptError)
	if n := strings.Count(r.stderr, "stack traceback:"); n != 1 {
		t.Errorf("%d tracebacks:\n%s", n, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "deep")
}

func TestInterruptedBeforeStart(t *testing.T) {
	c := newCLI(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.ctx = ctx
	r := c.lua("print('x')\nwhile true do end\n")
	r.expect(t, ExitInterrupted)
	if got := beforeSummary(t, r.stderr); got != "skynamo: interrupted\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

// interruptModule lets a script press Ctrl-C on itself at a known point,
// so the test needs no timing.
func interruptModule(cancel context.CancelFunc, cleaned *bool) ModuleFactory {
	return func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		mod := Module{Name: "ctl", Loader: func(L *lua.LState) int {
			L.Push(L.NewFunction(func(L *lua.LState) int { cancel(); return 0 }))
			return 1
		}}
		return []Module{mod}, func() error { *cleaned = true; return nil }, nil
	}
}

func TestInterruptedWhileRunning(t *testing.T) {
	for name, src := range map[string]string{
		"tight loop": "print('start')\nrequire('ctl')()\nwhile true do end\n",
		"pcall loop": "print('start')\nrequire('ctl')()\nwhile true do pcall(function() end) end\n",
	} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cleaned bool
			c := newCLI(t).withModules(interruptModule(cancel, &cleaned))
			c.ctx = ctx
			r := c.lua(src)
			r.expect(t, ExitInterrupted)
			if r.stdout != "start\n" {
				t.Errorf("stdout %q: output printed before Ctrl-C must be flushed", r.stdout)
			}
			if !cleaned {
				t.Error("module cleanup did not run")
			}
			mustContain(t, "stderr", r.stderr, "skynamo: interrupted")
		})
	}
}

func TestCleanupRunsAfterOsExit(t *testing.T) {
	var cleaned bool
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return nil, func() error { cleaned = true; return nil }, nil
	})
	r := c.lua("os.exit(3)")
	r.expect(t, 3)
	if !cleaned {
		t.Error("cleanup did not run")
	}
}

func TestCleanupFailureAfterSuccess(t *testing.T) {
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return nil, func() error { return WithExitCode(ExitAPI, errors.New("flushing cache: disk full"), "") }, nil
	})
	r := c.lua("print('done')")
	r.expect(t, ExitAPI)
	mustContain(t, "stderr", r.stderr, "skynamo: flushing cache: disk full")
}

func TestPrintAndIOGoThroughTheHost(t *testing.T) {
	c := newCLI(t)
	c.stdin = "first line\nsecond line\n42 rest\nlast"
	r := c.lua(`
print("a", 1, nil, true)
io.write("b", 2, "\n")
io.stdout:write("c\n"):write("d\n")
io.stderr:write("e\n")
assert(io.output() == io.stdout)
io.output():write("f\n")
print(io.read())
print(io.read("*l"))
print(io.read("*n"), io.read("l"))
for line in io.lines() do print("line:", line) end
print(io.read(), io.type(io.stdout), tostring(io.stdout))
print(io.stdout:close())
`)
	r.expect(t, ExitOK)
	want := "a\t1\tnil\ttrue\nb2\nc\nd\nf\nfirst line\nsecond line\n42\t rest\nline:\tlast\nnil\tfile\tfile (stdout)\nnil\tcannot close standard file\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%q\nwant:\n%q", r.stdout, want)
	}
	if got := beforeSummary(t, r.stderr); got != "e\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestIOOutputToAFileAndBack(t *testing.T) {
	c := newCLI(t)
	c.script("s.lua", `
local path = arg[1]
io.output(path)
io.write("to file\n")
io.close()
io.output(io.stdout)
io.write("to stdout\n")
for line in io.lines(path) do print("read back:", line) end
`)
	r := c.run("run", "s.lua", c.dir+"/out.txt")
	r.expect(t, ExitOK)
	if r.stdout != "to stdout\nread back:\tto file\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestGetenvReadsTheHostEnvironment(t *testing.T) {
	c := newCLI(t)
	c.env = map[string]string{"SKY_SET": "value", "SKY_EMPTY": ""}
	r := c.lua(`print(os.getenv("SKY_SET"), os.getenv("SKY_EMPTY") == "", os.getenv("HOME"), os.getenv("SKY_UNSET"))`)
	r.expect(t, ExitOK)
	if r.stdout != "value\ttrue\tnil\tnil\n" {
		t.Errorf("stdout %q (the process environment must not leak in)", r.stdout)
	}
}

func TestRequireFindsStdlibAndLocalModules(t *testing.T) {
	c := newCLI(t)
	c.script("lib/helper.lua", "return { twice = function(x) return 2 * x end }")
	c.script("lib/s.lua", `
local strings = require "strings"
local helper = require "helper"
print(table.concat(strings.split("a,b", ","), "|"), helper.twice(21), strings.trim("  x "))
print(strings == require("strings"))
`)
	r := c.run("run", "lib/s.lua")
	r.expect(t, ExitOK)
	if r.stdout != "a|b\t42\tx\ntrue\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestStdlibErrorsBlameTheCallersLine(t *testing.T) {
	r := newCLI(t).lua("local strings = require 'strings'\n\nstrings.trim(nil)\n")
	r.expect(t, ExitScriptError)
	if got := beforeSummary(t, r.stderr); got != "skynamo: s.lua:3: bad argument #1 to 'trim' (string expected, got nil)\n" {
		t.Errorf("stderr %q", got)
	}
}

// A stdlib helper that blames the script's line prints like a Go binding's
// argument error: one line from the main chunk, and from inside a function
// a traceback of the script's own frames only.
func TestStdlibArgumentErrorsHideStdlibFrames(t *testing.T) {
	const msg = "bad argument #2 to 'sort_by' (key must be a property name or a function, got number)"
	main := newCLI(t).lua("local tables = require 'tables'\nlocal list = {{a = 1}, {a = 2}}\ntables.sort_by(list, 5)\n")
	main.expect(t, ExitScriptError)
	if got := beforeSummary(t, main.stderr); got != "skynamo: s.lua:3: "+msg+"\n" {
		t.Errorf("from the main chunk, stderr %q", got)
	}

	nested := newCLI(t).lua(`local tables = require 'tables'
local function sorted(list)
  local out = tables.sort_by(list, 5)
  return out
end
sorted({{a = 1}, {a = 2}})
`)
	nested.expect(t, ExitScriptError)
	want := "skynamo: s.lua:3: " + msg + "\nstack traceback:\n\ts.lua:3: in function 'sorted'\n\ts.lua:6: in main chunk\n"
	if got := beforeSummary(t, nested.stderr); got != want {
		t.Errorf("from a function, stderr %q, want %q", got, want)
	}
}

// Only the stdlib frames on top go: a Go binding's own frame stays, and so
// do stdlib frames below the script's (a callback the script handed to map).
func TestDropLibraryFrames(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"stack traceback:\n\t[G]: in function 'error'\n\tstdlib/tables.lua:63: in function 'bad'\n\t[G]: in function 'sort'\n\tstdlib/tables.lua:329: in function 'sort_by'\n\ts.lua:3: in main chunk",
			"stack traceback:\n\ts.lua:3: in main chunk"},
		{"stack traceback:\n\t[G]: in function 'decode'\n\ts.lua:3: in main chunk",
			"stack traceback:\n\t[G]: in function 'decode'\n\ts.lua:3: in main chunk"},
		{"stack traceback:\n\t[G]: in function 'error'\n\ts.lua:2: in function 'f'\n\tstdlib/tables.lua:9: in function 'map'\n\ts.lua:4: in main chunk",
			"stack traceback:\n\t[G]: in function 'error'\n\ts.lua:2: in function 'f'\n\tstdlib/tables.lua:9: in function 'map'\n\ts.lua:4: in main chunk"},
	} {
		if got := dropLibraryFrames(c.in); got != c.want {
			t.Errorf("dropLibraryFrames(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestErrorLevelNamesTheCaller(t *testing.T) {
	r := newCLI(t).lua(`
local function check(x)
  if type(x) ~= "number" then error("number expected", 2) end
end
local function use()
  check("no")  -- line 6
end
local ok, err = pcall(use)
print(err)
print(select(2, pcall(error, "no position", 0)))
print(select(2, pcall(error, "level 1")))
`)
	r.expect(t, ExitOK)
	want := "s.lua:6: number expected\nno position\nlevel 1\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
}

func TestModulesAreNotGlobals(t *testing.T) {
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "hello", Loader: func(L *lua.LState) int {
			L.Push(lua.LString("module value"))
			return 1
		}}}, nil, nil
	})
	r := c.lua(`print(hello, strings, require("hello"))`)
	r.expect(t, ExitOK)
	if r.stdout != "nil\tnil\tmodule value\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestDuplicateModuleNameIsRefused(t *testing.T) {
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "strings", Loader: func(L *lua.LState) int { return 0 }}}, nil, nil
	})
	r := c.lua("print(1)")
	if r.code == ExitOK {
		t.Fatal("a module shadowing a stdlib module was accepted")
	}
	mustContain(t, "stderr", r.stderr, `module "strings" registered twice`)
}

func TestFactoryReceivesHostOptions(t *testing.T) {
	var got HostOptions
	c := newCLI(t).withModules(func(_ context.Context, h *Host, o *HostOptions) ([]Module, func() error, error) {
		got = *o
		return nil, nil, nil
	})
	c.script("s.lua", "")
	c.run("run", "--sim", "--refresh", "--concurrency", "3", "--data-dir", "d", "--key", "HEAVY", "--instance", "acme", "-q", "s.lua", "--config", "x")
	want := HostOptions{Sim: true, Config: DefaultConfigPath, Key: "HEAVY", DataDir: "d", Refresh: true, Concurrency: 3, Instance: "acme", Quiet: true}
	if got != want {
		t.Errorf("options %+v, want %+v", got, want)
	}
}

func TestFactoryErrorsKeepTheirCode(t *testing.T) {
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return nil, nil, UsageError("create it or pass --config", "config file ./skynamo-config.json: not found")
	})
	r := c.lua("print(1)")
	r.expect(t, ExitUsage)
	if r.stderr != "skynamo: config file ./skynamo-config.json: not found\nhint: create it or pass --config\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

// apiError stands for the client's error type: it knows its exit code and
// has advice, but knows nothing of Lua or the runtime.
type apiError struct{ status int }

func (e *apiError) Error() string { return "the API answered " + http403(e.status) }
func (e *apiError) ExitCode() int { return ExitAPI }
func (e *apiError) Hint() string  { return "this is a wrong path or method, not a bad key" }

func http403(int) string { return "403 Missing Authentication Token" }

func TestGoErrorsRaisedInLuaKeepTheirExitCode(t *testing.T) {
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "api", Loader: func(L *lua.LState) int {
			L.Push(L.NewFunction(func(L *lua.LState) int {
				ud := L.NewUserData()
				ud.Value = &apiError{status: 403}
				L.Error(ud, 1)
				return 0
			}))
			return 1
		}}}, nil, nil
	})
	r := c.lua("local api = require 'api'\n\napi()\n")
	r.expect(t, ExitAPI)
	mustContain(t, "stderr", r.stderr,
		"skynamo: s.lua:3: the API answered 403 Missing Authentication Token\n",
		"hint: this is a wrong path or method, not a bad key\n")
}

func TestClassifiersMapForeignErrors(t *testing.T) {
	quota := errors.New("Limit Exceeded")
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return nil, nil, quota
	})
	c.app.Classifiers = []Classifier{func(err error) (int, string, bool) {
		if errors.Is(err, quota) {
			return ExitAPI, "the token's quota is used up", true
		}
		return 0, "", false
	}}
	r := c.lua("")
	r.expect(t, ExitAPI)
	mustContain(t, "stderr", r.stderr, "hint: the token's quota is used up")
}

func TestPartialRunExitsFive(t *testing.T) {
	c := newCLI(t).withModules(func(_ context.Context, h *Host, _ *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "pull", Loader: func(L *lua.LState) int {
			L.Push(L.NewFunction(func(L *lua.LState) int {
				h.NotePartial("customers: quota reached after 3 pages; 600 records kept")
				return 0
			}))
			return 1
		}}}, nil, nil
	})
	r := c.lua("require('pull')()\nprint('report written')")
	r.expect(t, ExitPartial)
	mustContain(t, "stderr", r.stderr, "skynamo: partial: customers: quota reached")

	r = c.lua("require('pull')()\nerror('worse')")
	r.expect(t, ExitScriptError) // a failure is not upgraded to "partial"
}

func TestSecretsAreRedacted(t *testing.T) {
	const key, password = "k3y-0f-the-instance", "smtp pass/word"
	c := newCLI(t).withModules(func(_ context.Context, h *Host, _ *HostOptions) ([]Module, func() error, error) {
		h.AddSecret(key)
		h.AddSecret(password)
		h.Warnf("using key %s", key)
		return nil, nil, nil
	})
	r := c.lua(`error("request failed: x-api-key=` + key + ` url=smtp://u:smtp+pass%2Fword@host")`)
	r.expect(t, ExitScriptError)
	mustNotContain(t, "stderr", r.stderr, key, "smtp+pass%2Fword")
	mustContain(t, "stderr", r.stderr, "x-api-key=***", "smtp://u:***@host", "warning: using key ***")
}

func TestRedactIgnoresTinySecrets(t *testing.T) {
	h := NewHost(IO{}, nil)
	h.AddSecret("")
	h.AddSecret("ab")
	if got := h.Redact("a tab"); got != "a tab" {
		t.Errorf("Redact = %q", got)
	}
}

func TestMainUsesTheGivenStreams(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"version"}, IO{Stdout: &stdout, Stderr: &stderr}, MapEnv(nil))
	if code != ExitOK || !strings.HasPrefix(stdout.String(), "skynamo ") || stderr.Len() != 0 {
		t.Errorf("code %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// A skynamo flag after the script reaches the script; when the run then
// fails as a usage error, a hint says where the flag belongs. A run that
// succeeds, or fails otherwise, gets no hint.
func TestRunHintsMisplacedHostFlags(t *testing.T) {
	c := newCLI(t)
	c.script("usage.lua", `io.stderr:write("skynamo: unknown option ", arg[1], "\n") os.exit(2)`)
	c.script("config.lua", `error(setmetatable({}, {__tostring = function() return "no config" end}))`)
	c.script("ok.lua", `print(...)`)
	r := c.run("run", "usage.lua", "--sim", "-q", "--data-dir=x", "--help", "mine", "--", "--offline")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, "skynamo: unknown option --sim\nhint: if --sim -q --data-dir=x were meant for skynamo, put them before the script: skynamo run --sim -q --data-dir=x usage.lua ...\n")
	r = c.run("run", "ok.lua", "--sim")
	r.expect(t, ExitOK)
	if strings.Contains(r.stderr, "hint") {
		t.Errorf("a run that worked got a hint: %s", r.stderr)
	}
	r = c.run("run", "config.lua", "--sim")
	r.expect(t, ExitScriptError)
	if strings.Contains(r.stderr, "hint") {
		t.Errorf("a script error got the flag hint: %s", r.stderr)
	}
	if got := misplacedHostFlags(hostFlagSet(), []string{"-v", "--verbose", "-x", "--sim=true", "-h", "--", "--sim"}); strings.Join(got, " ") != "-v --verbose --sim=true" {
		t.Errorf("misplacedHostFlags = %q", got)
	}
}

func hostFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	var o runOptions
	o.AddFlags(fs)
	return fs
}

// A usage error of the host's own (no config) gets the flag hint in place
// of its own, which would say "try --sim" to someone who did.
func TestHintMisplacedFlagsReplacesUsageHint(t *testing.T) {
	err := hintMisplacedFlags(nil, UsageError("or try --sim", "SKYNAMO_INSTANCE_NAME is not set"), []string{"--sim"}, "r.lua")
	code, hint := classify(err, nil)
	if code != ExitUsage || hint != "if --sim was meant for skynamo, put it before the script: skynamo run --sim r.lua ..." {
		t.Errorf("code %d, hint %q", code, hint)
	}
}

// Another misplaced flag keeps the error's own hint after the flag hint.
func TestHintMisplacedFlagsKeepsOtherHints(t *testing.T) {
	err := hintMisplacedFlags(nil, UsageError("or try --sim", "SKYNAMO_INSTANCE_NAME is not set"), []string{"-q"}, "r.lua")
	_, hint := classify(err, nil)
	if hint != "if -q was meant for skynamo, put it before the script: skynamo run -q r.lua ...\nhint: or try --sim" {
		t.Errorf("hint %q", hint)
	}
}
