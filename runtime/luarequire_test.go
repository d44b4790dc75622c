package runtime

import (
	"strings"
	"testing"
)

// A module nothing provides is one line naming the closest module and the
// modules there are; the script folder's own files still load, and an
// error inside a module that exists is that module's error.
func TestRequireMissingModuleIsOneLine(t *testing.T) {
	c := newCLI(t)
	c.script("helpers.lua", "return {x = 41}\n")
	c.script("sub/util.lua", "return {y = 1}\n")
	c.script("broken.lua", "return {x = \n")
	r := c.lua(strings.Join([]string{
		`print(require("helpers").x + 1, require("sub.util").y)`,
		`print(pcall(require, "broken"))`,
		`print(pcall(require, "helper"))`,
		`require "strngs"`,
	}, "\n"))
	r.expect(t, ExitScriptError)
	mustContain(t, "stdout", r.stdout, "42\t1\n", "broken.lua at EOF:   syntax error", `module "helper" not found; did you mean "helpers"?`)
	want := `skynamo: s.lua:4: module "strngs" not found; did you mean "strings"? (modules: `
	mustContain(t, "stderr", r.stderr, want, "tables")
	mustNotContain(t, "stderr", r.stderr, "package.preload", "stat ")
	line, _, _ := strings.Cut(r.stderr[strings.Index(r.stderr, want):], "\n")
	if !strings.HasSuffix(line, ")") {
		t.Errorf("the message goes on past one line:\n%s", r.stderr)
	}
}

func TestRequireMissingModuleInTheRepl(t *testing.T) {
	c := newCLI(t)
	c.script("mine.lua", "return 'from mine'\n")
	c.stdin = "require 'mine'\nrequire 'tabels'\nrequire 'zzzzzz'\n"
	r := c.run("repl")
	r.expect(t, ExitScriptError)
	if r.stdout != "from mine\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	mustContain(t, "stderr", r.stderr,
		`skynamo: stdin:2: module "tabels" not found; did you mean "tables"? (modules: `,
		`skynamo: stdin:3: module "zzzzzz" not found (modules: `)
	if n := strings.Count(r.stderr, "\n"); n != 2 {
		t.Errorf("want two one-line errors:\n%s", r.stderr)
	}
}
