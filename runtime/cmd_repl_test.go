package runtime

import (
	"bytes"
	"context"
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
	mustContain(t, "stderr", r.stderr, "skynamo: stdin:1: boom\n", "unterminated string")
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

func TestFormatValue(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	tests := []struct{ src, want string }{
		{`return "plain"`, `plain`},
		{`return 1.5`, `1.5`},
		{`return {}`, `{}`},
		{`return {1, 2, "x"}`, `{1, 2, "x"}`},
		{`return {b = 1, a = "s", [10] = true, ["with space"] = 1, ["end"] = 2}`, `{a = "s", b = 1, ["end"] = 2, ["with space"] = 1, [10] = true}`},
		{`return {a = {b = {c = 1}}}`, `{a = {b = {...}}}`},
		{`local t = {} for i = 1, 20 do t[i] = i end return t`, `{1, 2, 3, 4, 5, 6, 7, 8, ... (12 more)}`},
		{`return setmetatable({}, {__tostring = function() return "custom" end})`, `custom`},
	}
	for _, tt := range tests {
		if err := L.DoString(tt.src); err != nil {
			t.Fatal(err)
		}
		got := formatValue(L, L.Get(-1))
		L.Pop(1)
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.src, got, tt.want)
		}
	}
}

// Tables print through stdlib pretty.format with a row limit once the
// pretty module exists; until then (or if it fails) through the short
// form of replformat.go.
func TestReplPrintsTablesThroughPretty(t *testing.T) {
	c := newCLI(t)
	c.stdin = strings.Join([]string{
		"t = {1, 'two', k = {z = 1}}",
		"t",
		"print('---')",
		"print(package.preload.pretty and require('pretty').format(t, {rows = 20}) or 'no pretty')",
	}, "\n") + "\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	shown, direct, ok := strings.Cut(r.stdout, "---\n")
	if !ok {
		t.Fatalf("stdout %q\nstderr %s", r.stdout, r.stderr)
	}
	want := strings.TrimRight(direct, "\n") + "\n"
	if direct == "no pretty\n" {
		want = "{1, \"two\", k = {z = 1}}\n"
	}
	if shown != want {
		t.Errorf("shown %q, want %q", shown, want)
	}
}
