package scripts

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yuin/gopher-lua/parse"
)

// Every shipped script says what it is on its first line, documents its
// arguments, answers --help and parses; `skynamo scripts` relies on the first.
func TestShippedScriptsHaveHeaders(t *testing.T) {
	list := List()
	if len(list) < 6 {
		t.Fatalf("only %d shipped scripts: %v", len(list), list)
	}
	for _, s := range list {
		src, ok := Source(s.Name)
		if !ok {
			t.Fatalf("%s listed but has no source", s.Name)
		}
		if want := "-- " + s.Name + ".lua: "; !strings.HasPrefix(string(src), want) {
			t.Errorf("%s.lua does not start with %q", s.Name, want)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
		if !strings.Contains(string(src), "-- Usage:") {
			t.Errorf("%s.lua has no -- Usage:", s.Name)
		}
		// --help is answered by the args module or by the script itself.
		if !strings.Contains(string(src), `args.parse`) && !strings.Contains(string(src), `"--help"`) {
			t.Errorf("%s.lua neither uses args.parse nor handles \"--help\"", s.Name)
		}
		if _, err := parse.Parse(bytes.NewReader(src), s.Name+".lua"); err != nil {
			t.Errorf("%s.lua does not parse: %v", s.Name, err)
		}
	}
}

func TestSourceNames(t *testing.T) {
	for _, name := range []string{"customer_report", "customer_report.lua"} {
		if _, ok := Source(name); !ok {
			t.Errorf("Source(%q) not found", name)
		}
	}
	for _, name := range []string{"", ".lua", "nope", "../scripts/customer_report", "embed.go"} {
		if _, ok := Source(name); ok {
			t.Errorf("Source(%q) found", name)
		}
	}
}

func TestDescribe(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"-- a.lua: does a thing.\n-- more\n", "does a thing"},
		{"#!/usr/bin/env skynamo run\n-- b.lua: with a shebang\n", "with a shebang"},
		{"-- just a comment: with a colon\n", "just a comment: with a colon"},
		{"\xef\xbb\xbf-- c.lua: after a BOM\r\n", "after a BOM"},
		{"print(1)\n-- late comment\n", ""},
		{"", ""},
	} {
		if got := Describe([]byte(tt.src)); got != tt.want {
			t.Errorf("Describe(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}
