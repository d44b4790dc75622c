package runtime

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// IO is the process's standard streams, handed in by main so that tests
// (and any other front end) can run the whole CLI on buffers.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Interrupts delivers Ctrl-C (SIGINT) when main hands signals in this
	// way: each one cancels the command's context, except while the REPL
	// runs a line on a terminal, where it stops just that line
	// (interrupt.go). Nil: the caller cancels the context itself.
	Interrupts <-chan os.Signal
}

// LookupEnv reports an environment variable, with os.LookupEnv's shape: a
// variable set to "" and an unset one are different things to os.getenv.
type LookupEnv func(key string) (value string, ok bool)

// MapEnv is a LookupEnv over a fixed map, for tests and embedding.
func MapEnv(m map[string]string) LookupEnv {
	return func(key string) (string, bool) {
		v, ok := m[key]
		return v, ok
	}
}

// Host is everything a command may touch outside the process's memory: the
// standard streams, the environment, the working folder. Nothing below Main
// calls os.Exit, writes to os.Stdout or reads os.Getenv; it goes through a
// Host instead (k6's GlobalState), which is what lets tests drive the real
// CLI in-process. A Host serves one invocation of Main.
type Host struct {
	// Dir is the folder relative paths (the script, --config, --data-dir)
	// are resolved against; "" means the process's working folder.
	Dir string
	// Quiet silences Warnf; run and repl set it from --quiet.
	Quiet bool
	// Args is the command line Main was given, without the program name;
	// run uses it for the negative indexes of the script's arg table.
	Args []string

	env         LookupEnv
	interactive bool          // stdin is a terminal: the REPL shows prompts
	rawIn       io.Reader     // stdin as main handed it: the REPL's line editor drives the terminal itself
	in          *bufio.Reader // shared by the REPL and Lua's io.read so neither reads ahead of the other
	out         *outWriter
	err         *errWriter
	interrupts  <-chan os.Signal
	onInterrupt atomic.Pointer[func() bool] // the REPL's handler while it has one (interrupt.go)

	progressOnce sync.Once
	progress     *progress // bars or plain progress lines (progress_host.go)
	stats        runStats  // what run's summary line reports (summary.go)
	atEnd        []func()  // run by App.Run after the error report (summary.go)

	mu      sync.Mutex
	secrets []string
	partial []string
	// shown is a copy of secrets that script output checks without the
	// lock (redact.go); nil until a secret is registered.
	shown atomic.Pointer[[]string]
}

// NewHost wraps the process's streams and environment. Nil streams read as
// empty and discard writes; a nil env has no variables.
func NewHost(stdio IO, env LookupEnv) *Host {
	if stdio.Stdin == nil {
		stdio.Stdin = strings.NewReader("")
	}
	if stdio.Stdout == nil {
		stdio.Stdout = io.Discard
	}
	if stdio.Stderr == nil {
		stdio.Stderr = io.Discard
	}
	if env == nil {
		env = MapEnv(nil)
	}
	out := newOutWriter(stdio.Stdout)
	return &Host{
		env:         env,
		interactive: isTerminal(stdio.Stdin),
		rawIn:       stdio.Stdin,
		in:          bufio.NewReader(stdio.Stdin),
		out:         out,
		err:         &errWriter{w: stdio.Stderr, out: out},
		interrupts:  stdio.Interrupts,
	}
}

// Getenv looks a variable up in the host's environment.
func (h *Host) Getenv(key string) (string, bool) { return h.env(key) }

// Stdin is the host's standard input, buffered once for every reader.
func (h *Host) Stdin() *bufio.Reader { return h.in }

// Stdout is the host's standard output. It is buffered (whole lines when it
// is a terminal) because reports print hundreds of thousands of lines;
// Main flushes it before returning, and writes to Stderr flush it first so
// the two streams stay in order on a terminal.
func (h *Host) Stdout() io.Writer { return h.out }

// Stderr is the host's standard error, unbuffered.
func (h *Host) Stderr() io.Writer { return h.err }

// Flush writes out whatever Stdout holds.
func (h *Host) Flush() error { return h.out.Flush() }

// Path resolves p against Dir; absolute paths and an empty Dir leave it as is.
func (h *Host) Path(p string) string {
	if p == "" || h.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(h.Dir, p)
}

// Warnf prints "skynamo: warning: ..." on stderr unless Quiet is set. The
// text passes through the redactor like every other message of ours.
func (h *Host) Warnf(format string, args ...any) {
	if h.Quiet {
		return
	}
	msg := h.Redact(fmt.Sprintf(format, args...))
	fmt.Fprintf(h.err, "skynamo: warning: %s\n", msg)
}

// Progressf prints "skynamo: ..." on stderr unless Quiet is set: what a
// pull did and cost, so a user sees where the requests go.
func (h *Host) Progressf(format string, args ...any) {
	if h.Quiet {
		return
	}
	msg := h.Redact(fmt.Sprintf(format, args...))
	fmt.Fprintf(h.err, "skynamo: %s\n", msg)
}

// NotePartial records that the run delivered less than it was asked for
// while still succeeding as far as the script can tell: a pull stopped by
// the API quota with the data so far kept, or a write where some items
// failed. A run that would otherwise exit 0 then exits ExitPartial and
// prints the reasons. Safe for concurrent use (pulls report from goroutines);
// the module factory hands h.NotePartial to the bindings that need it.
func (h *Host) NotePartial(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.partial = append(h.partial, reason)
}

// Partial returns the reasons noted so far.
func (h *Host) Partial() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.partial...)
}
