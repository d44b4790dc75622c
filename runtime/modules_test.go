package runtime

import (
	"strings"
	"testing"
)

// A misspelt function of any module (Go or embedded Lua) names the module,
// the name and the closest ones, at the script's line.
func TestMisspeltModuleFunction(t *testing.T) {
	cases := []struct{ src, want string }{
		{`local t = require "tables"; t.sortby({}, "a")`, `s.lua:1: tables has no "sortby"; did you mean "sort_by"?`},
		{`local d = require "dates"; print(d.formatt)`, `s.lua:1: dates has no "formatt"; did you mean "format"?`},
		{`local c = require "csv"; c.writ("x.csv", {})`, `s.lua:1: csv has no "writ"; did you mean "write"`},
		{`local s = require "strings"; s.splt("a", ",")`, `s.lua:1: strings has no "splt"; did you mean "split"?`},
	}
	for _, tc := range cases {
		r := newCLI(t).lua(tc.src)
		if r.code != ExitScriptError || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s\nexit %d, stderr:\n%s\nwant exit %d and %q", tc.src, r.code, r.stderr, ExitScriptError, tc.want)
		}
	}
	// Names a module does have still work, and so do values that are not
	// functions (json.null).
	r := newCLI(t).lua(`local j = require "json"; print(j.encode({j.null}), require("tables").sort_by({{a = 2}, {a = 1}}, "a")[1].a)`)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[null]\t1") {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
