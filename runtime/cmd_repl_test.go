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
		"{1, 'two', k = {z = 1}}",
		"'s', nil, true",
		"local s = [[long",
		"string]] return s",
		"x = 'unfinished",
		"require('strings').trim('  ok  ')",
		"x", // the failed line above did not change x
	}, "\n") // no newline at the end: the last line still counts
	r := c.run("repl")
	r.expect(t, ExitOK)
	want := "3\n20\n42\nstill here\n{1, \"two\", k = {z = 1}}\ns\tnil\ttrue\nlong\nstring\nok\n10\n"
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	mustContain(t, "stderr", r.stderr, "skynamo: stdin:1: boom\n", "unterminated string")
	if strings.Count(r.stderr, "skynamo: ") != 2 {
		t.Errorf("expected two errors:\n%s", r.stderr)
	}
}

func TestReplPromptsOnATerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader("function f()\nreturn 1 end\nf()\n"), Stdout: &stdout, Stderr: &stderr}, nil)
	app := DefaultApp()
	err := runRepl(context.Background(), h, app, &replOptions{}, true)
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Flush()
	out := stdout.String()
	mustContain(t, "stdout", out, "Ctrl-D", "> >> > 1\n> \n")
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
