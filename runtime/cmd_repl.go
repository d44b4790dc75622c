package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

const replLongHelp = `
Reads Lua a line at a time from standard input, with the same modules as
run (local reader = require "reader"). A line that is an expression prints
its value; a statement left open (function f() ...) continues on the next
line at the ">>" prompt. Errors are printed and the prompt comes back.
Tables print in short form. Ctrl-D (end of input) leaves with exit 0.

Each line is its own chunk, as in lua: locals do not survive to the next
line, so use globals for values you want to keep.`

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
				return runRepl(ctx, h, app, &opts, h.interactive)
			}
		},
	}
}

// runRepl runs the prompt until end of input. Prompts and the banner are
// shown only when stdin is a terminal, so piping a file through the REPL
// prints just the values.
func runRepl(ctx context.Context, h *Host, app *App, opts *replOptions, prompts bool) (err error) {
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
	r := &repl{app: app, h: h, s: s, prompts: prompts}
	return r.loop(ctx)
}

type repl struct {
	app     *App
	h       *Host
	s       *session
	prompts bool
}

func (r *repl) loop(ctx context.Context) error {
	if r.prompts {
		fmt.Fprintf(r.h.Stdout(), "%s %s, Lua 5.1. Modules load with require; Ctrl-D leaves.\n", r.app.Name, r.app.Version)
	}
	var pending []string
	for {
		if r.prompts {
			p := "> "
			if len(pending) > 0 {
				p = ">> "
			}
			_, _ = io.WriteString(r.h.Stdout(), p)
		}
		if err := r.h.Flush(); err != nil {
			return err
		}
		line, err := r.readLine(ctx)
		if errors.Is(err, io.EOF) {
			if r.prompts {
				_, _ = io.WriteString(r.h.Stdout(), "\n")
			}
			return nil
		}
		if err != nil {
			return err
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
			_, hint := classify(err, r.app.Classifiers)
			writeError(r.h.Stderr(), r.h.Redact(formatError(r.app.Name, err, hint)))
		}
	}
}

// readLine reads one line of input, giving up when ctx is cancelled. The
// read happens in a goroutine because a terminal read cannot be
// interrupted; after Ctrl-C the process ends, and that goroutine with it.
func (r *repl) readLine(ctx context.Context) (string, error) {
	if ctx.Err() != nil {
		return "", interruptedError{}
	}
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := r.h.Stdin().ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil // a last line without a newline is still a line
		}
		ch <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", interruptedError{}
	case res := <-ch:
		return strings.TrimRight(res.line, "\r\n"), res.err
	}
}

// eval runs one complete input. It first tries the input as an expression
// ("return " + code), the way lua 5.3's prompt does, then as statements.
func (r *repl) eval(code string) error {
	proto, err := compile([]byte("return "+code), "stdin")
	if err != nil {
		proto, err = compile([]byte(code), "stdin")
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
		parts[i] = r.h.Redact(formatValue(r.s.L, v))
	}
	_, err = fmt.Fprintln(r.h.Stdout(), strings.Join(parts, "\t"))
	return err
}
