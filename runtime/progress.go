package runtime

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"skynamo/skynamo"
)

// progress shows how long work goes: pulls (pages) and applies (writes).
// On a terminal it keeps one live line at the bottom of stderr, redrawn in
// place and cleared when the work ends; every other line written to stderr
// meanwhile clears it first and redraws it after (errWriter calls around),
// so warnings and the per-pull summaries never land in the middle of a
// bar. Anywhere else (a file, a pipe, cron's mail) a live line would be a
// mess of \r and escape codes, so long work prints a plain line every
// tenth of the way, or every plainEvery, instead.
type progress struct {
	mu    sync.Mutex
	raw   io.Writer // stderr itself: live lines bypass errWriter
	plain io.Writer // the host's stderr, for plain lines (flushes stdout first)
	tty   bool
	width func() int
	now   func() time.Time

	tasks []*task   // in start order
	shown bool      // a live line is on screen
	drawn time.Time // when it was last drawn
}

// task is one pull or apply in progress.
type task struct {
	name        string // the entity, or "writes"
	unit        string // "pages" or "writes"
	done, total int    // total 0 = not known yet
	records     int    // pulls: records received
	start       time.Time
	tenths      int       // plain mode: tenths of the way reported
	logged      time.Time // plain mode: the last line printed
}

const (
	// redrawEvery bounds live redraws: a fast pull gets hundreds of pages a
	// second, and a terminal redrawn that often flickers and costs CPU.
	redrawEvery = 100 * time.Millisecond
	// plainEvery is how often a long task prints a plain line when it
	// moves too slowly to reach the next tenth.
	plainEvery = 30 * time.Second
	// plainMinPages and plainMinWrites: shorter work prints no plain
	// progress, only the summary line at its end.
	plainMinPages  = 20
	plainMinWrites = 500
	// defaultWidth is assumed when a terminal does not say its width.
	defaultWidth = 80
)

func newProgress(raw, plain io.Writer, tty bool) *progress {
	p := &progress{raw: raw, plain: plain, tty: tty, now: time.Now, width: func() int { return defaultWidth }}
	if f, ok := raw.(*os.File); ok && tty {
		p.width = func() int {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
			return defaultWidth
		}
	}
	return p
}

// update sets where the task name stands, starting it if it is new.
func (p *progress) update(name, unit string, done, total, records int) {
	p.mu.Lock()
	now := p.now()
	t := p.find(name)
	started := t == nil
	if started {
		t = &task{name: name, unit: unit, start: now, logged: now}
		p.tasks = append(p.tasks, t)
	}
	t.done, t.total, t.records = done, total, records
	if !p.tty {
		line := t.plainLine(now)
		p.mu.Unlock()
		if line != "" {
			// Outside the lock: plain goes through errWriter.
			fmt.Fprintf(p.plain, "skynamo: %s\n", line)
		}
		return
	}
	defer p.mu.Unlock()
	if started || now.Sub(p.drawn) >= redrawEvery {
		p.draw(now)
	}
}

// finish ends the task name: its live line goes away (the caller prints
// the one-line summary of what it did).
func (p *progress) finish(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, t := range p.tasks {
		if t.name == name {
			p.tasks = append(p.tasks[:i], p.tasks[i+1:]...)
			break
		}
	}
	if p.tty {
		p.draw(p.now())
	}
}

// around runs write (a line of someone else's for stderr) with the live
// line out of its way.
func (p *progress) around(write func() (int, error)) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.shown {
		return write()
	}
	io.WriteString(p.raw, "\r\x1b[K")
	p.shown = false
	n, err := write()
	p.draw(p.now())
	return n, err
}

func (p *progress) find(name string) *task {
	for _, t := range p.tasks {
		if t.name == name {
			return t
		}
	}
	return nil
}

// draw replaces the live line with the tasks' state; callers hold p.mu.
func (p *progress) draw(now time.Time) {
	p.drawn = now
	if len(p.tasks) == 0 {
		if p.shown {
			io.WriteString(p.raw, "\r\x1b[K")
			p.shown = false
		}
		return
	}
	io.WriteString(p.raw, "\r\x1b[K"+p.line(now))
	p.shown = true
}

// line is the live line: the first task with a bar, the others short,
// cut to the terminal's width (a line that wraps cannot be redrawn by \r).
func (p *progress) line(now time.Time) string {
	parts := make([]string, len(p.tasks))
	for i, t := range p.tasks {
		parts[i] = t.live(now, i == 0)
	}
	return fit(strings.Join(parts, "  │  "), p.width()-1)
}

// live renders a task: `customers  ▕██████░░░░▏ 12/40 pages  2,400 rec  310 rec/s`.
func (t *task) live(now time.Time, bar bool) string {
	var b strings.Builder
	b.WriteString(t.name)
	if bar && t.total > 0 {
		b.WriteString("  " + drawBar(t.done, t.total, 10))
	}
	if t.total > 0 {
		fmt.Fprintf(&b, " %s/%s %s", thousands(int64(t.done)), thousands(int64(t.total)), t.unit)
	} else {
		fmt.Fprintf(&b, " %s %s", thousands(int64(t.done)), t.unit)
	}
	count, per := t.done, t.unit
	if t.unit == "pages" {
		count, per = t.records, "rec"
		fmt.Fprintf(&b, "  %s rec", thousands(int64(t.records)))
	}
	if bar {
		if elapsed := now.Sub(t.start); elapsed >= time.Second {
			fmt.Fprintf(&b, "  %s %s/s", thousands(int64(float64(count)/elapsed.Seconds())), per)
		}
	}
	return b.String()
}

// plainLine is the plain line due now, "" if none: one per tenth of the
// way for long work, and one every plainEvery for work too slow to reach
// the next tenth soon, or whose size is not known yet (a pull whose first
// page has not answered, throttled for minutes) says what it knows.
func (t *task) plainLine(now time.Time) string {
	if t.total > 0 && t.done >= t.total {
		return ""
	}
	least := plainMinPages
	if t.unit != "pages" {
		least = plainMinWrites
	}
	tenths := 0
	if t.total >= least {
		tenths = t.done * 10 / t.total
	}
	if tenths <= t.tenths && now.Sub(t.logged) < plainEvery {
		return ""
	}
	t.tenths, t.logged = max(t.tenths, tenths), now
	var msg string
	if t.total > 0 {
		msg = fmt.Sprintf("%s: %s/%s %s", t.name, thousands(int64(t.done)), thousands(int64(t.total)), t.unit)
	} else {
		msg = fmt.Sprintf("%s: %s %s so far", t.name, thousands(int64(t.done)), t.unit)
	}
	if t.unit == "pages" {
		msg += fmt.Sprintf(", %s records", thousands(int64(t.records)))
	}
	return msg
}

// drawBar is a bar of width cells: ▕██████░░░░▏.
func drawBar(done, total, width int) string {
	full := max(0, min(done, total)) * width / total
	return "▕" + strings.Repeat("█", full) + strings.Repeat("░", width-full) + "▏"
}

// fit cuts s to at most width runes, marking the cut with "…"; no room
// at all (a terminal one column wide) leaves nothing.
func fit(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	if width < 1 {
		return ""
	}
	r := []rune(s)
	return string(r[:width-1]) + "…"
}

// thousands writes n with comma separators (12,400), as the client's own
// pull lines do.
func thousands(n int64) string { return skynamo.Thousands(n) }
