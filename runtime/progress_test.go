package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"skynamo/bindings"
	"skynamo/skynamo"
)

// testClock is a clock the test moves by hand.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time            { return c.t }
func (c *testClock) add(d time.Duration)       { c.t = c.t.Add(d) }
func newTestClock() *testClock                 { return &testClock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)} }
func liveLines(out string) []string            { return strings.Split(out, "\r\x1b[K") }
func lastLive(out string) string               { l := liveLines(out); return l[len(l)-1] }
func newTTYProgress(w *bytes.Buffer) *progress { return newProgress(w, w, true) }

const clear = "\r\x1b[K"

func TestLiveLineIsRedrawnInPlaceAndThrottled(t *testing.T) {
	var out bytes.Buffer
	clock := newTestClock()
	p := newTTYProgress(&out)
	p.now = clock.now

	p.update("customers", "pages", 1, 40, 200)
	if got, want := out.String(), clear+"customers  ▕░░░░░░░░░░▏ 1/40 pages  200 rec"; got != want {
		t.Fatalf("first draw %q, want %q", got, want)
	}
	// Within redrawEvery: no redraw.
	p.update("customers", "pages", 2, 40, 400)
	if strings.Count(out.String(), clear) != 1 {
		t.Fatalf("redrawn within %s: %q", redrawEvery, out.String())
	}
	clock.add(2 * time.Second)
	p.update("customers", "pages", 12, 40, 2400)
	if got, want := lastLive(out.String()), "customers  ▕███░░░░░░░▏ 12/40 pages  2,400 rec  1,200 rec/s"; got != want {
		t.Fatalf("line %q, want %q", got, want)
	}
	if strings.Contains(out.String(), "\n") {
		t.Fatalf("a live line has a newline: %q", out.String())
	}
	p.finish("customers")
	if !strings.HasSuffix(out.String(), "2,400 rec  1,200 rec/s"+clear) {
		t.Fatalf("finish did not clear the line: %q", out.String())
	}
	if p.shown {
		t.Fatal("the line still counts as shown")
	}
}

func TestOtherStderrLinesPushTheLiveLineDown(t *testing.T) {
	var stderr bytes.Buffer
	h := NewHost(IO{Stderr: &stderr}, nil)
	h.forceTerminal(80)
	hook := syncProgress(h, &HostOptions{})
	hook(skynamo.SyncProgress{Entity: "orders", Pages: 1, TotalPages: 4, Records: 200})
	h.Warnf("something odd")
	hook(skynamo.SyncProgress{Entity: "orders", Done: true})
	h.Progressf("orders: full pull")

	want := clear + "orders  ▕██░░░░░░░░▏ 1/4 pages  200 rec" +
		clear + "skynamo: warning: something odd\n" +
		clear + "orders  ▕██░░░░░░░░▏ 1/4 pages  200 rec" +
		clear + "skynamo: orders: full pull\n"
	if got := stderr.String(); got != want {
		t.Fatalf("stderr\n%q\nwant\n%q", got, want)
	}
}

func TestSeveralPullsShareTheLineWithinTheWidth(t *testing.T) {
	var out bytes.Buffer
	p := newTTYProgress(&out)
	p.width = func() int { return 60 }
	p.update("customers", "pages", 3, 10, 600)
	p.update("orders", "pages", 1, 0, 200)
	line := lastLive(out.String())
	if !strings.HasPrefix(line, "customers  ▕███░░░░░░░▏ 3/10 pages") || !strings.HasSuffix(line, "…") {
		t.Fatalf("line %q", line)
	}
	if n := utf8.RuneCountInString(line); n != 59 {
		t.Fatalf("line has %d runes, want 59 (a line as wide as the terminal wraps)", n)
	}
	p.width = func() int { return 200 }
	p.update("orders", "pages", 2, 5, 400)
	p.finish("customers")
	if got, want := lastLive(out.String()), "orders  ▕████░░░░░░▏ 2/5 pages  400 rec"; got != want {
		t.Fatalf("after customers finished: %q, want %q", got, want)
	}
}

func TestPlainProgressHasNoControlCharacters(t *testing.T) {
	var out bytes.Buffer
	clock := newTestClock()
	p := newProgress(&out, &out, false)
	p.now = clock.now
	for i := 1; i <= 40; i++ {
		p.update("customers", "pages", i, 40, i*200)
	}
	p.finish("customers")
	// A short pull and a short apply print nothing.
	for i := 1; i <= 10; i++ {
		p.update("users", "pages", i, 10, i)
		p.update(applyTask, "writes", i*10, 100, 0)
	}
	got := out.String()
	if strings.ContainsAny(got, "\r\x1b") {
		t.Fatalf("plain output has control characters: %q", got)
	}
	var want strings.Builder
	for i := 4; i < 40; i += 4 {
		fmt.Fprintf(&want, "skynamo: customers: %d/40 pages, %s records\n", i, thousands(int64(i*200)))
	}
	if got != want.String() {
		t.Fatalf("plain lines\n%s\nwant\n%s", got, want.String())
	}

	// Slow work still says something every plainEvery.
	out.Reset()
	p.update(applyTask, "writes", 1, 1000, 0)
	clock.add(plainEvery)
	p.update(applyTask, "writes", 2, 1000, 0)
	if got := out.String(); got != "skynamo: writer: 2/1,000 writes\n" {
		t.Fatalf("slow apply: %q", got)
	}
}

func TestTraceLine(t *testing.T) {
	q := url.Values{}
	q.Set("page_number", "2")
	q.Set("page_size", "200")
	q.Set("filters", `["greater_than(row_version,5)"]`)
	tests := []struct {
		tr   skynamo.RequestTrace
		want string
	}{
		{skynamo.RequestTrace{Method: "GET", Path: "/customers", Query: q, Attempt: 1, Status: 200, Duration: 143 * time.Millisecond},
			`GET /customers?filters=["greater_than(row_version,5)"]&page_number=2&page_size=200 200 143ms`},
		{skynamo.RequestTrace{Method: "POST", Path: "/customers", Attempt: 3, Status: 429, Duration: 1500 * time.Millisecond,
			Err: &skynamo.APIError{Status: 429, Message: "Too Many Requests"}},
			`POST /customers 429 1.5s Too Many Requests (retry 2)`},
		{skynamo.RequestTrace{Method: "GET", Path: "/users", Attempt: 1, Duration: 20 * time.Microsecond,
			Err: &url.Error{Op: "Get", URL: "http://x/v1/users", Err: errors.New("connection refused")}},
			`GET /users no answer after 0ms: connection refused`},
	}
	for _, tt := range tests {
		if got := traceLine(tt.tr); got != tt.want {
			t.Errorf("traceLine\n got %s\nwant %s", got, tt.want)
		}
	}
}

func TestSummaryWords(t *testing.T) {
	tests := []struct{ got, want string }{
		{formatElapsed(3240 * time.Millisecond), "3.2s"},
		{formatElapsed(125 * time.Second), "2m05s"},
		{thousands(5210), "5,210"},
		{thousands(1234567), "1,234,567"},
		{thousands(999), "999"},
		{plural(1, "request"), "1 request"},
		{plural(14000, "request"), "14,000 requests"},
		{writesWords(bindingsCounts(10, 0, 0, 0, 0)), "10 applied, 0 failed, 0 unknown"},
		{writesWords(bindingsCounts(0, 1, 0, 7, 0)), "0 applied, 1 failed, 0 unknown, 7 planned (dry run)"},
		{writesWords(bindingsCounts(0, 0, 0, 7, 0)), "7 planned (dry run)"},
		{writesWords(bindingsCounts(5, 0, 1, 0, 4)), "5 applied, 0 failed, 1 unknown, 4 not sent"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func bindingsCounts(applied, failed, unknown, planned, pending int) bindings.ApplyCounts {
	return bindings.ApplyCounts{Applied: applied, Failed: failed, Unknown: unknown, Planned: planned, Pending: pending}
}

// A whole run against the simulator with stderr taken for a terminal:
// bars while pulling, every other line whole and at the start of a line,
// and the summary last.
func TestRunDrawsBarsOnATerminal(t *testing.T) {
	c := newCLI(t)
	c.script("s.lua", `local reader = require "reader"
print(#reader.customers(), #reader.users())`)
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdout: &stdout, Stderr: &stderr}, nil)
	h.Dir = c.dir
	h.forceTerminal(100)
	code := DefaultApp().Run(context.Background(), h, []string{"run", "--sim", "s.lua"})
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out := stderr.String()
	mustContain(t, "stderr", out, clear+"customers  ▕", " pages  ", clear+"skynamo: customers: full pull, ")
	// Strip the live lines: what is left must be whole lines.
	var kept []string
	for _, part := range liveLines(out) {
		if i := strings.LastIndexByte(part, '\n'); i >= 0 {
			kept = append(kept, part[:i+1])
		}
	}
	lines := strings.Split(strings.TrimSuffix(strings.Join(kept, ""), "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "skynamo: ") {
			t.Fatalf("line %q is not a whole line of ours:\n%q", l, out)
		}
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "skynamo: done in ") || !strings.HasSuffix(out, last+"\n") {
		t.Fatalf("the summary is not last: %q", out)
	}
	if !strings.Contains(last, " records pulled, 0 from cache") {
		t.Fatalf("summary %q", last)
	}
}

func TestApplyLine(t *testing.T) {
	var out bytes.Buffer
	clock := newTestClock()
	p := newTTYProgress(&out)
	p.now = clock.now
	p.update(applyTask, "writes", 0, 500, 0)
	clock.add(2 * time.Second)
	p.update(applyTask, "writes", 120, 500, 0)
	if got, want := lastLive(out.String()), "writer  ▕██░░░░░░░░▏ 120/500 writes  60 writes/s"; got != want {
		t.Fatalf("line %q, want %q", got, want)
	}
}

func TestFitCutsToTheWidth(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  string
	}{
		{"customers", 20, "customers"},
		{"customers", 9, "customers"},
		{"customers", 8, "custome…"},
		{"▕██░▏", 3, "▕█…"},
		{"customers", 1, "…"},
		{"customers", 0, ""},
		{"customers", -1, ""},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := fit(tt.s, tt.width); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

// A pull whose size is not known yet still says how far it got when it
// goes slowly, and a known small one that crawls does too.
func TestPlainProgressOfSlowWorkOfUnknownSize(t *testing.T) {
	var out bytes.Buffer
	clock := newTestClock()
	p := newProgress(&out, &out, false)
	p.now = clock.now
	p.update("orders", "pages", 1, 0, 200)
	p.update("orders", "pages", 2, 0, 400)
	if out.Len() != 0 {
		t.Fatalf("a quick pull printed %q", out.String())
	}
	clock.add(plainEvery)
	p.update("orders", "pages", 5, 0, 1000)
	clock.add(plainEvery / 2)
	p.update("orders", "pages", 6, 0, 1200)
	clock.add(plainEvery / 2)
	p.update("orders", "pages", 7, 0, 1400)
	p.update("users", "pages", 1, 3, 200)
	clock.add(plainEvery)
	p.update("users", "pages", 2, 3, 400)
	p.finish("orders")
	p.finish("users")
	want := "skynamo: orders: 5 pages so far, 1,000 records\n" +
		"skynamo: orders: 7 pages so far, 1,400 records\n" +
		"skynamo: users: 2/3 pages, 400 records\n"
	if got := out.String(); got != want {
		t.Fatalf("plain lines\n%s\nwant\n%s", got, want)
	}
}

func TestProgressIsLiveOnlyOnARealTerminal(t *testing.T) {
	tests := []struct {
		tty  bool
		term string
		want bool
	}{
		{true, "xterm-256color", true},
		{true, "", true},
		{true, "dumb", false},
		{false, "xterm", false},
	}
	for _, tt := range tests {
		env := MapEnv(map[string]string{"TERM": tt.term})
		if got := drawsLive(tt.tty, env); got != tt.want {
			t.Errorf("drawsLive(%v, TERM=%q) = %v, want %v", tt.tty, tt.term, got, tt.want)
		}
	}

	// /dev/null is a character device, not a terminal: a cron job that
	// sends stderr there gets no bars.
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Fatal("/dev/null taken for a terminal")
	}
	h := NewHost(IO{Stderr: null}, MapEnv(map[string]string{"TERM": "xterm"}))
	if p := h.liveProgress(); p.tty || h.err.live.Load() != nil {
		t.Fatal("progress on /dev/null draws live lines")
	}
}
