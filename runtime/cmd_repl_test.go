package runtime

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestReplOverAPipe(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"1 + 2",
		"x = 10",
		"x * 2",
		"function double(n)",
		"  return n * 2",
		"end",
		"double(21)",
		"error('boom')",
		"print('still here')",
		"'s', nil, true",
		"local s = [[long",
		"string]] return s",
		"x = 'unfinished",
		"require('strings').trim('  ok  ')",
		"x", // the failed line above did not change x
		"=x + 1",
		"",
	}, "\n")
	r := c.run("repl")
	r.expect(t, ExitScriptError) // piped: a failed chunk makes the exit code 1
	want := "3\n20\n42\nstill here\ns\tnil\ttrue\nlong\nstring\nok\n10\n11\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	// Piped input is a file: messages name its lines (boom is line 8,
	// the unfinished string line 13).
	mustContain(t, "stderr", r.stderr, "skynamo: stdin:8: boom\n", "unterminated string", "stdin:13")
	if strings.Count(r.stderr, "skynamo: ") != 2 {
		t.Errorf("expected two errors:\n%s", r.stderr)
	}
}

func TestReplPipedWithoutErrorsExitsZero(t *testing.T) {
	c := newCLI(t)
	c.stdin = "print(1)\nlocal t = {1, 'two', k = {z = 1}}\nt" // no newline at the end: the last line still counts
	r := c.run("repl")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "1\n", `"two"`)
}

func TestReplLocalsSurvive(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"local y = 5",
		"y + 1",
		"local a, b = 1",
		"a, b",
		"local function sq(n) return n * n end",
		"sq(3)",
		"local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end",
		"fact(5)",
		"do local z = 1 end",
		"z",
		"local w = 1; local v = w + 1; print(v)",
		"local e",
		"e",
	}, "\n") + "\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	want := "6\n1\tnil\n9\n120\nnil\n2\nnil\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want, r.stderr)
	}
}

func TestReplInputEndsInsideAStatement(t *testing.T) {
	c := newCLI(t)
	c.stdin = "print('a')\nfunction f()\n"
	r := c.run("repl")
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "'end'")
}

func TestReplPromptsOnATerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader("function f()\nreturn 1 end\nf()\n"), Stdout: &stdout, Stderr: &stderr}, nil)
	app := DefaultApp()
	err := runRepl(context.Background(), h, app, &replOptions{}, func(r *repl) lineReader {
		r.interactive = true
		return &plainReader{h: h, prompts: true}
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Flush()
	// stdout is not a terminal here, so the banner and prompts go to
	// stderr and stdout holds just the value.
	mustContain(t, "stderr", stderr.String(), "Ctrl-D", "> >> > > \n")
	if stdout.String() != "1\n" {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestReplOsExitEndsWithItsCode(t *testing.T) {
	c := newCLI(t)
	c.stdin = "print('a')\nos.exit(6)\nprint('b')\n"
	r := c.run("repl")
	r.expect(t, 6)
	if r.stdout != "a\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestReplInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newCLI(t)
	c.ctx = ctx
	c.stdin = "while true do end\n"
	r := c.run("repl")
	r.expect(t, ExitInterrupted)
}

func TestReplRedactsSecretsInValues(t *testing.T) {
	c := newCLI(t).withModules(func(_ context.Context, h *Host, _ *HostOptions) ([]Module, func() error, error) {
		h.AddSecret("topsecretkey")
		return []Module{{Name: "config", Loader: func(L *lua.LState) int {
			t := L.NewTable()
			t.RawSetString("api_key", lua.LString("topsecretkey"))
			L.Push(t)
			return 1
		}}}, nil, nil
	})
	c.stdin = "require('config')\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	if r.stdout != "{api_key = \"***\"}\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

// Tables print through stdlib pretty.format with the REPL's row limit;
// other values as print shows them (a string unquoted).
func TestReplPrintsTablesThroughPretty(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"t = {1, 'two', k = {z = 1}}",
		"t",
		"print('---')",
		"print(require('pretty').format(t, {rows = 20}))",
		"'plain', 1.5, setmetatable({}, {__tostring = function() return 'custom' end})",
	}, "\n") + "\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	shown, rest, _ := strings.Cut(r.stdout, "---\n")
	direct, scalars, _ := strings.Cut(rest, "}\n")
	if shown != direct+"}\n" || !strings.HasPrefix(shown, "{1, ") || scalars != "plain\t1.5\tcustom\n" {
		t.Errorf("stdout %q\nstderr %s", r.stdout, r.stderr)
	}
}

// At a terminal, Ctrl-C stops the running line and the session goes on
// with its globals; a second Ctrl-C on the same line ends it as before.
func TestReplCtrlCStopsOnlyTheRunningLine(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader(strings.Join([]string{
		"kept = 41",
		"require('ctrlc')() while true do end",
		"kept + 1",
		"",
	}, "\n")), Stdout: &stdout, Stderr: &stderr, Interrupts: sigs}, nil)
	app := DefaultApp()
	app.Modules = func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "ctrlc", Loader: func(L *lua.LState) int {
			// Pressing Ctrl-C from inside the line: it is running by then.
			L.Push(L.NewFunction(func(*lua.LState) int { sigs <- os.Interrupt; return 0 }))
			return 1
		}}}, nil, nil
	}
	ctx, stop := h.watchInterrupts(context.Background())
	defer stop()
	err := runRepl(ctx, h, app, &replOptions{}, func(r *repl) lineReader {
		r.interactive = true
		return &plainReader{h: h}
	})
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
	}
	_ = h.Flush()
	if stdout.String() != "42\n" {
		t.Errorf("stdout %q", stdout.String())
	}
	if strings.Count(stderr.String(), "interrupted\n") != 1 {
		t.Errorf("stderr %q", stderr.String())
	}
}

// Piped, Ctrl-C ends the session as it ends a run.
func TestReplPipedCtrlCEndsTheSession(t *testing.T) {
	sigs := make(chan os.Signal, 1)
	c := newCLI(t).withModules(func(context.Context, *Host, *HostOptions) ([]Module, func() error, error) {
		return []Module{{Name: "ctrlc", Loader: func(L *lua.LState) int {
			L.Push(L.NewFunction(func(*lua.LState) int { sigs <- os.Interrupt; return 0 }))
			return 1
		}}}, nil, nil
	})
	c.stdin = "print('a')\nrequire('ctrlc')() while true do end\nprint('b')\n"
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader(c.stdin), Stdout: &stdout, Stderr: &stderr, Interrupts: sigs}, nil)
	if code := c.app.Run(context.Background(), h, []string{"repl"}); code != ExitInterrupted {
		t.Fatalf("exit code %d\nstderr:\n%s", code, stderr.String())
	}
	if stdout.String() != "a\n" {
		t.Errorf("stdout %q", stdout.String())
	}
}

// A top-level local named like a builtin stays local to its input, so the
// library is still there on the next line; other names become globals.
func TestReplLocalDoesNotReplaceABuiltin(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"local table = {1, 2} print(#table)",
		"type(table.concat)",
		"local n, string = 3, 'x' print(string)",
		"n, type(string.rep)",
		"local type = 'mine'",
		"type(1)",
		"{1, 2}", // printing goes through pretty, which needs the libraries
		"x = 1 local x = 2",
		"x",
	}, "\n") + "\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	want := "2\nfunction\nx\n3\tfunction\nnumber\n{1, 2}\n2\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want, r.stderr)
	}
	for _, name := range []string{"table", "string", "type"} {
		mustContain(t, "stderr", r.stderr, "note: local "+name+" stays local to this input; the builtin global "+name+" is unchanged")
	}
	if strings.Count(r.stderr, "note:") != 3 {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// Errors in piped input name the line of the input, also inside a
// function defined over several lines and called later, and for syntax
// errors.
func TestReplPipedErrorsNameInputLines(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"x = 1",
		"",
		"function f(n)",
		"  local y = n + 1",
		"  return y.z",
		"end",
		"f(1)",
		"x = = 2",
		"error('third')",
	}, "\n") + "\n"
	r := c.run("repl")
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "stdin:5: attempt to index", "stdin:8:", "stdin:9: third")
}

// At a terminal each input counts its own lines, as lua's prompt does.
func TestReplTerminalErrorsNameTheInputsLine(t *testing.T) {
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader("x = 1\nfunction g()\nerror('in g') end\ng()\n"), Stdout: &stdout, Stderr: &stderr}, nil)
	err := runRepl(context.Background(), h, DefaultApp(), &replOptions{}, func(r *repl) lineReader {
		r.interactive = true
		return &plainReader{h: h}
	})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "stderr", stderr.String(), "stdin:2: in g")
}
