package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/spf13/pflag"
)

const runLongHelp = `
Flags come before the script path; everything after it reaches the script
untouched in the global table arg (arg[0] is the script path, arg[1] the
first argument; negative indexes hold what came before, as in lua) and as
the main chunk's ... values. Words that look like flags, and a literal --,
are the script's arguments once the script path has been given.

A -- before the script path ends the host flags, which is how to run a
script whose name starts with a dash:

  skynamo run --quiet -- -odd-name.lua --its-own-flag

A script path of - reads the script from standard input.

SCRIPT may also be a script's name, when no file of that name exists:
skynamo run stock_reorder runs scripts/stock_reorder.lua from your own
script folder (./scripts, or --scripts-dir DIR, or SKYNAMO_SCRIPTS_DIR in
the environment or the config file), else the shipped script of that
name. skynamo scripts lists them.

Modules are loaded with require, e.g. local strings = require "strings";
require also finds .lua files in the script's folder.

While pulls and writer applies run, stderr shows a progress bar when it is
a terminal, and a plain line every tenth of a long pull otherwise. A run
whose script used the API (called a reader or writer function that
connected) ends with one line on stderr, also after an error or a partial
exit ("from cache" counts the records the script received that this run
did not pull):

  skynamo: done in 3.2s · 14 requests · 5,210 records pulled, 12,000 from cache · writes: 10 applied, 0 failed, 0 unknown

A script that never used the API (--help, a usage error, CSV work only)
prints no such line.

--quiet leaves only errors; --verbose adds a line per API request and retry.`

// runOptions are the flags of `skynamo run`.
type runOptions struct {
	HostOptions
	ScriptsDir string
	misplaced  []string // skynamo flags among the script's arguments
}

func (o *runOptions) AddFlags(fs *pflag.FlagSet) {
	o.HostOptions.AddFlags(fs)
	fs.StringVar(&o.ScriptsDir, "scripts-dir", "", "`DIR` of your own scripts, for run NAME (default: SKYNAMO_SCRIPTS_DIR, else ./scripts)")
	// Parsing stops at the script path, so the script's own flags are never
	// taken for the host's.
	fs.SetInterspersed(false)
}

// check validates the flags and the arguments left after them (the script
// path and the script's arguments).
func (o *runOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if len(args) == 0 {
		return UsageError("usage: skynamo run [flags] SCRIPT [ARG...]", "run needs a script to run")
	}
	if args[0] == "" {
		return UsageError("", "the script path is empty")
	}
	return nil
}

func runCommand() Command {
	return Command{
		Name:    "run",
		Args:    "SCRIPT [ARG...]",
		Summary: "run a Lua script",
		Help:    runLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts runOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				opts.misplaced = misplacedHostFlags(fs, args[1:])
				return runRun(ctx, h, app, &opts, args)
			}
		},
	}
}

func runRun(ctx context.Context, h *Host, app *App, opts *runOptions, args []string) (err error) {
	h.Quiet = opts.Quiet
	start := time.Now()
	path, scriptArgs := args[0], args[1:]
	defer func() { err = hintMisplacedFlags(h, err, opts.misplaced, path) }()
	sc, err := loadScript(h, path, func() string { return userScriptsDir(h, opts.ScriptsDir, &opts.HostOptions) })
	if err != nil {
		return err
	}

	mods, cleanup, err := app.modules()(ctx, h, &opts.HostOptions)
	if err != nil {
		return err
	}
	// From here on the script runs, and the run ends with its summary.
	summarizeRun(h, opts.Quiet, start)
	if cleanup != nil {
		defer func() { err = runCleanup(h, app.Name, cleanup, err) }()
	}

	s, err := newSession(ctx, h, mods, sc.dir)
	if err != nil {
		return err
	}
	defer s.Close()

	setArgTable(s.L, app.Name, h.Args, path, scriptArgs)
	values := make([]lua.LValue, len(scriptArgs))
	for i, a := range scriptArgs {
		values[i] = lua.LString(a)
	}
	_, err = s.call(s.L.NewFunctionFromProto(sc.proto), values...)
	return err
}

// modules is the factory to use; an App built without one gets none.
func (a *App) modules() ModuleFactory {
	if a.Modules == nil {
		return NoModules
	}
	return a.Modules
}

// runCleanup runs the factory's cleanup after the script, whatever ended
// it. Its failure becomes the result when the script succeeded (or asked
// for exit 0); otherwise the script's error stays the one reported and the
// cleanup failure is printed after it.
func runCleanup(h *Host, name string, cleanup func() error, err error) error {
	cerr := cleanup()
	if cerr == nil {
		return err
	}
	var exit *exitRequest
	if err == nil || (errors.As(err, &exit) && exit.code == ExitOK) {
		return cerr
	}
	writeError(h.Stderr(), h.Redact(fmt.Sprintf("%s: also, while cleaning up: %v\n", name, cerr)))
	return err
}

// setArgTable sets the global arg the way lua.c does: arg[0] is the script
// path, arg[1..n] its arguments, and arg[-1], arg[-2], ... what came before
// the script on the command line, back to the program name.
func setArgTable(L *lua.LState, program string, cmdline []string, path string, scriptArgs []string) {
	before := []string{"run"}
	if n := len(cmdline) - len(scriptArgs) - 1; n >= 0 && n < len(cmdline) && cmdline[n] == path {
		before = cmdline[:n]
	}
	before = append([]string{program}, before...)
	t := L.CreateTable(len(scriptArgs), len(before)+1)
	for i, v := range before {
		t.RawSetInt(i-len(before), lua.LString(v))
	}
	t.RawSetInt(0, lua.LString(path))
	for i, v := range scriptArgs {
		t.RawSetInt(i+1, lua.LString(v))
	}
	L.SetGlobal("arg", t)
}
