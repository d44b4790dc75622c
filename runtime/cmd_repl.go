package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/term"
)

const replLongHelp = `
Reads Lua from standard input with the same modules and host flags as run
(--sim works too). A line that is an expression prints its value (=expr
also works); tables and lists of records print as an aligned table of at
most 20 rows (stdlib pretty.format). A statement left open (function f()
...) continues on the next line at the ">>" prompt. Errors are printed and
the prompt comes back.

A top-level local (local c = reader.customers()) stays visible on the next
lines: at the prompt it becomes a global of the session. Locals inside
functions and blocks keep their usual scope.

On a terminal: line editing (arrows, Ctrl-A/Ctrl-E, Ctrl-R searches the
history), Tab completes module names in require "...", globals, fields
(reader.cu<Tab>, c[1].custom.<Tab> lists the instance's custom fields) and
methods after ':'. History is kept across sessions in
<data folder>/repl_history (lines holding a secret are not saved). Ctrl-C
clears the line being typed; Ctrl-C while a line runs stops the session
(exit 130). Ctrl-D on an empty line leaves with exit 0.

Piped input (skynamo repl < lines.lua) runs without prompts or banner and
prints only the values; the exit code is 1 if any chunk failed, else 0.`

// replOptions are the flags of `skynamo repl`.
type replOptions struct {
	HostOptions
}

func (o *replOptions) AddFlags(fs *pflag.FlagSet) { o.HostOptions.AddFlags(fs) }

func (o *replOptions) check(args []string) error {
	if err := o.HostOptions.check(); err != nil {
		return err
	}
	if len(args) > 0 {
		return UsageError("to run a script: skynamo run "+args[0], "repl takes no arguments")
	}
	return nil
}

func replCommand() Command {
	return Command{
		Name:    "repl",
		Summary: "start an interactive Lua prompt with the skynamo modules",
		Help:    replLongHelp,
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts replOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return runRepl(ctx, h, app, &opts, nil)
			}
		},
	}
}

// runRepl runs the prompt until end of input. input picks where lines come
// from; nil means the line editor when stdin is a terminal, plain lines
// otherwise (tests hand in their own).
func runRepl(ctx context.Context, h *Host, app *App, opts *replOptions, input func(*repl) lineReader) (err error) {
	h.Quiet = opts.Quiet
	mods, cleanup, err := app.modules()(ctx, h, &opts.HostOptions)
	if err != nil {
		return err
	}
	if cleanup != nil {
		defer func() { err = runCleanup(h, app.Name, cleanup, err) }()
	}
	s, err := newSession(ctx, h, mods, h.Dir)
	if err != nil {
		return err
	}
	defer s.Close()
	r := &repl{app: app, h: h, s: s, opts: opts}
	if input == nil {
		input = defaultInput
	}
	in := input(r)
	defer func() {
		if cerr := in.close(); err == nil {
			err = cerr
		}
	}()
	return r.loop(ctx, in)
}

// defaultInput is the line editor on a terminal, with the history file
// and completion; plain lines from anything else.
func defaultInput(r *repl) lineReader {
	f, ok := r.h.terminalIn()
	if !ok {
		return &plainReader{h: r.h}
	}
	r.interactive = true
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
		r.width = w
	}
	hist := openHistory(r.h, filepath.Join(userDataDir(r.h, &r.opts.HostOptions), replHistoryName))
	ed, err := newEditReader(r.h, f, hist, &completer{L: r.s.L})
	if err != nil {
		r.h.Warnf("line editing is off: %v", err)
		return &plainReader{h: r.h, prompts: true}
	}
	return ed
}

type repl struct {
	app         *App
	h           *Host
	s           *session
	opts        *replOptions
	interactive bool // a person at a terminal: banner, and errors do not change the exit code
	width       int  // the terminal's columns, for pretty.format; 0 = its default

	prettyLoaded bool
	pretty       lua.LValue // stdlib pretty.format, once required; nil until it exists
}

func (r *repl) loop(ctx context.Context, in lineReader) error {
	if r.interactive {
		fmt.Fprintf(editorOut(r.h), "%s %s, Lua 5.1. Modules load with require; Tab completes; Ctrl-C clears the line; Ctrl-D leaves.\n", r.app.Name, r.app.Version)
	}
	var pending []string
	failed := false
	for {
		prompt := "> "
		if len(pending) > 0 {
			prompt = ">> "
		}
		line, err := in.readLine(ctx, prompt)
		switch {
		case errors.Is(err, errLineCleared):
			pending = nil
			continue
		case errors.Is(err, io.EOF):
			if len(pending) > 0 {
				// The input ended inside a statement: say so.
				r.report(r.eval(strings.Join(pending, "\n")))
				failed = true
			}
			if failed && !r.interactive {
				return &exitRequest{code: ExitScriptError} // the errors are printed already
			}
			return nil
		case err != nil:
			return err
		}
		if len(pending) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		pending = append(pending, line)
		err = r.eval(strings.Join(pending, "\n"))
		if incomplete(err) {
			continue
		}
		pending = nil
		var exit *exitRequest
		if errors.As(err, &exit) || errors.As(err, &interruptedError{}) {
			return err
		}
		if err != nil {
			failed = true
			r.report(err)
		}
	}
}

// report prints an error the way run does (message, traceback, hint) and
// lets the session go on.
func (r *repl) report(err error) {
	if err == nil {
		return
	}
	_, hint := classify(err, r.app.Classifiers)
	writeError(r.h.Stderr(), r.h.Redact(formatError(r.app.Name, err, hint)))
}

// eval runs one complete input. It first tries the input as an expression
// ("return " + code), the way lua 5.3's prompt does, then as statements
// with top-level locals kept (repl_locals.go). "=expr" is lua 5.1's
// spelling of the same.
func (r *repl) eval(code string) error {
	if t := strings.TrimSpace(code); strings.HasPrefix(t, "=") {
		code = "return " + t[1:]
	}
	proto, err := compile([]byte("return "+code), "stdin")
	if err != nil {
		proto, err = compileREPL(code, "stdin")
		if err != nil {
			return err
		}
	}
	results, err := r.s.call(r.s.L.NewFunctionFromProto(proto))
	if err != nil {
		return err
	}
	if len(results) == 0 {
		return nil
	}
	parts := make([]string, len(results))
	for i, v := range results {
		parts[i] = r.h.Redact(r.format(v))
	}
	_, err = fmt.Fprintln(r.h.Stdout(), strings.Join(parts, "\t"))
	return err
}
