package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

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
functions and blocks keep their usual scope. A top-level local named like
a builtin (local table = ..., local type = ...) stays local to its input,
with a note, so the builtin is not replaced for the rest of the session.

On a terminal: line editing (arrows, Ctrl-A/Ctrl-E, Ctrl-R searches the
history), Tab completes module names in require "...", globals, fields
(reader.cu<Tab>, c[1].custom.<Tab> lists the instance's custom fields) and
methods after ':'. History is kept across sessions in
<data folder>/repl_history (an input typed over several lines is one
entry; lines holding a secret are not saved). Ctrl-C
clears the line being typed; Ctrl-C while a line runs stops that line
("interrupted") and the prompt comes back with the session's globals
intact. A line that does not stop (one waiting in io.read) ends the session
on a second Ctrl-C once it returns, and three Ctrl-C within three seconds
end skynamo at once (exit 130). Ctrl-D on an empty line leaves with exit 0.

Piped input (skynamo repl < lines.lua) runs without prompts or banner and
prints only the values; errors name the input's line (stdin:12:); the exit
code is 1 if any chunk failed, else 0.
There, as for run, Ctrl-C and SIGTERM end the session (exit 130).`

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
	r := &repl{app: app, h: h, s: s, opts: opts, builtins: snapshotBuiltins(s.L)}
	if input == nil {
		input = defaultInput
	}
	in := input(r)
	defer func() {
		if cerr := in.close(); err == nil {
			err = cerr
		}
	}()
	if r.interactive {
		// A person at the terminal: Ctrl-C stops the running line, not the
		// session. Piped input keeps run's meaning (the session ends, 130).
		defer h.handleInterrupts(r.interrupt)()
	}
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
	pretty       lua.LValue // stdlib pretty.format, once required

	builtins map[string]lua.LValue // the globals at start, which a top-level local does not replace (repl_locals.go)

	mu       sync.Mutex
	stopLine context.CancelFunc // cancels the line being evaluated; nil at the prompt
	stopping bool               // Ctrl-C has asked that line to stop
}

func (r *repl) loop(ctx context.Context, in lineReader) error {
	if r.interactive {
		fmt.Fprintf(editorOut(r.h), "%s %s, Lua 5.1. Modules load with require; Tab completes; Ctrl-C clears the line; Ctrl-D leaves.\n", r.app.Name, r.app.Version)
	}
	var pending []string
	failed := false
	lineNo, firstLine := 0, 1 // lines read so far; where the pending input began
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
				r.report(r.eval(strings.Join(pending, "\n"), firstLine))
				failed = true
			}
			if failed && !r.interactive {
				return &exitRequest{code: ExitScriptError} // the errors are printed already
			}
			return nil
		case err != nil:
			return err
		}
		lineNo++
		if len(pending) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		if len(pending) == 0 {
			firstLine = lineNo
			if r.interactive {
				// At the prompt each input counts its own lines, as lua.c
				// does (stdin:1: is the line just typed); piped input is a
				// file, and its errors name the file's line.
				firstLine = 1
			}
		}
		pending = append(pending, line)
		err = r.eval(strings.Join(pending, "\n"), firstLine)
		if incomplete(err) {
			continue
		}
		in.remember(pending)
		pending = nil
		var exit *exitRequest
		if errors.As(err, &exit) || errors.As(err, &interruptedError{}) {
			return err
		}
		if errors.Is(err, errLineInterrupted) {
			fmt.Fprintln(r.h.Stderr(), "interrupted")
			continue
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
//
// firstLine is the line of the input the code starts on: the chunk is
// compiled after that many empty lines, so "stdin:12:" in a message or a
// traceback is line 12 of what was piped in.
func (r *repl) eval(code string, firstLine int) error {
	if t := strings.TrimSpace(code); strings.HasPrefix(t, "=") {
		code = "return " + t[1:]
	}
	lead := strings.Repeat("\n", max(0, firstLine-1))
	proto, err := compile([]byte(lead+"return "+code), "stdin")
	if err != nil {
		var kept []string
		proto, kept, err = compileREPL(lead+code, "stdin", r.isBuiltin)
		if err != nil {
			return err
		}
		for _, name := range kept {
			fmt.Fprintf(r.h.Stderr(), "note: local %s stays local to this input; the builtin global %s is unchanged (pick another name to keep the value)\n", name, name)
		}
	}
	stop := r.startLine()
	defer stop()
	results, err := r.s.call(r.s.L.NewFunctionFromProto(proto))
	if err != nil {
		return r.lineError(err)
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
