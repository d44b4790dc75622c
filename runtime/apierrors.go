package runtime

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"skynamo/bindings"
	"skynamo/skynamo"
)

// errorNotes remembers the Go errors that bindings hand to scripts as
// strings. Lua scripts pass errors on with assert and error(), which only
// carry text (gopher-lua's assert refuses anything else), so the Go error's
// type is gone by the time a script dies of it. Matching the message text
// back to the noted error recovers its exit code: a quota error still
// exits "partial" after assert(reader.customers()).
type errorNotes struct {
	mu    sync.Mutex
	byMsg map[string]error
}

// note records err and returns the message the script receives.
func (n *errorNotes) note(err error) string {
	msg := err.Error()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.byMsg == nil {
		n.byMsg = map[string]error{}
	}
	n.byMsg[msg] = err
	return msg
}

// find returns the noted error whose message text contains, the longest
// when several match.
func (n *errorNotes) find(text string) (error, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var best error
	bestLen := 0
	for msg, err := range n.byMsg {
		if len(msg) > bestLen && strings.Contains(text, msg) {
			best, bestLen = err, len(msg)
		}
	}
	return best, best != nil
}

// partialHint says what to do about a pull stopped by the quota or the
// run's request budget: nothing now, and nothing is lost. (Under --sim the
// cache goes with the simulator, which the budget's hint says, since
// --max-requests is often tried there first.)
func partialHint(err error) string {
	var stop *bindings.ApplyStopError
	if errors.As(err, &stop) {
		return stop.Hint() // a write, not a pull: nothing is "kept in the cache"
	}
	if errors.Is(err, skynamo.ErrBudgetExceeded) {
		return "this run's --max-requests budget is used up; the records pulled so far are kept in the cache and the next run continues from them (not under --sim, whose cache goes with the simulator)"
	}
	return "the API token's request quota is used up; the records pulled so far are kept in the cache and the next run continues from them once the quota resets"
}

// classifyAPIErrors maps the client's errors to exit codes: an --offline
// read of an entity never cached is a usage error (the flag cannot be
// honoured), an exhausted quota is a partial result (data kept), any other
// API or network failure is ExitAPI. Script errors whose text is a noted error count as that error.
func classifyAPIErrors(notes *errorNotes) Classifier {
	return func(err error) (int, string, bool) {
		var se *ScriptError
		if errors.As(err, &se) && notes != nil {
			if noted, ok := notes.find(se.Message); ok {
				err = noted
			}
		}
		var notCached *skynamo.NotCachedError
		if errors.As(err, &notCached) {
			// --offline cannot be honoured for this read: the user's
			// call to make, like any flag that does not fit.
			return ExitUsage, "--offline reads only the cache: run once without --offline, or pull every entity first with skynamo sync", true
		}
		if skynamo.IsPartialStop(err) {
			return ExitPartial, partialHint(err), true
		}
		if errors.Is(err, skynamo.ErrUnsettled) {
			return ExitPartial, "the data kept changing while it was pulled; what was pulled is kept, and a quieter run settles it", true
		}
		if errors.Is(err, skynamo.ErrLocked) {
			return ExitAPI, "another skynamo run has been pulling this entity for a long time; see whether it hangs, or try again later", true
		}
		var apiErr *skynamo.APIError
		if errors.As(err, &apiErr) {
			return ExitAPI, "", true
		}
		var urlErr *url.Error
		if errors.As(err, &urlErr) && !errors.Is(err, context.Canceled) {
			return ExitAPI, "the API could not be reached: check SKYNAMO_API_BASE and the network; scripts can run from the cache alone with run --offline", true
		}
		return 0, "", false
	}
}
