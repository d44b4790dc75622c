package main

// The REPL end to end: the real binary under a pseudo-terminal (so the
// line editor, raw mode, Tab and the control keys are the real thing), and
// once more with piped input. Every wait has a deadline, so a REPL that
// stops answering fails the test instead of hanging it.

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// replWait bounds every wait for output or exit. It is a deadline for a
// stuck REPL, not a timing assertion.
const replWait = 20 * time.Second

// ptyRepl is `skynamo repl` running under a pseudo-terminal.
type ptyRepl struct {
	t    *testing.T
	pty  *os.File
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	code int

	mu     sync.Mutex
	screen bytes.Buffer  // everything the terminal showed
	seen   int           // how far expect has matched
	more   chan struct{} // poked when output arrives
}

func startPtyRepl(t *testing.T, w *workdir, args ...string) *ptyRepl {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"repl"}, args...)...)
	cmd.Dir = w.dir
	cmd.Env = append(w.env, "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	p := &ptyRepl{t: t, pty: f, cmd: cmd, done: make(chan struct{}), more: make(chan struct{}, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			p.mu.Lock()
			p.screen.Write(buf[:n])
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
			if err != nil {
				return // EIO once the process is gone
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			p.code = exit.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		f.Close()
	})
	return p
}

func (p *ptyRepl) send(keys string) {
	p.t.Helper()
	if _, err := p.pty.Write([]byte(keys)); err != nil {
		p.t.Fatalf("typing %q: %v", keys, err)
	}
}

// ansi matches the escape sequences the line editor redraws with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// expect waits until the screen, past what earlier calls matched and with
// escape sequences removed, shows want.
func (p *ptyRepl) expect(want string) {
	p.t.Helper()
	deadline := time.After(replWait)
	for {
		text := p.text()
		if i := strings.Index(text[p.seen:], want); i >= 0 {
			p.seen += i + len(want)
			return
		}
		select {
		case <-p.more:
		case <-p.done:
			if strings.Contains(p.text()[p.seen:], want) {
				return
			}
			p.t.Fatalf("the REPL exited (code %d) before showing %q; screen:\n%s", p.code, want, p.dump())
		case <-deadline:
			p.t.Fatalf("no %q on screen within %v; screen:\n%s", want, replWait, p.dump())
		}
	}
}

// text is the screen so far without escape sequences. A sequence cut in
// half by a read is left out until its end arrives, so the text only ever
// grows and offsets into it stay valid.
func (p *ptyRepl) text() string {
	p.mu.Lock()
	raw := p.screen.String()
	p.mu.Unlock()
	if i := strings.LastIndexByte(raw, 0x1b); i >= 0 && !ansi.MatchString(raw[i:]) {
		raw = raw[:i]
	}
	return ansi.ReplaceAllString(raw, "")
}

func (p *ptyRepl) dump() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.ReplaceAll(ansi.ReplaceAllString(p.screen.String(), ""), "\r", "")
}

// wait waits for the process to exit and returns its exit code.
func (p *ptyRepl) wait() int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(replWait):
		p.t.Fatalf("the REPL did not exit within %v; screen:\n%s", replWait, p.dump())
		return -1
	}
}

const (
	keyUp    = "\x1b[A"
	keyCtrlC = "\x03"
	keyCtrlD = "\x04"
	keyTab   = "\t"
)

func TestReplOnATerminal(t *testing.T) {
	w := newWorkdir(t)
	p := startPtyRepl(t, w, "--sim", "--quiet")
	p.expect("Ctrl-D leaves")
	p.expect("> ")

	p.send("1 + 2\r")
	p.expect("3\r\n")

	// A function over several lines, at the continuation prompt.
	p.send("function f()\r")
	p.expect(">> ")
	p.send("return 42 end\r")
	p.expect("> ")
	p.send("f()\r")
	p.expect("42\r\n")

	// An error keeps the session.
	p.send("error('boom')\r")
	p.expect("boom")
	p.expect("> ")
	p.send("f() + 1\r")
	p.expect("43\r\n")

	// Locals survive to the next line.
	p.send("local n = 7\r")
	p.expect("> ")
	p.send("n * 6\r")
	p.expect("42\r\n")

	// Tab completes a module's functions and a custom field name.
	p.expect("> ")
	p.send(`local reader = require "reader"` + "\r")
	p.expect("> ")
	p.send("reader.cus" + keyTab) // customers and customer_comments: their common part
	p.expect("reader.customer")
	p.send(keyTab) // again: both listed
	p.expect("customer_comments")
	p.send("s\x01c = \x05()\r") // s, Ctrl-A, type, Ctrl-E: c = reader.customers()
	p.expect("> ")
	p.expect("> ")
	p.send("#c > 0\r")
	p.expect("true\r\n")
	p.expect("> ")
	p.send("type(c[1].custom.Cred" + keyTab)
	p.expect(`c[1].custom["Credit Limit (R)"]`)
	p.send(")\r")
	p.expect("number")

	// Ctrl-C drops the half-typed line; the next one runs alone. (Keys are
	// sent once the prompt is back: the editor has the terminal in raw
	// mode only then; before, Ctrl-C would be a signal, as it is meant to
	// be while a line runs.)
	p.expect("> ")
	p.send("this is not lua")
	p.expect("this is not lua")
	p.send(keyCtrlC)
	p.expect("^C")
	p.send("'after ctrl-c'\r")
	p.expect("after ctrl-c\r\n")

	p.expect("> ")
	p.send(keyCtrlD)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit code %d after Ctrl-D, want 0; screen:\n%s", code, p.dump())
	}
	if strings.Contains(p.dump(), "not lua") && strings.Contains(p.dump(), "syntax error") {
		t.Errorf("the cleared line was run:\n%s", p.dump())
	}
}

func TestReplHistoryAcrossSessions(t *testing.T) {
	w := newWorkdir(t)
	p := startPtyRepl(t, w, "--sim", "--quiet")
	p.expect("> ")
	p.send("'remember ' .. 40 + 2\r")
	p.expect("remember 42\r\n")
	p.expect("> ")
	p.send(keyCtrlD)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	path := filepath.Join(w.dir, "skynamo_data", "repl_history")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "'remember ' .. 40 + 2\n" {
		t.Errorf("history file %q", data)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v %v", st.Mode(), err)
	}

	second := startPtyRepl(t, w, "--sim", "--quiet")
	second.expect("> ")
	second.send(keyUp)
	second.expect("'remember ' .. 40 + 2")
	second.send("\r")
	second.expect("remember 42\r\n")
	second.expect("> ")
	second.send(keyCtrlD)
	if code := second.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestReplPipedInput(t *testing.T) {
	w := newWorkdir(t)
	cmd := exec.Command(binary, "repl", "--sim", "--quiet")
	cmd.Dir = w.dir
	cmd.Env = w.env
	cmd.Stdin = strings.NewReader(strings.Join([]string{
		`local reader = require "reader"`,
		`local c = reader.customers()`,
		`#c > 0`,
		`function twice(x)`,
		`  return 2 * x`,
		`end`,
		`twice(21)`,
	}, "\n") + "\n")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\nstderr:\n%s", err, errb.String())
		}
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("the piped REPL did not finish")
	}
	// No banner, no prompts: just the values.
	if out.String() != "true\n42\n" {
		t.Errorf("stdout %q\nstderr:\n%s", out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(w.dir, "skynamo_data", "repl_history")); err == nil {
		t.Error("piped input was written to the history")
	}
}
