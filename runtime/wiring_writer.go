package runtime

import (
	"sync"

	lua "github.com/yuin/gopher-lua"

	"skynamo/bindings"
	"skynamo/skynamo"
)

// applied ends an apply's progress line and counts its writes for the
// run's summary.
func (lc *lazyConnection) applied(c bindings.ApplyCounts) {
	if !lc.opts.Quiet {
		lc.h.liveProgress().finish(applyTask)
	}
	lc.h.stats.applied(c)
}

// writerState is the run's one skynamo.Writer, built on first need.
type writerState struct {
	once   sync.Once
	writer *skynamo.Writer
}

// writerLoader loads the writer module without connecting; the first
// call that needs the API (queuing a write checked against the custom
// fields, an apply) connects, over the run's shared reader, so reads and
// writes go through one client, one cache and one request budget. The host
// decides for every batch: --dry-run plans instead of sending, --offline
// refuses to send, and an apply that ends with failed or unknown writes
// makes the run exit "partial".
func (lc *lazyConnection) writerLoader() lua.LGFunction {
	var st writerState
	get := func() (*skynamo.Reader, *skynamo.Writer, error) {
		reader, err := lc.sharedReader()
		if err != nil {
			return nil, nil, err
		}
		st.once.Do(func() { st.writer = skynamo.NewWriter(reader, lc.h.Progressf) })
		return reader, st.writer, nil
	}
	return func(L *lua.LState) int {
		return bindings.NewWriter(get, bindings.WriterOptions{
			DryRun:    lc.opts.DryRun,
			Offline:   lc.opts.Offline,
			Logf:      lc.h.Progressf,
			OnPartial: lc.h.NotePartial,
			Progress:  applyProgress(lc.h, lc.opts),
			OnApply:   lc.applied,
		}).Loader(L)
	}
}
