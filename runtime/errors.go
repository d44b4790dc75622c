package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// ExitCoder is implemented by errors that know which exit code they mean.
// The runtime looks for it with errors.As along the whole chain, including
// the Go error inside a Lua error a binding raised, so a client error type
// only needs an ExitCode method to turn a failed script into exit 4.
type ExitCoder interface{ ExitCode() int }

// Hinter is implemented by errors that carry advice for the person reading
// the message ("the API answered 403 Missing Authentication Token: this is a
// wrong path or method, not a bad key"). Hints print on their own line.
type Hinter interface{ Hint() string }

// Classifier maps an error to an exit code and a hint, for error types that
// cannot implement ExitCoder themselves (third-party errors, or sentinel
// values). It returns ok=false for errors it does not know. App.Classifiers
// are tried in order before the ExitCoder and Hinter methods.
type Classifier func(err error) (code int, hint string, ok bool)

// ExitError gives any error an exit code and an optional hint.
type ExitError struct {
	Code   int
	Err    error
	Advice string // printed as "hint: ..."
}

// WithExitCode wraps err so that it ends the program with code.
func WithExitCode(code int, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: code, Err: err, Advice: hint}
}

// UsageError is a mistake in how skynamo was called: exit 2.
func UsageError(hint, format string, args ...any) error {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...), Advice: hint}
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }
func (e *ExitError) ExitCode() int { return e.Code }
func (e *ExitError) Hint() string  { return e.Advice }

// ScriptError is a Lua runtime error that ended a script.
type ScriptError struct {
	// Message is the error as Lua gave it, with its file:line once and
	// without the tracebacks gopher-lua glues onto nested errors.
	Message string
	// Traceback is the Lua call stack where the error was raised, starting
	// with "stack traceback:"; empty when there was none.
	Traceback string
	// Cause is the Go error behind the Lua error, when a binding raised one
	// (a *lua.LUserData holding an error as the error value) or gopher-lua
	// recorded one; nil for plain error("...") calls.
	Cause error
}

func (e *ScriptError) Error() string { return e.Message }
func (e *ScriptError) Unwrap() error { return e.Cause }

// LoadError is a script that cannot be compiled: exit 3. Its message is
// "report.lua:12: syntax error near '='", the form editors jump to.
type LoadError struct {
	Chunk  string
	Line   int  // 0 when unknown
	AtEOF  bool // the chunk ended inside a statement: the REPL asks for more
	Reason string
	Advice string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Chunk, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Chunk, e.Reason)
}
func (e *LoadError) ExitCode() int { return ExitLoad }
func (e *LoadError) Hint() string  { return e.Advice }

// exitRequest is the script calling os.exit. It travels as an error so that
// the Lua stack unwinds and deferred work (buffered output, cache flushes,
// module cleanups) still runs before Main returns the code.
type exitRequest struct{ code int }

func (e *exitRequest) Error() string { return fmt.Sprintf("os.exit(%d)", e.code) }
func (e *exitRequest) ExitCode() int { return e.code }

// interruptedError is a run ended by Ctrl-C or SIGTERM.
type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }
func (interruptedError) ExitCode() int { return ExitInterrupted }

// classify decides the exit code and hint for err. The order matters:
// explicit classifiers, then the first ExitCoder on the chain (so an
// ExitError wrapping a script error wins over the script error's cause),
// then context cancellation, then the error's kind.
func classify(err error, classifiers []Classifier) (code int, hint string) {
	hint = hintOf(err)
	for _, c := range classifiers {
		if code, h, ok := c(err); ok {
			if h == "" {
				h = hint
			}
			return code, h
		}
	}
	var ec ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode(), hint
	}
	if errors.Is(err, context.Canceled) {
		return ExitInterrupted, hint
	}
	return ExitScriptError, hint
}

// hintOf returns the first non-empty hint along err's chain, so an
// ExitError without advice does not hide its cause's hint.
func hintOf(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if h, ok := e.(Hinter); ok && h.Hint() != "" {
			return h.Hint()
		}
	}
	return ""
}

// report prints err for people and returns the exit code. This is the one
// place error text reaches the terminal, so it is the one place secrets are
// redacted.
func report(h *Host, name string, err error, classifiers []Classifier) int {
	code, hint := classify(err, classifiers)
	var exit *exitRequest
	if errors.As(err, &exit) {
		return exit.code // the script chose to exit; it has said what it wanted to
	}
	if code == ExitInterrupted {
		err = interruptedError{}
	}
	writeError(h.Stderr(), h.Redact(formatError(name, err, hint)))
	return code
}

func writeError(w io.Writer, text string) {
	// Nothing sensible is left to do if stderr itself fails.
	_, _ = io.WriteString(w, text)
}

// formatError renders an error as
//
//	skynamo: report.lua:12: attempt to index a nil value (local 'c')
//	stack traceback:
//		report.lua:12: in function 'total'
//		report.lua:30: in main chunk
//	hint: ...
func formatError(name string, err error, hint string) string {
	var b strings.Builder
	msg := tidyMessage(err.Error())
	var se *ScriptError
	if errors.As(err, &se) && se.Traceback != "" {
		fmt.Fprintf(&b, "%s: %s\n%s\n", name, msg, se.Traceback)
	} else {
		fmt.Fprintf(&b, "%s: %s\n", name, msg)
	}
	if hint != "" {
		fmt.Fprintf(&b, "hint: %s\n", hint)
	}
	return b.String()
}

var (
	// gopher-lua's parser writes "file line:3(column:7) near 'x':   syntax error"
	// even when the text arrives through require; turn it into file:line form.
	parseErrLine = regexp.MustCompile(`(\S+) line:(\d+)\(column:\d+\) near '(.*?)':\s+(.*)`)
	parseErrEOF  = regexp.MustCompile(`(\S+) at EOF:\s+(.*)`)
)

// tidyMessage removes what gopher-lua appends to error text: tracebacks of
// inner errors (when a Go function re-raises err.Error()) and the trailing
// newline of parser messages.
func tidyMessage(msg string) string {
	if i := strings.Index(msg, "\nstack traceback:"); i >= 0 {
		msg = msg[:i]
	}
	msg = parseErrLine.ReplaceAllString(msg, "$1:$2: $4 near '$3'")
	msg = parseErrEOF.ReplaceAllString(msg, "$1: $2 at end of file")
	return strings.TrimRight(msg, "\n ")
}
