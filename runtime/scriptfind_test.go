package runtime

import (
	"strings"
	"testing"

	"skynamo/scripts"
)

func TestIsScriptName(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"customer_report", true},
		{"customer_report.lua", true},
		{"my-report", true},
		{"scripts/customer_report.lua", false},
		{`dir\x.lua`, false},
		{"./x", false},
		{"-", false},
		{".lua", false},
		{"..", false},
		{"", false},
	} {
		if got := isScriptName(tt.in); got != tt.want {
			t.Errorf("isScriptName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// A shipped script runs by name, with or without .lua, from a folder that
// has no scripts/ of its own; its chunk name says which file it is.
func TestRunShippedByName(t *testing.T) {
	for _, name := range []string{"customer_report", "customer_report.lua"} {
		r := newCLI(t).run("run", name, "--help")
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "usage: customer_report.lua")
	}
	sc, err := loadScript(NewHost(IO{}, MapEnv(nil)), "stock_reorder", func() string { return defaultScriptsDir })
	if err != nil {
		t.Fatal(err)
	}
	if sc.chunk != "scripts/stock_reorder.lua" {
		t.Errorf("chunk %q", sc.chunk)
	}
}

// The user's folder comes first; SKYNAMO_SCRIPTS_DIR moves it; a file
// named on the command line comes before both.
func TestRunUserScriptPrecedence(t *testing.T) {
	c := newCLI(t)
	c.script("scripts/customer_report.lua", "-- customer_report.lua: my own\nprint('user ' .. arg[1])\n")
	c.script("mine/stock_reorder.lua", "error('from mine')\n")
	r := c.run("run", "customer_report", "x")
	r.expect(t, ExitOK)
	if r.stdout != "user x\n" {
		t.Errorf("stdout %q", r.stdout)
	}

	c.env[envScriptsDir] = "mine"
	r = c.run("run", "stock_reorder")
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "mine/stock_reorder.lua:1: from mine")
	r = c.run("run", "customer_report", "--help") // not in mine/: the shipped one
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "usage: customer_report.lua")

	c.script("stock_reorder", "print('a file in the working folder')\n")
	r = c.run("run", "stock_reorder")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "a file in the working folder")
}

func TestRunUnknownScriptName(t *testing.T) {
	c := newCLI(t)
	r := c.run("run", "custmer_report")
	r.expect(t, ExitLoad)
	mustContain(t, "stderr", r.stderr, "cannot open script custmer_report: no such file or directory",
		"did you mean customer_report?", "skynamo scripts lists them")

	c.script("report.lua", "print(1)")
	r = c.run("run", "report")
	r.expect(t, ExitLoad)
	mustContain(t, "stderr", r.stderr, "did you mean report.lua?")
}

func TestScriptsCommand(t *testing.T) {
	c := newCLI(t)
	r := c.run("scripts")
	r.expect(t, ExitOK)
	for _, s := range scripts.List() {
		mustContain(t, "stdout", r.stdout, s.Name, s.Description)
	}
	mustNotContain(t, "stdout", r.stdout, "user ")

	c.script("scripts/customer_report.lua", "-- customer_report.lua: my own version\n")
	c.script("scripts/weekly.lua", "#!/usr/bin/env skynamo run\n-- weekly.lua: the Monday mail\n")
	c.script("scripts/notes.txt", "not a script")
	r = c.run("scripts")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "user scripts/customer_report.lua (overrides shipped)", "my own version",
		"weekly", "user scripts/weekly.lua", "the Monday mail")
	mustNotContain(t, "stdout", r.stdout, "notes")
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[1], "customer_report  ") || !strings.Contains(lines[1], "user") {
		t.Errorf("the user's customer_report should come first:\n%s", r.stdout)
	}

	// --show prints the shipped source even where the user has a copy: that
	// copy may be the (still empty) file --show's output is redirected to.
	r = c.run("scripts", "--show", "customer_report")
	r.expect(t, ExitOK)
	src, _ := scripts.Source("customer_report")
	if r.stdout != string(src) {
		t.Error("--show customer_report is not the shipped source")
	}
	r = c.run("scripts", "--show", "weekly")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, `"weekly" is not a shipped script`, "your own are files in scripts")
	r = c.run("scripts", "--show", "stock_reorde")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, "did you mean stock_reorder?")
}

func TestScriptsOptionsCheck(t *testing.T) {
	for _, tt := range []struct {
		show string
		args []string
		ok   bool
	}{
		{"", nil, true},
		{"stock_reorder", nil, true},
		{"", []string{"stock_reorder"}, false},
		{"scripts/x.lua", nil, false},
	} {
		o := scriptsOptions{Show: tt.show}
		if err := o.check(tt.args); (err == nil) != tt.ok {
			t.Errorf("check(%q, %v) = %v", tt.show, tt.args, err)
		}
	}
}

// A checkout of skynamo has the shipped scripts in ./scripts, the default
// user folder: a byte-for-byte copy is the shipped script, listed once.
func TestScriptsIdenticalCopyIsShipped(t *testing.T) {
	c := newCLI(t)
	src, _ := scripts.Source("stock_reorder")
	c.script("scripts/stock_reorder.lua", string(src))
	c.script("scripts/customer_report.lua", "-- customer_report.lua: changed\n")
	r := c.run("scripts")
	r.expect(t, ExitOK)
	if n := strings.Count(r.stdout, "stock_reorder "); n != 1 {
		t.Errorf("stock_reorder listed %d times:\n%s", n, r.stdout)
	}
	mustNotContain(t, "stdout", r.stdout, "user scripts/stock_reorder.lua")
	mustContain(t, "stdout", r.stdout, "user scripts/customer_report.lua (overrides shipped)")

	sc, err := loadScript(NewHost(IO{}, MapEnv(nil)), "stock_reorder", func() string { return "scripts" })
	if err != nil || sc.chunk != "scripts/stock_reorder.lua" {
		t.Errorf("chunk %v, %v", sc, err)
	}
}

// --scripts-dir, then SKYNAMO_SCRIPTS_DIR in the environment, then in the
// config file, then ./scripts: for scripts and run alike.
func TestScriptsDirSources(t *testing.T) {
	c := newCLI(t)
	c.script("flag/weekly.lua", "-- weekly.lua: from the flag\nprint('flag')\n")
	c.script("env/weekly.lua", "-- weekly.lua: from the environment\nprint('env')\n")
	c.script("file/weekly.lua", "-- weekly.lua: from the config file\nprint('file')\n")
	c.script("scripts/weekly.lua", "-- weekly.lua: from ./scripts\nprint('default')\n")

	check := func(want string, args ...string) {
		t.Helper()
		r := c.run(append([]string{"scripts"}, args...)...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "from "+map[string]string{"flag": "the flag", "env": "the environment",
			"file": "the config file", "default": "./scripts"}[want])
		r = c.run(append(append([]string{"run"}, args...), "weekly")...)
		r.expect(t, ExitOK)
		if r.stdout != want+"\n" {
			t.Errorf("run %v: stdout %q, want %q", args, r.stdout, want)
		}
	}
	check("default")
	c.script(DefaultConfigPath, `{"SKYNAMO_SCRIPTS_DIR": "file"}`)
	check("file")
	c.env[envScriptsDir] = "env"
	check("env")
	check("flag", "--scripts-dir", "flag")
}
