package runtime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuin/gopher-lua/parse"

	"skynamo/skynamo/fsutil"
)

// The REPL's history lives in the user's data folder (not the temporary
// one --sim uses), one typed line per line of the file, so lines typed in a
// --sim session come back in the next one. The file is private (0600):
// people paste customer names and ids at a prompt. Lines that contain a
// registered secret (the API key, the mail password) are never written.
const (
	replHistoryName  = "repl_history"
	replHistoryLimit = 1000
)

// replHistory is the history file of one session.
type replHistory struct {
	h       *Host
	path    string
	lines   int  // lines in the file, to know when to trim it
	broken  bool // a write failed: warned once, then history stays in memory
	entries []string
}

// openHistory reads the history file at path (missing is fine) and trims
// it to the limit.
func openHistory(h *Host, path string) *replHistory {
	hist := &replHistory{h: h, path: path}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		h.Warnf("REPL history %s not read: %v", path, err)
		hist.broken = true
		return hist
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.TrimSpace(line) != "" {
			hist.entries = append(hist.entries, line)
		}
	}
	hist.lines = len(hist.entries)
	if len(hist.entries) > replHistoryLimit {
		hist.entries = hist.entries[len(hist.entries)-replHistoryLimit:]
		hist.rewrite()
	}
	return hist
}

// add appends one typed line. Blank lines and lines holding a secret are
// skipped; it reports whether the line was kept, for the line editor's
// in-memory list too.
func (hist *replHistory) add(line string) bool {
	if strings.TrimSpace(line) == "" || hist.h.Redact(line) != line {
		return false
	}
	if n := len(hist.entries); n > 0 && hist.entries[n-1] == line {
		return true // the same line again: recall it, do not store it twice
	}
	hist.entries = append(hist.entries, line)
	if hist.broken {
		return true
	}
	if len(hist.entries) > replHistoryLimit {
		hist.entries = hist.entries[len(hist.entries)-replHistoryLimit:]
	}
	// Appending is cheap; the file is rewritten down to the limit only once
	// it has grown to twice that.
	if hist.lines+1 > 2*replHistoryLimit {
		hist.rewrite()
		return true
	}
	if err := hist.appendLine(line); err != nil {
		hist.fail(err)
		return true
	}
	hist.lines++
	return true
}

func (hist *replHistory) appendLine(line string) error {
	if err := os.MkdirAll(filepath.Dir(hist.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(hist.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// rewrite replaces the file with the entries in memory, atomically.
func (hist *replHistory) rewrite() {
	if hist.broken {
		return
	}
	err := os.MkdirAll(filepath.Dir(hist.path), 0o700)
	if err == nil {
		err = fsutil.WriteFileAtomic(hist.path, 0o600, func(w io.Writer) error {
			for _, e := range hist.entries {
				if _, err := fmt.Fprintln(w, e); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		hist.fail(err)
		return
	}
	hist.lines = len(hist.entries)
}

func (hist *replHistory) fail(err error) {
	hist.broken = true
	hist.h.Warnf("REPL history not saved to %s: %v", hist.path, err)
}

// historyEntries is what an input of several lines becomes in the history.
// The line editor draws its buffer as one line and the file holds an entry
// per line, so the lines are joined with spaces, which Lua reads the same
// way: `function f()`, `return 42 end` comes back as
// `function f() return 42 end`. Where spaces would change the meaning (a
// -- comment would swallow the lines after it; a [[long string]] would
// lose its newlines), shown by the joined text not parsing or holding a
// long bracket, each line is kept as its own entry, as before.
func historyEntries(lines []string) []string {
	if len(lines) == 1 {
		return lines
	}
	trimmed := make([]string, 0, len(lines))
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			trimmed = append(trimmed, t)
		}
	}
	joined := strings.Join(trimmed, " ")
	if longBracketRe.MatchString(joined) {
		return lines
	}
	src := strings.TrimPrefix(joined, "=")
	if _, err := parse.Parse(strings.NewReader(src), "history"); err != nil {
		if _, err := parse.Parse(strings.NewReader("return "+src), "history"); err != nil {
			return lines
		}
	}
	return []string{joined}
}

// longBracketRe finds the opening of a long string or comment: [[ or [==[.
var longBracketRe = regexp.MustCompile(`\[=*\[`)
