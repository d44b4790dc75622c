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
	"strconv"
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

// prompt waits for a fresh "> " prompt: the first one drawn after a
// newline. A bare expect("> ") can match inside the editor's redraws of
// the line being typed (or of ">> "), and keys sent before the prompt is
// back reach a terminal in cooked mode, which echoes them.
func (p *ptyRepl) prompt() {
	p.t.Helper()
	p.expectFresh("\r> ")
}

// continuation waits for a fresh ">> " prompt.
func (p *ptyRepl) continuation() {
	p.t.Helper()
	p.expectFresh("\r>> ")
}

// expectFresh waits for want right after a newline (which an earlier
// expect may have matched already).
func (p *ptyRepl) expectFresh(want string) {
	p.t.Helper()
	deadline := time.After(replWait)
	for {
		text := p.text()
		for from := p.seen; ; {
			i := strings.Index(text[from:], want)
			if i < 0 {
				break
			}
			if at := from + i; at > 0 && text[at-1] == '\n' {
				p.seen = at + len(want)
				return
			}
			from += i + 1
		}
		select {
		case <-p.more:
		case <-p.done:
			p.t.Fatalf("the REPL exited (code %d) before showing a fresh %q; screen:\n%s", p.code, want, p.dump())
		case <-deadline:
			p.t.Fatalf("no fresh %q on screen within %v; screen:\n%s", want, replWait, p.dump())
		}
	}
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
	// A function over three lines is one entry.
	p.send("function h()\r")
	p.continuation()
	p.send("  return 7\r")
	p.continuation()
	p.send("end\r")
	p.prompt()
	p.send(keyCtrlD)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	path := filepath.Join(w.dir, "skynamo_data", "repl_history")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "'remember ' .. 40 + 2\nfunction h() return 7 end\n" {
		t.Errorf("history file %q", data)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v %v", st.Mode(), err)
	}

	second := startPtyRepl(t, w, "--sim", "--quiet")
	second.expect("> ")
	second.send(keyUp)
	second.expect("function h() return 7 end")
	second.send("\r")
	second.prompt()
	second.send("h" + "() * 6\r")
	second.expect("42\r\n")
	second.prompt()
	second.send(keyUp + keyUp + keyUp)
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

// Ctrl-C while a line runs stops that line, not the session: the globals
// typed before it are still there, and Ctrl-D then leaves with 0.
func TestReplCtrlCStopsARunningLine(t *testing.T) {
	w := newWorkdir(t)
	p := startPtyRepl(t, w, "--sim", "--quiet")
	p.expect("> ")
	p.send("kept = 41\r")
	p.expect("> ")
	// The line says when it runs: the editor has handed the terminal back
	// by then, so Ctrl-C is a signal, not a key for the editor.
	p.send("print('loop' .. 'ing') while true do end\r")
	p.expect("looping\r\n")
	p.send(keyCtrlC)
	p.expect("interrupted")
	p.expect("> ")
	p.send("1+1\r")
	p.expect("2\r\n")
	p.expect("> ")
	p.send("kept + 1\r")
	p.expect("42\r\n")
	p.expect("> ")
	p.send(keyCtrlD)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit code %d after Ctrl-D, want 0; screen:\n%s", code, p.dump())
	}
}

// rawScreen is everything the terminal received, escape codes and all.
func (p *ptyRepl) rawScreen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.String()
}

// emulate replays what a terminal received onto a grid of cols columns
// and returns its lines, right-trimmed. Only what matters for where text
// lands is modelled: CR goes to column 0, LF moves down and keeps the
// column (what a real terminal does: a bare LF written while the tty does
// no output processing leaves the next text indented), backspace, tabs,
// and the cursor and erase sequences the line editor uses.
func emulate(raw string, cols int) []string {
	var grid [][]rune
	row, col := 0, 0
	put := func(r rune) {
		for len(grid) <= row {
			grid = append(grid, nil)
		}
		for len(grid[row]) <= col {
			grid[row] = append(grid[row], ' ')
		}
		grid[row][col] = r
	}
	line := func() []rune {
		for len(grid) <= row {
			grid = append(grid, nil)
		}
		return grid[row]
	}
	rs := []rune(raw)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			col = 0
		case r == '\n':
			row++
		case r == '\b':
			if col > 0 {
				col--
			}
		case r == '\t':
			col = (col/8 + 1) * 8
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] == ';' || rs[j] == '?' || (rs[j] >= '0' && rs[j] <= '9')) {
				j++
			}
			if j >= len(rs) {
				i = j
				break
			}
			params := string(rs[i+2 : j])
			n, err := strconv.Atoi(strings.TrimPrefix(params, "?"))
			if err != nil || n == 0 {
				n = 1
			}
			switch rs[j] {
			case 'A':
				row = max(0, row-n)
			case 'B':
				row += n
			case 'C':
				col += n
			case 'D':
				col = max(0, col-n)
			case 'G':
				col = n - 1
			case 'K', 'J':
				l := line()
				from := col
				if params == "2" {
					from = 0
				}
				if from < len(l) {
					grid[row] = l[:from]
				}
				if rs[j] == 'J' && params != "2" {
					grid = grid[:min(len(grid), row+1)]
				}
			}
			i = j
		case r == 0x1b:
			i++ // a two-byte escape
		case r < ' ':
		default:
			if col >= cols {
				row, col = row+1, 0
			}
			put(r)
			col++
		}
	}
	out := make([]string, len(grid))
	for i, l := range grid {
		out[i] = strings.TrimRight(string(l), " ")
	}
	return out
}

// screenWith waits until a line of the emulated screen holds want, and
// returns the screen.
func (p *ptyRepl) screenWith(want string) []string {
	p.t.Helper()
	deadline := time.After(replWait)
	for {
		lines := emulate(p.rawScreen(), 200)
		for _, l := range lines {
			if strings.Contains(l, want) {
				return lines
			}
		}
		select {
		case <-p.more:
		case <-deadline:
			p.t.Fatalf("no %q on the emulated screen within %v:\n%s", want, replWait, strings.Join(lines, "\n"))
		}
	}
}

// hasLine reports whether a line of the emulated screen is exactly want.
func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

// Output starts at column 0. The line editor's raw mode once turned off
// the terminal's newline translation, so the "\n" echoed for Enter left
// the cursor where the typed line ended and every value, error, banner
// and completion list came out indented. Searching the output for
// substrings does not see that; replaying it on an emulated screen does.
func TestReplOutputStartsAtColumnZero(t *testing.T) {
	w := newWorkdir(t)
	p := startPtyRepl(t, w, "--sim")
	p.expect("Ctrl-D leaves")
	p.prompt()
	p.send("1+1\r")
	p.expect("2\r\n")
	p.prompt()
	// Each line's output is told apart from the editor's echo of it (the
	// echo shows "bo' .. 'om", the output "boom"), so the next keys are
	// not typed ahead into the cooked terminal, which would echo them.
	p.send("error('bo' .. 'om')\r")
	p.expect("boom")
	p.prompt()
	p.send(`c = require("reader").customers() print("lo" .. "aded")` + "\r")
	p.expect("loaded\r\n")
	p.prompt()
	p.send("c[1].custom." + keyTab + keyTab)
	p.expect("Trading Days")
	// The screen with the list on it (the editor redraws it: wait for the
	// redraw to finish); Ctrl-C erases it.
	listed := p.screenWith("Trading Days")
	p.send(keyCtrlC) // leaves the list
	p.send(keyCtrlC) // clears the line
	p.expect("^C")
	p.prompt()
	// An identifier (region for "Région") completes to the display name.
	p.send("x = c[1].custom.reg" + keyTab)
	p.expect(`x = c[1].custom["Région"]`)
	p.send(" print('do' .. 'ne')\r")
	p.expect("done\r\n")
	p.prompt()
	p.send(keyCtrlD)
	if code := p.wait(); code != 0 {
		t.Fatalf("exit code %d; screen:\n%s", code, p.dump())
	}

	raw := p.rawScreen()
	// The tty turns every "\n" into "\r\n" when output processing is on.
	if i := strings.Index(strings.ReplaceAll(raw, "\r\n", ""), "\n"); i >= 0 {
		t.Errorf("a bare LF reached the terminal: %q", raw)
	}
	lines := emulate(raw, 200)
	screen := strings.Join(lines, "\n")
	if !hasLine(lines, "> 1+1") || !hasLine(lines, "2") {
		t.Errorf("want the line \"> 1+1\" then \"2\" at column 0; screen:\n%s", screen)
	}
	for _, l := range lines {
		if strings.Contains(l, "boom") && !strings.HasPrefix(l, "> ") && strings.HasPrefix(l, " ") {
			t.Errorf("the error is indented: %q; screen:\n%s", l, screen)
		}
		if strings.Contains(l, "simulator") && strings.HasPrefix(l, " ") {
			t.Errorf("the simulator banner is indented: %q; screen:\n%s", l, screen)
		}
	}
	listShown := false
	for _, l := range listed {
		if !strings.Contains(l, "Credit Limit (R)") || strings.Contains(l, "> ") {
			continue
		}
		listShown = true
		if !strings.HasPrefix(l, "2nd Rep ") {
			t.Errorf("the completion list does not start at column 0: %q", l)
		}
		if strings.Contains(l, `"]`) {
			t.Errorf("the completion list shows quotes and brackets: %q", l)
		}
	}
	if !listShown {
		t.Errorf("no completion list on screen:\n%s", strings.Join(listed, "\n"))
	}
}

// A line blocked in io.read does not watch the context, so the first
// Ctrl-C cannot stop it; three in a row end skynamo at once with 130.
func TestCtrlCThreeTimesEndsABlockedRead(t *testing.T) {
	w := newWorkdir(t)
	p := startPtyRepl(t, w, "--quiet")
	p.prompt()
	p.send("print('read' .. 'ing') x = io.read()\r")
	p.expect("reading\r\n")
	// Signals sent back to back merge into one, as a person's do not:
	// send one at a time until the process is gone (at most ten).
	for range 10 {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(200 * time.Millisecond):
			continue
		}
		break
	}
	// Only the exit code is checked: Linux may drop what a process wrote to
	// its terminal just before it exited, so the message cannot be relied on
	// here. Without the forced exit the process would not end at all.
	if code := p.wait(); code != 130 {
		t.Fatalf("exit code %d, want 130; screen:\n%s", code, p.dump())
	}
}
