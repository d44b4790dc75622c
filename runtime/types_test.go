package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"skynamo/skynamo"
	"skynamo/skynamo/sim"
)

// The goldens share -update with the other golden tests of the package;
// whichever file registers it first owns it (variables are initialised
// before init functions run, so a `var … = flag.Bool("update", …)`
// elsewhere always wins).
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files under testdata")
	}
}

func updatingGoldens() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const typesGoldenDir = "testdata/types"

// generateSimTypes runs `skynamo types --sim` in a fresh folder and
// returns that folder and the run's result.
func generateSimTypes(t *testing.T, extra ...string) (*cli, result) {
	t.Helper()
	c := newCLI(t)
	r := c.run(append([]string{"types", "--sim", "--out", "types"}, extra...)...)
	r.expect(t, ExitOK)
	return c, r
}

// TestTypesGolden pins every generated file for the simulator's instance.
// After a deliberate change (a new module function, a new demo field):
// go test ./runtime/ -run TestTypesGolden -update, and read the diff.
func TestTypesGolden(t *testing.T) {
	c, r := generateSimTypes(t)
	if r.stdout != "" {
		t.Errorf("stdout should be silent, got %q", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "custom fields", "custom forms", ".luarc.json")
	got := readTypesDir(t, filepath.Join(c.dir, "types"))
	if updatingGoldens() {
		if err := os.RemoveAll(typesGoldenDir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(typesGoldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, text := range got {
			if err := os.WriteFile(filepath.Join(typesGoldenDir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := readTypesDir(t, typesGoldenDir)
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s was not generated", name)
		}
	}
	for name, text := range got {
		w, ok := want[name]
		switch {
		case !ok:
			t.Errorf("%s has no golden (run with -update)", name)
		case w != text:
			t.Errorf("%s differs from %s (run with -update and read the diff):\n%s", name, typesGoldenDir, firstDiff(w, text))
		}
	}
}

func readTypesDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

// firstDiff shows the first line where two texts part.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl
		}
	}
	return ""
}

// TestTypesFilesParse checks every generated file is valid Lua, so the
// editor (and require, should a user point LUA_PATH at them) reads them.
func TestTypesFilesParse(t *testing.T) {
	c, _ := generateSimTypes(t)
	for name, text := range readTypesDir(t, filepath.Join(c.dir, "types")) {
		if _, err := parse.Parse(strings.NewReader(text), name); err != nil {
			t.Errorf("%s does not parse: %v", name, err)
		}
		if !strings.HasPrefix(text, "---@meta") {
			t.Errorf("%s does not start with ---@meta", name)
		}
	}
}

// TestTypesCoverEveryFormField checks that every field of every form
// definition the simulator serves is annotated, by display name (or
// identifier when the name cannot be written), and every custom form has
// its class.
func TestTypesCoverEveryFormField(t *testing.T) {
	c, _ := generateSimTypes(t)
	inst, err := os.ReadFile(filepath.Join(c.dir, "types", typesInstanceFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(inst)
	schema := simSchema(t)
	if len(schema.Forms) == 0 {
		t.Fatal("the simulator serves no forms")
	}
	for _, form := range schema.Forms {
		fs := schema.FormFields(form.ID)
		for _, f := range fs.Fields {
			name, ok := typesFieldName(f.Key)
			if !ok {
				name = f.Ident
			}
			if !strings.Contains(text, "---@field "+name+" ") && !strings.Contains(text, "custom."+f.Ident+"\n") {
				t.Errorf("form %q field %q (%s) is not annotated", form.Name, f.Name, f.Type)
			}
		}
	}
	for _, form := range typesResultForms(schema) {
		if !strings.Contains(text, "---@class "+typesPascal(form.Name)+"Form: CompletedForm") {
			t.Errorf("custom form %q has no class", form.Name)
		}
	}
}

// simSchema is the schema of the instance `--sim` serves.
func simSchema(t *testing.T) *skynamo.Schema {
	t.Helper()
	s := sim.New(sim.Options{})
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cfg := skynamo.Config{Instance: sim.DefaultInstance, APIKey: sim.DefaultAPIKey, APIBase: base, DataDir: t.TempDir()}
	client, err := skynamo.NewClient(cfg, skynamo.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := skynamo.OpenCache(cfg.DataDir, cfg.APIBase, cfg.Instance)
	if err != nil {
		t.Fatal(err)
	}
	r := skynamo.NewReader(skynamo.NewSyncer(client, cache, skynamo.SyncOptions{}), nil)
	schema, err := r.Schema(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

var (
	annotatedFunc  = regexp.MustCompile(`(?m)^function (\w+)([.:])(\w+)\(`)
	annotatedValue = regexp.MustCompile(`(?m)^(\w+)\.(\w+) = `)
)

// annotatedMembers lists "name" for module.name and "Class:name" for
// methods, from a module's annotation file.
func annotatedMembers(text, module string) []string {
	var out []string
	for _, m := range annotatedFunc.FindAllStringSubmatch(text, -1) {
		if m[1] == module && m[2] == "." {
			out = append(out, m[3])
		} else if m[2] == ":" {
			out = append(out, m[1]+":"+m[3])
		}
	}
	for _, m := range annotatedValue.FindAllStringSubmatch(text, -1) {
		if m[1] == module {
			out = append(out, m[2])
		}
	}
	sort.Strings(out)
	return out
}

// TestTypesModulesMatch loads every module a script can require, as
// `skynamo run --sim` does, and checks that each has an annotation file
// listing exactly the functions and values its table holds (and, for
// writer, the methods of a batch and of an apply's result).
func TestTypesModulesMatch(t *testing.T) {
	c, _ := generateSimTypes(t)
	files := readTypesDir(t, filepath.Join(c.dir, "types"))

	h := NewHost(IO{Stdin: strings.NewReader(""), Stdout: &strings.Builder{}, Stderr: &strings.Builder{}}, MapEnv(map[string]string{}))
	h.Dir = t.TempDir()
	h.Quiet = true
	opts := &HostOptions{Sim: true, Config: DefaultConfigPath}
	mods, cleanup, err := DefaultApp().Modules(context.Background(), h, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cleanup != nil {
		defer cleanup()
	}
	s, err := newSession(context.Background(), h, mods, h.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	L := s.L

	var names []string
	L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable).ForEach(func(k, _ lua.LValue) {
		names = append(names, k.String())
	})
	sort.Strings(names)
	if len(names) < 8 {
		t.Fatalf("only %d modules preloaded: %v", len(names), names)
	}
	for file := range files {
		mod := strings.TrimSuffix(file, ".lua")
		if !strings.HasPrefix(file, "skynamo_") && !slices.Contains(names, mod) {
			t.Errorf("%s annotates a module %q that scripts cannot require", file, mod)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			text, ok := files[name+".lua"]
			if !ok {
				t.Fatalf("module %s has no annotation file %s.lua", name, name)
			}
			if err := L.DoString(`__types_mod = require "` + name + `"`); err != nil {
				t.Fatal(err)
			}
			mod, ok := L.GetGlobal("__types_mod").(*lua.LTable)
			if !ok {
				t.Fatalf("require %q did not return a table", name)
			}
			real := rawKeys(mod, "")
			if name == "writer" {
				real = append(real, writerMethods(t, L)...)
			}
			sort.Strings(real)
			annotated := annotatedMembers(text, name)
			for _, k := range real {
				if !slices.Contains(annotated, k) {
					t.Errorf("%s.%s is not annotated in %s.lua", name, k, name)
				}
			}
			for _, k := range annotated {
				if !slices.Contains(real, k) {
					t.Errorf("%s.lua annotates %s, which the module does not have", name, k)
				}
			}
		})
	}
}

// rawKeys lists a table's string keys without its metatable (reader's
// raises for unknown names); prefix is put before each ("Batch:").
func rawKeys(t *lua.LTable, prefix string) []string {
	var out []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok && !strings.HasPrefix(string(s), "__") {
			out = append(out, prefix+string(s))
		}
	})
	return out
}

// writerMethods lists the methods of a batch and of an apply's result.
func writerMethods(t *testing.T, L *lua.LState) []string {
	t.Helper()
	if err := L.DoString(`
		local writer = require "writer"
		__types_batch = getmetatable(writer.batch()).__index
		__types_result = getmetatable(writer.batch():apply{dry_run = true}).__index`); err != nil {
		t.Fatal(err)
	}
	var out []string
	for global, class := range map[string]string{"__types_batch": "Batch:", "__types_result": "Result:"} {
		tbl, ok := L.GetGlobal(global).(*lua.LTable)
		if !ok {
			t.Fatalf("%s methods are not a table", class)
		}
		out = append(out, rawKeys(tbl, class)...)
	}
	return out
}

func TestTypesLuarcMerge(t *testing.T) {
	tests := []struct {
		name     string
		existing string
		want     map[string]any // top-level keys and values (as JSON text) to find
		bad      bool
	}{
		{"new file", "", map[string]any{"workspace.library": `["types"]`, "runtime.version": `"Lua 5.1"`}, false},
		{"flat, other keys kept", `{"diagnostics.globals": ["vim"], "workspace.library": ["lib"]}`,
			map[string]any{"diagnostics.globals": `["vim"]`, "workspace.library": `["lib","types"]`, "runtime.version": `"Lua 5.1"`}, false},
		{"already there", `{"workspace.library": ["types"], "runtime.version": "Lua 5.1"}`,
			map[string]any{"workspace.library": `["types"]`}, false},
		{"nested", `{"workspace": {"library": ["x"], "checkThirdParty": false}, "runtime": {"version": "Lua 5.4", "path": ["?.lua"]}}`,
			map[string]any{"workspace": `{"checkThirdParty":false,"library":["x","types"]}`, "runtime": `{"path":["?.lua"],"version":"Lua 5.1"}`}, false},
		{"not JSON", `{"workspace.library": [`, nil, true},
		{"library not a list", `{"workspace.library": "types"}`, nil, true},
		{"workspace not an object", `{"workspace": 3}`, nil, true},
		{"comments, already there", "// mine\n{\"workspace.library\": [\"types\"], /* the dialect */ \"runtime.version\": \"Lua 5.1\", \"x\": \"a//b\"}", nil, false},
		{"comments, not there", "{\"diagnostics.globals\": [\"vim\"] // for nvim\n}", nil, true},
		{"a comment after the object", "{\"diagnostics.globals\": [\"vim\"]}\n// keep me\n", nil, true},
		{"comment-like text in a string is no comment", `{"x": "http://a", "workspace.library": [`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := typesMergeLuarc([]byte(tt.existing), "types")
			if tt.bad {
				if err == nil {
					t.Fatalf("want an error, got %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				// A file with comments that already says what is needed
				// is left exactly as it is.
				if string(out) != tt.existing {
					t.Errorf("the file was rewritten:\n%s", out)
				}
				return
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				var compact bytes.Buffer
				if raw, ok := got[k]; !ok {
					t.Errorf("%s missing in %s", k, out)
				} else if err := json.Compact(&compact, raw); err != nil || compact.String() != v {
					t.Errorf("%s = %s, want %s", k, raw, v)
				}
			}
			again, err := typesMergeLuarc(out, "types")
			if err != nil || string(again) != string(out) {
				t.Errorf("merging twice changed the file:\n%s\n%s", out, again)
			}
		})
	}
}

// TestTypesLuarcFile runs the command twice over an existing .luarc.json:
// its own settings survive and the library is listed once.
func TestTypesLuarcFile(t *testing.T) {
	c := newCLI(t)
	c.script(".luarc.json", `{"diagnostics.disable": ["lowercase-global"]}`)
	for range 2 {
		c.run("types", "--sim", "-q").expect(t, ExitOK)
	}
	data, err := os.ReadFile(filepath.Join(c.dir, ".luarc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	if err := json.Unmarshal(data, &conf); err != nil {
		t.Fatal(err)
	}
	lib, _ := conf["workspace.library"].([]any)
	if len(lib) != 1 || lib[0] != "skynamo_data/types" {
		t.Errorf("workspace.library = %v, want [skynamo_data/types]", conf["workspace.library"])
	}
	if conf["diagnostics.disable"] == nil {
		t.Errorf("the file's own setting was dropped: %s", data)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "skynamo_data", "types", "reader.lua")); err != nil {
		t.Errorf("the default folder is <data dir>/types: %v", err)
	}
}

func TestTypesCheck(t *testing.T) {
	good := typesOptions{HostOptions: HostOptions{Config: DefaultConfigPath}, Luarc: ".luarc.json"}
	withArgs, dry, noLuarc, emptyLuarc, both, noLuarcDefault := good, good, good, good, good, good
	dry.DryRun = true
	noLuarc.Luarc, noLuarc.NoLuarc = "", true
	emptyLuarc.Luarc = ""
	both.Luarc, both.LuarcGiven, both.NoLuarc = "x.json", true, true
	noLuarcDefault.NoLuarc = true // --luarc's default is not a contradiction
	tests := []struct {
		name string
		opts typesOptions
		args []string
		bad  bool
	}{
		{"defaults", good, nil, false},
		{"an argument", withArgs, []string{"customers"}, true},
		{"dry run", dry, nil, true},
		{"no luarc", noLuarc, nil, false},
		{"empty luarc", emptyLuarc, nil, true},
		{"--no-luarc --luarc", both, nil, true},
		{"--no-luarc alone", noLuarcDefault, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUsage(t, tt.opts.check(tt.args), tt.bad)
		})
	}
}

// TestTypesNoLuarcWithLuarc: the flags are seen as given on the command line.
func TestTypesNoLuarcWithLuarc(t *testing.T) {
	r := newCLI(t).run("types", "--sim", "--no-luarc", "--luarc", "x.json")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, "--no-luarc and --luarc")
}

func TestTypesCustomFieldType(t *testing.T) {
	schema, err := skynamo.ParseSchemaJSON([]byte(`[{"id": -1, "name": "Customer", "type": "Static", "custom_fields": [
		{"id": 1, "name": "Plain", "type": "Text Field"},
		{"id": 2, "name": "Kind", "type": "Single Value Enumeration Field", "enumeration_values": [{"id": 1, "label": "A, B"}, {"id": 2, "label": "C"}]},
		{"id": 3, "name": "Quoted", "type": "Multi Value Enumeration Field", "enumeration_values": [{"id": 3, "label": "12\" pipe"}]},
		{"id": 4, "name": "Both", "type": "Single Value Enumeration Field", "enumeration_values": [{"id": 4, "label": "it's 12\""}]},
		{"id": 5, "name": "No labels", "type": "Multi Value Enumeration Field"},
		{"id": 6, "name": "end", "type": "Number Field"},
		{"id": 7, "name": "Pic", "type": "Images Field"},
		{"id": 8, "name": "Who", "type": "Multi Value Lookup Entity Field"},
		{"id": 9, "name": "Odd", "type": "Some New Field"}
	]}, {"id": 20, "name": "Visit", "type": "Custom", "custom_fields": []}, {"id": 21, "name": "visit", "type": "Custom", "active": false}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Plain":     "string",
		"Kind":      `"A, B"|"C"`,
		"Quoted":    `('12" pipe')[]`,
		"Both":      "string",
		"No labels": "string[]",
		"end":       "number",
		"Pic":       "nil",
		"Who":       "integer[]",
		"Odd":       "string",
	}
	for _, f := range schema.Customers().Fields {
		got, _ := typesCustomFieldType(f)
		if got != want[f.Name] {
			t.Errorf("%s: %s, want %s", f.Name, got, want[f.Name])
		}
	}
	if name, _ := typesFieldName("end"); name != `["end"]` {
		t.Errorf("a keyword must be bracketed, got %s", name)
	}
	text, n := typesInstanceClasses(schema, newTypesClassNames(schema))
	if n != 9 {
		t.Errorf("%d fields written, want 9", n)
	}
	if _, err := parse.Parse(strings.NewReader(text), "x.lua"); err != nil {
		t.Error(err)
	}
	// Forms whose names make the same class get the later one's id.
	mustContain(t, "annotations", text, "---@class VisitForm: CompletedForm", "---@class VisitForm21: CompletedForm", "(id 21, inactive)")
}

// TestTypesLuarcSymlinkKeptAndVersionNoted: a symlinked .luarc.json is
// updated where it lives, keeping its permissions, and replacing another
// runtime.version is said on stderr.
func TestTypesLuarcSymlinkKeptAndVersionNoted(t *testing.T) {
	c := newCLI(t)
	shared := filepath.Join(t.TempDir(), "shared.luarc.json")
	if err := os.WriteFile(shared, []byte(`{"runtime.version": "Lua 5.4"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(c.dir, ".luarc.json")
	if err := os.Symlink(shared, link); err != nil {
		t.Fatal(err)
	}
	r := c.run("types", "--sim")
	r.expect(t, ExitOK)
	mustContain(t, "stderr", r.stderr, `runtime.version was "Lua 5.4", now "Lua 5.1"`)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf(".luarc.json is no longer a symlink: %v", err)
	}
	fi, err := os.Stat(shared)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("shared file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	data, _ := os.ReadFile(shared)
	if !strings.Contains(string(data), `"Lua 5.1"`) || !strings.Contains(string(data), "skynamo_data/types") {
		t.Errorf("shared file not updated:\n%s", data)
	}
}
