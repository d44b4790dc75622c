package runtime

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/chzyer/readline"
	"golang.org/x/term"
)

// errLineCleared is Ctrl-C at the prompt: the input typed so far is
// dropped and a fresh prompt comes back. (Ctrl-C while a line runs is a
// signal instead, which stops that line: cmd_repl_interrupt.go.)
var errLineCleared = errors.New("input cleared")

// lineReader is where the REPL's input comes from: the line editor on a
// terminal, plain lines from a pipe. readLine returns io.EOF at the end.
type lineReader interface {
	readLine(ctx context.Context, prompt string) (string, error)
	// remember keeps one complete input, however many lines it took, as
	// one history entry.
	remember(lines []string)
	close() error
}

// plainReader reads lines from the host's stdin: piped input, or a
// terminal the line editor could not take over. Prompts are written only
// when asked for (a terminal), so piped output holds just the values.
type plainReader struct {
	h       *Host
	prompts bool
}

// readLine reads one line, giving up when ctx is cancelled. The read
// happens in a goroutine because a read from a pipe or terminal cannot be
// interrupted; after Ctrl-C the process ends, and that goroutine with it.
func (p *plainReader) readLine(ctx context.Context, prompt string) (string, error) {
	if p.prompts {
		_, _ = io.WriteString(editorOut(p.h), prompt)
	}
	if err := p.h.Flush(); err != nil {
		return "", err
	}
	if ctx.Err() != nil {
		return "", interruptedError{}
	}
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := p.h.Stdin().ReadString('\n')
		if err == io.EOF && line != "" {
			err = nil // a last line without a newline is still a line
		}
		ch <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		return "", interruptedError{}
	case res := <-ch:
		if res.err == io.EOF && p.prompts {
			_, _ = io.WriteString(editorOut(p.h), "\n")
		}
		return strings.TrimRight(res.line, "\r\n"), res.err
	}
}

func (p *plainReader) remember([]string) {} // piped input is not history

func (p *plainReader) close() error { return nil }

// editReader is github.com/chzyer/readline on the terminal main handed
// in: arrows, Ctrl-A/E, Ctrl-R search, Tab completion, history.
type editReader struct {
	rl   *readline.Instance
	hist *replHistory
}

// terminalIn is stdin when it is a terminal the line editor can drive.
func (h *Host) terminalIn() (*os.File, bool) {
	f, ok := h.rawIn.(*os.File)
	if !ok || !h.interactive || !term.IsTerminal(int(f.Fd())) {
		return nil, false
	}
	return f, true
}

// newEditReader sets the line editor up on the terminal f. It reads
// through the host's buffered stdin (which Lua's io.read shares) and draws
// on editorOut; raw mode and the width come from f itself.
func newEditReader(h *Host, f *os.File, hist *replHistory, comp *completer) (*editReader, error) {
	fd := int(f.Fd())
	// The terminal's cooked state while the editor has it raw. Close (on
	// SIGTERM) may restore it while Readline's own goroutine does too.
	var mu sync.Mutex
	var saved *readline.State
	cfg := &readline.Config{
		Prompt:                 "> ",
		AutoComplete:           comp,
		Listener:               comp,
		DisableAutoSaveHistory: true,
		HistoryLimit:           replHistoryLimit,
		HistorySearchFold:      true,
		Stdin:                  readline.NewCancelableStdin(h.Stdin()),
		Stdout:                 editorOut(h),
		Stderr:                 h.Stderr(),
		FuncIsTerminal:         func() bool { return true },
		FuncMakeRaw: func() error {
			mu.Lock()
			defer mu.Unlock()
			if saved != nil {
				return nil // raw already
			}
			// readline's raw mode, not x/term's: it keeps output
			// post-processing (OPOST) on, so the "\n" the editor echoes for
			// Enter, the completion list and anything else written while
			// the terminal is raw still go back to column 0. x/term's
			// cfmakeraw clears OPOST, and every value then started at
			// the column where the typed line ended.
			st, err := readline.MakeRaw(fd)
			if err == nil {
				saved = st
			}
			return err
		},
		FuncExitRaw: func() error {
			mu.Lock()
			defer mu.Unlock()
			if saved == nil {
				return nil
			}
			st := saved
			saved = nil
			return readline.Restore(fd, st)
		},
		FuncGetWidth: func() int {
			w, _, err := term.GetSize(fd)
			if err != nil || w <= 0 {
				return 80
			}
			return w
		},
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, err
	}
	for _, line := range hist.entries {
		_ = rl.SaveHistory(line)
	}
	return &editReader{rl: rl, hist: hist}, nil
}

func (e *editReader) readLine(ctx context.Context, prompt string) (string, error) {
	if ctx.Err() != nil {
		return "", interruptedError{}
	}
	e.rl.SetPrompt(prompt)
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := e.rl.Readline()
		ch <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		// SIGTERM while waiting (Ctrl-C at the prompt is a key, not a
		// signal, while the terminal is raw): give the terminal back.
		_ = e.rl.Close()
		return "", interruptedError{}
	case res := <-ch:
		switch {
		case errors.Is(res.err, readline.ErrInterrupt):
			return "", errLineCleared
		case res.err != nil:
			return "", res.err
		}
		return res.line, nil
	}
}

// remember saves a complete input as one history entry, so Up brings a
// function typed over three lines back whole (historyEntry).
func (e *editReader) remember(lines []string) {
	for _, entry := range historyEntries(lines) {
		if e.hist.add(entry) {
			_ = e.rl.SaveHistory(entry)
		}
	}
}

func (e *editReader) close() error { return e.rl.Close() }

// editorOut is where the prompt and the line being edited are drawn:
// stdout, as lua does, unless stdout is redirected (skynamo repl >
// log.txt), where escape codes would only litter the file.
func editorOut(h *Host) io.Writer {
	if h.out.lineMode {
		return flushWriter{h}
	}
	return h.Stderr()
}

// flushWriter writes to the host's stdout and flushes at once: the editor
// redraws the line with escape codes that end in no newline.
type flushWriter struct{ h *Host }

func (w flushWriter) Write(p []byte) (int, error) {
	n, err := w.h.Stdout().Write(p)
	if err == nil {
		err = w.h.Flush()
	}
	return n, err
}
