// Package runtime is skynamo's Lua host and command line: it parses the
// commands and flags, builds the Lua state with the modules registered,
// runs scripts and the REPL, formats errors for people and decides the exit
// code. Everything it touches outside the process's memory (stdio, the
// environment, the working folder) comes in through a Host, so tests drive
// the real CLI in-process with buffers.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// App is the command-line program: its command table, how it builds Lua
// modules, and how it maps errors to exit codes. Main runs DefaultApp; tests
// and other front ends may build their own.
type App struct {
	Name    string // the program name in messages and help: "skynamo"
	Version string
	// Commands is the command table, in the order help lists it.
	Commands []Command
	// Modules builds the Go modules for run and repl from the host flags.
	Modules ModuleFactory
	// Classifiers map errors to exit codes and hints before the ExitCoder
	// and Hinter methods are consulted (see classify).
	Classifiers []Classifier
}

// DefaultApp is skynamo as shipped: the Lua commands, the commands that
// talk to the API (sim, sync, cache), the API modules built from the config
// (wiring.go), and exit codes for the client's errors (apierrors.go).
func DefaultApp() *App {
	notes := &errorNotes{}
	return &App{
		Name:        "skynamo",
		Version:     buildVersion(),
		Commands:    append(builtinCommands(), apiCommands()...),
		Modules:     skynamoModules(notes),
		Classifiers: []Classifier{classifyAPIErrors(notes)},
	}
}

// Main runs skynamo with args (without the program name) and returns the
// exit code; main passes it to os.Exit. env is os.LookupEnv in production.
func Main(ctx context.Context, args []string, stdio IO, env LookupEnv) int {
	return DefaultApp().Run(ctx, NewHost(stdio, env), args)
}

// Run executes one command line and returns the exit code.
func (a *App) Run(ctx context.Context, h *Host, args []string) (code int) {
	h.Args = args
	ctx, stopInterrupts := h.watchInterrupts(ctx)
	defer stopInterrupts()
	defer func() {
		// Output that never reached the reader is a failure too: a full disk
		// must not pass for a finished report.
		if err := h.Flush(); err != nil && code == ExitOK {
			writeError(h.Stderr(), fmt.Sprintf("%s: writing output: %v\n", a.Name, err))
			code = ExitScriptError
		}
	}()
	err := a.dispatch(ctx, h, args)
	code = a.finish(h, err)
	h.runAtEnd() // run's summary line comes after the error it reports on
	return code
}

func (a *App) dispatch(ctx context.Context, h *Host, args []string) error {
	if len(args) == 0 {
		return UsageError(fmt.Sprintf("run '%s help' for the commands", a.Name),
			"no command given; usage: %s <command> [flags] [arguments]", a.Name)
	}
	switch args[0] {
	case "-h", "--help":
		return a.printUsage(h.Stdout())
	case "--version":
		args = []string{"version"}
	}
	if strings.HasPrefix(args[0], "-") {
		return UsageError(fmt.Sprintf("flags go after the command, e.g. %s run %s SCRIPT", a.Name, args[0]),
			"unknown flag %s before the command", args[0])
	}
	cmd, rest, ok := a.lookup(args)
	if !ok {
		return a.unknownCommand(args)
	}
	fs, action := a.newFlagSet(cmd)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return a.printCommandHelp(h.Stdout(), cmd)
		}
		return a.flagError(cmd, fs, err)
	}
	if action == nil {
		return fmt.Errorf("command %q has no action", cmd.Name)
	}
	return action(ctx, h, fs.Args())
}

// finish reports err and decides the exit code, upgrading a success to
// ExitPartial when a binding noted that the run was incomplete.
func (a *App) finish(h *Host, err error) int {
	code := ExitOK
	if err != nil {
		code = report(h, a.Name, err, a.Classifiers)
	}
	if code != ExitOK {
		return code
	}
	partial := h.Partial()
	if len(partial) == 0 {
		return ExitOK
	}
	for _, reason := range partial {
		writeError(h.Stderr(), h.Redact(fmt.Sprintf("%s: partial: %s\n", a.Name, reason)))
	}
	return ExitPartial
}
