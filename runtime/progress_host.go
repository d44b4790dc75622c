package runtime

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"skynamo/skynamo"
)

// liveProgress is the host's progress display, made on first use: live
// lines when stderr is a terminal that can redraw them, plain lines
// otherwise.
func (h *Host) liveProgress() *progress {
	h.progressOnce.Do(func() { h.setProgress(drawsLive(isTerminal(h.err.w), h.env)) })
	return h.progress
}

func (h *Host) setProgress(tty bool) {
	h.progress = newProgress(h.err.w, h.err, tty)
	if tty {
		h.err.live.Store(h.progress)
	}
}

// forceTerminal makes the host draw progress as on a terminal width
// columns wide, whatever stderr is: the hook tests use to see the bars.
// It must come before the first progress report.
func (h *Host) forceTerminal(width int) {
	h.progressOnce.Do(func() { h.setProgress(true) })
	h.progress.width = func() int { return width }
}

// syncProgress is the Progress hook of a syncer: a line per running pull.
// nil under --quiet, which leaves only errors on stderr.
func syncProgress(h *Host, opts *HostOptions) func(skynamo.SyncProgress) {
	if opts.Quiet {
		return nil
	}
	p := h.liveProgress()
	return func(sp skynamo.SyncProgress) {
		if sp.Done {
			p.finish(sp.Entity)
			return
		}
		p.update(sp.Entity, "pages", sp.Pages, sp.TotalPages, sp.Records)
	}
}

// applyTask names the progress line of a writer apply.
const applyTask = "writer"

// applyProgress is the Progress hook of a writer apply; nil under --quiet.
func applyProgress(h *Host, opts *HostOptions) func(done, total int) {
	if opts.Quiet {
		return nil
	}
	p := h.liveProgress()
	return func(done, total int) { p.update(applyTask, "writes", done, total, 0) }
}

// requestTrace is the client's Trace hook under --verbose: one line per
// request sent, retries included. It prints what the request asked for
// and how it was answered, never a header: the key travels in one.
func requestTrace(h *Host, opts *HostOptions) func(skynamo.RequestTrace) {
	if !opts.Verbose || opts.Quiet {
		return nil
	}
	return func(t skynamo.RequestTrace) { h.Progressf("%s", traceLine(t)) }
}

// traceLine is `GET /customers?page_number=2&page_size=200 200 143ms`.
func traceLine(t skynamo.RequestTrace) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s", t.Method, t.Path, readableQuery(t.Query))
	d := shortDuration(t.Duration)
	switch {
	case t.Status == 0 && t.Err != nil:
		fmt.Fprintf(&b, " no answer after %s: %s", d, noAnswer(t.Err))
	case t.Err != nil:
		fmt.Fprintf(&b, " %d %s", t.Status, d)
		var apiErr *skynamo.APIError
		if errors.As(t.Err, &apiErr) && apiErr.Message != "" {
			fmt.Fprintf(&b, " %s", fit(apiErr.Message, 80))
		}
	default:
		fmt.Fprintf(&b, " %d %s", t.Status, d)
	}
	if t.Attempt > 1 {
		fmt.Fprintf(&b, " (retry %d)", t.Attempt-1)
	}
	return b.String()
}

// shortDuration is "143ms" below a second (never "0s"), "1.25s" above.
func shortDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(10 * time.Millisecond).String()
}

// readableQuery writes the query unescaped, keys in order, so filters
// read as the API documents them: ?filters=["greater_than(row_version,5)"].
func readableQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return "?" + strings.Join(parts, "&")
}

// noAnswer is the network error without the request named again.
func noAnswer(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}
