package runtime

import (
	"reflect"
	"strings"
	"testing"

	"github.com/chzyer/readline"
	lua "github.com/yuin/gopher-lua"
)

// completionState is a Lua state shaped like a REPL session after
// `local reader = require "reader"` and `c = reader.customers()`: a module
// and records whose metatables raise on unknown names.
func completionState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	L.PreloadModule("reader", func(L *lua.LState) int { L.Push(L.NewTable()); return 1 })
	L.PreloadModule("tables", func(L *lua.LState) int { L.Push(L.NewTable()); return 1 })
	err := L.DoString(`
		local function raise() error("completion must not index through __index") end
		reader = setmetatable({customers = function() end, customer_comments = function() end,
			products = function() end, fields = function() end}, {__index = raise})
		package.loaded.writer = {apply = function() end}
		local custom = setmetatable({["Credit Limit (R)"] = 5000, Notes = "x"}, {
			__index = raise,
			__names = {"Credit Limit (R)", "Customer Type", "Notes", "Région"},
		})
		c = {{name = "Acme", id = 1, custom = custom}}
		obj = setmetatable({}, {__index = {greet = function() end, size = 3}})
		word = "x"
	`)
	if err != nil {
		t.Fatal(err)
	}
	return L
}

func TestCompleteWords(t *testing.T) {
	c := &completer{L: completionState(t)}
	tests := []struct {
		before string
		prefix string
		words  []string
	}{
		{`local r = require "re`, "re", []string{`reader"`}},
		{`require('wr`, "wr", []string{`writer'`}},
		{`reader.cu`, "cu", []string{"customer_comments", "customers"}},
		{`x = reader.pro`, "pro", []string{"products"}},
		{`writer.a`, "a", []string{"apply"}}, // loaded module, no global
		{`c[1].na`, "na", []string{"name"}},
		{`c[1].custom.No`, "No", []string{"Notes"}},
		{`c[1].custom["Cre`, "Cre", []string{`Credit Limit (R)"]`}},
		// Several names are listed clean, without the closing quote and bracket.
		{`c[1].custom['`, "", []string{`Credit Limit (R)`, `Customer Type`, `Notes`, `Région`}},
		{`c[1].custom["C`, "C", []string{`Credit Limit (R)`, `Customer Type`}},
		{`obj:`, "", []string{"greet"}},
		{`obj.si`, "si", []string{"size"}},
		{`word:up`, "up", []string{"upper"}},
		{`rea`, "rea", []string{"reader"}},
		{`whi`, "whi", []string{"while"}},
		{`print("reader.cu`, "", nil},   // inside a string
		{`x = 1 -- reader.cu`, "", nil}, // inside a comment
		{`nothing.he`, "", nil},
		{`reader.customers().`, "", nil}, // would need a call
	}
	for _, tt := range tests {
		got := c.complete(tt.before)
		if got.repl != "" {
			t.Errorf("%s: rewrite %q, want words", tt.before, got.repl)
			continue
		}
		if len(got.words) == 0 && len(tt.words) == 0 {
			continue
		}
		if got.prefix != tt.prefix || !reflect.DeepEqual(got.words, tt.words) {
			t.Errorf("%s: got %q %q, want %q %q", tt.before, got.prefix, got.words, tt.prefix, tt.words)
		}
	}
}

// Names that are not identifiers are completed by rewriting the text
// before the cursor; Do hands the editor nothing to append and OnChange
// applies the rewrite for the same Tab.
func TestCompleteRewrites(t *testing.T) {
	c := &completer{L: completionState(t)}
	tests := []struct{ line, want string }{
		{`x = c[1].custom.Cred`, `x = c[1].custom["Credit Limit (R)"]`},
		{`c[1].custom.cred`, `c[1].custom["Credit Limit (R)"]`},
		{`c[1].custom.`, `c[1].custom["`},
		{`c[1].custom.C`, `c[1].custom["C`},
		{`c[1].custom.R`, `c[1].custom["Région"]`},
		{`c[1].custom.notes`, `c[1].custom.Notes`},
		{`c[1].custom["credit`, `c[1].custom["Credit Limit (R)"]`},
		// By identifier, and ignoring accents: the display name is inserted.
		{`c[1].custom.reg`, `c[1].custom["Région"]`},
		{`c[1].custom.Ré`, `c[1].custom["Région"]`},
		{`c[1].custom.ré`, `c[1].custom["Région"]`},
		{`c[1].custom.credit_l`, `c[1].custom["Credit Limit (R)"]`},
		{`c[1].custom["reg`, `c[1].custom["Région"]`},
		{`c[1].custom["Re`, `c[1].custom["Région"]`},
		{`c[1].custom.cu`, `c[1].custom["Customer Type"]`},
		{`c[1].custom["cu`, `c[1].custom["Customer Type"]`},
		{`c[1].custom["c`, `c[1].custom["C`},
	}
	for _, tt := range tests {
		line := []rune(tt.line + ")")
		pos := len([]rune(tt.line))
		cands, _ := c.Do(line, pos)
		if len(cands) != 1 || len(cands[0]) != 0 {
			t.Errorf("%s: candidates %q, want one empty", tt.line, cands)
			continue
		}
		got, newPos, ok := c.OnChange(line, pos, readline.CharTab)
		if !ok || string(got) != tt.want+")" || newPos != len([]rune(tt.want)) {
			t.Errorf("%s: rewrote to %q (pos %d, %v), want %q", tt.line, string(got), newPos, ok, tt.want+")")
		}
	}
	// Any other key drops a pending rewrite.
	line := []rune(`c[1].custom.Cred`)
	c.Do(line, len(line))
	c.OnChange(line, len(line), 'x')
	if _, _, ok := c.OnChange(line, len(line), readline.CharTab); ok {
		t.Error("a rewrite survived another key")
	}
}

func TestCompleteDoReturnsSuffixes(t *testing.T) {
	c := &completer{L: completionState(t)}
	line := []rune("reader.cus")
	cands, n := c.Do(line, len(line))
	var got []string
	for _, r := range cands {
		got = append(got, string(r))
	}
	if n != 3 || strings.Join(got, ",") != "tomer_comments,tomers" {
		t.Errorf("got %q, %d", got, n)
	}
}
