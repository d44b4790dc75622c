package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestUnknownCommandSuggestsTheClosest(t *testing.T) {
	tests := []struct {
		args []string
		hint string
	}{
		{[]string{"rnu", "x.lua"}, `did you mean "run"?`},
		{[]string{"verison"}, `did you mean "version"?`},
		{[]string{"rep"}, `did you mean "repl"?`},
		{[]string{"report.lua"}, "to run a script: skynamo run report.lua"},
		{[]string{"zzzzzz"}, "run 'skynamo help' for the list of commands"},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			r := newCLI(t).run(tt.args...)
			r.expect(t, ExitUsage)
			mustContain(t, "stderr", r.stderr, fmt.Sprintf("skynamo: unknown command %q\n", tt.args[0]), "hint: "+tt.hint)
		})
	}
}

func TestUnknownFlagSuggestsTheClosest(t *testing.T) {
	r := newCLI(t).run("run", "--refesh", "x.lua")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, "unknown flag: --refesh", "did you mean --refresh?")
}

// A command added the documented way, with a two-word name, as the lead's
// "cache status" will be.
func fakeCacheStatusCommand(ran *[]string) Command {
	return Command{
		Name:    "cache status",
		Summary: "show what the cache holds",
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts struct{ HostOptions }
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				*ran = append(*ran, strings.Join(args, ","))
				fmt.Fprintln(h.Stdout(), "cache ok", opts.Quiet)
				return nil
			}
		},
	}
}

func TestAddedCommands(t *testing.T) {
	var ran []string
	c := newCLI(t)
	c.app.Commands = append(builtinCommands(), fakeCacheStatusCommand(&ran),
		Command{Name: "cache clear", Summary: "empty the cache", Setup: func(*App, *pflag.FlagSet) Action {
			return func(context.Context, *Host, []string) error { return nil }
		}})

	r := c.run("cache", "status", "-q", "extra")
	r.expect(t, ExitOK)
	if r.stdout != "cache ok true\n" || len(ran) != 1 || ran[0] != "extra" {
		t.Errorf("stdout %q, ran %q", r.stdout, ran)
	}

	r = c.run("cache", "stauts")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, `unknown command "cache stauts"`, `did you mean "cache status"?`)

	r = c.run("cache")
	r.expect(t, ExitUsage)
	mustContain(t, "stderr", r.stderr, `"cache" needs a subcommand`, "cache status, cache clear")

	r = c.run("--help")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "cache status", "show what the cache holds", "Host flags (run, repl, cache status)")

	r = c.run("help", "cache", "status")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "skynamo cache status [flags]", "--refresh")
}

func TestHelp(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := c.run(args...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "Commands:", "run ", "repl ", "version ", "Host flags (run, repl, sync, cache status, cache clear, writes status, writes resume, writes failed, types):",
			"--sim", "--config PATH", "--data-dir DIR", "--concurrency N", "--api-base URL",
			"Exit codes:", "  0  success", "  3  the script does not load", "130  interrupted")
	}
	for _, args := range [][]string{{"help", "run"}, {"run", "--help"}, {"run", "-h"}} {
		r := c.run(args...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "skynamo run [flags] SCRIPT [ARG...]", "-- before the script path", "--quiet", "Exit codes:")
	}
	r := c.run("help", "nope")
	r.expect(t, ExitUsage)
}

func TestVersion(t *testing.T) {
	c := newCLI(t)
	c.app.Version = "v1.2.3"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := c.run(args...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "skynamo v1.2.3\n", "Lua 5.1 (gopher-lua")
	}
	c.run("version", "x").expect(t, ExitUsage)
}

func TestClosest(t *testing.T) {
	names := []string{"run", "repl", "version", "help", "cache status"}
	tests := map[string]string{
		"rnu": "run", "rn": "run", "ru": "run", "re": "repl", "repll": "repl",
		"verison": "version", "hlep": "help", "cache stat": "cache status",
		"sync": "", "x": "", "": "",
	}
	for in, want := range tests {
		if got := closest(in, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHelpOfAGroupedCommand(t *testing.T) {
	for _, args := range [][]string{{"help", "cache status"}, {"help", "cache", "status"}, {"cache", "status", "--help"}} {
		r := newCLI(t).run(args...)
		r.expect(t, ExitOK)
		mustContain(t, "stdout", r.stdout, "skynamo cache status [flags] [ENTITY...]")
	}
	r := newCLI(t).run("help", "cache")
	r.expect(t, ExitOK)
	mustContain(t, "stdout", r.stdout, "skynamo cache status", "skynamo cache clear")
}
