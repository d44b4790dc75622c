package runtime

import (
	"bufio"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/term"
)

// outWriter buffers standard output. Writes are locked because progress
// reports may come from the client's goroutines while Lua prints.
type outWriter struct {
	mu       sync.Mutex
	buf      *bufio.Writer
	lineMode bool // flush at every newline, as C stdio does for terminals
}

func newOutWriter(w io.Writer) *outWriter {
	return &outWriter{buf: bufio.NewWriterSize(w, 64<<10), lineMode: isTerminal(w)}
}

func (o *outWriter) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, err := o.buf.Write(p)
	if err == nil && o.lineMode && len(p) > 0 && p[len(p)-1] == '\n' {
		err = o.buf.Flush()
	}
	return n, err
}

func (o *outWriter) Flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Flush()
}

// errWriter writes standard error unbuffered, flushing standard output
// first so that "row 10" printed before a warning also appears before it.
type errWriter struct {
	w   io.Writer
	out *outWriter
	// live is the progress line on a terminal's stderr, kept out of the
	// way of every other line (nil: none).
	live atomic.Pointer[progress]
}

func (e *errWriter) Write(p []byte) (int, error) {
	write := func() (int, error) {
		// A failed stdout flush must not hide the error message itself.
		_ = e.out.Flush()
		return e.w.Write(p)
	}
	if live := e.live.Load(); live != nil {
		return live.around(write)
	}
	return write()
}

// isTerminal reports whether w is a terminal. It asks the terminal driver
// (term.IsTerminal) rather than checking for a character device, since
// /dev/null is a character device too and a cron job's stderr sent there
// must not get live progress lines. It inspects the file handed in by
// main; it does not reach for os.Stdout.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// drawsLive reports whether progress may be drawn in place on stderr: a
// terminal that understands \r and ANSI erase. TERM=dumb (Emacs' shell
// buffers, some CI logs) declares a terminal that does not, so it gets the
// plain lines a file would.
func drawsLive(stderrIsTerminal bool, env LookupEnv) bool {
	if !stderrIsTerminal {
		return false
	}
	termName, _ := env("TERM")
	return termName != "dumb"
}
