package runtime

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"skynamo/bindings"
	"skynamo/skynamo"
)

// runStats gathers what the last line of `skynamo run` reports: the
// requests the client sent, the records pulled from the API versus served
// from the cache, and the writes applied. The connection fills it in when
// a script first touches the API. A script that never does (one that
// only answers --help, stops on a usage error, or crunches CSV files) gets
// no line: "no API requests" after a help text is noise.
type runStats struct {
	mu      sync.Mutex
	client  *skynamo.Client
	syncer  *skynamo.Syncer
	reader  *skynamo.Reader
	applies int
	writes  bindings.ApplyCounts
}

func (s *runStats) connected(client *skynamo.Client, syncer *skynamo.Syncer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.client, s.syncer = client, syncer
}

func (s *runStats) reading(r *skynamo.Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reader = r
}

func (s *runStats) applied(c bindings.ApplyCounts) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applies++
	s.writes = s.writes.Add(c)
}

// summary is the run's last line; ok is false when the run never
// connected to the API (no reader or writer call needed it, or the config
// could not be read, whose error then ends the output with its hint).
func (s *runStats) summary(elapsed time.Duration) (line string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return "", false
	}
	var pulled, served int64
	if s.syncer != nil {
		pulled = s.syncer.Received()
	}
	if s.reader != nil {
		served = s.reader.Served()
	}
	parts := []string{
		"done in " + formatElapsed(elapsed),
		plural(s.client.Requests(), "request"),
		fmt.Sprintf("%s pulled, %s from cache", plural(pulled, "record"), thousands(served)),
	}
	if s.applies > 0 {
		parts = append(parts, "writes: "+writesWords(s.writes))
	}
	return strings.Join(parts, " · "), true
}

// writesWords is "10 applied, 0 failed, 0 unknown", with the dry runs'
// planned writes and the writes a stop left unsent when there are any.
func writesWords(c bindings.ApplyCounts) string {
	var words []string
	if c.Applied+c.Failed+c.Unknown+c.Pending > 0 || c.Planned == 0 {
		words = append(words, fmt.Sprintf("%s applied, %s failed, %s unknown", thousands(int64(c.Applied)), thousands(int64(c.Failed)), thousands(int64(c.Unknown))))
	}
	if c.Pending > 0 {
		words = append(words, thousands(int64(c.Pending))+" not sent")
	}
	if c.Planned > 0 {
		words = append(words, thousands(int64(c.Planned))+" planned (dry run)")
	}
	return strings.Join(words, ", ")
}

// plural is "1 request", "5,210 requests".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// formatElapsed is "0.4s", "3.2s", "2m05s".
func formatElapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// summarizeRun makes run print its summary line, timed from start, once
// everything else is said (the script's error, the partial reasons): the
// run's last line is where cron mail and CI logs are read from. The line
// is printed only when the script connected to the API (a reader or writer
// call needed it), also after a script error or a partial exit. A run
// that never connected, a usage error, or a script that does not compile
// ends with its own output or error alone. Nothing under --quiet.
func summarizeRun(h *Host, quiet bool, start time.Time) {
	if quiet {
		return
	}
	h.atEnd = append(h.atEnd, func() {
		if line, ok := h.stats.summary(time.Since(start)); ok {
			h.Progressf("%s", line)
		}
	})
}

// runAtEnd runs what commands left for the end of the run.
func (h *Host) runAtEnd() {
	for _, fn := range h.atEnd {
		fn()
	}
	h.atEnd = nil
}
