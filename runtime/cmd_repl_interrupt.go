package runtime

import (
	"context"
	"errors"
)

// errLineInterrupted is a line stopped by Ctrl-C at a terminal: the REPL
// says "interrupted" and prompts again with the session intact.
var errLineInterrupted = errors.New("interrupted")

// startLine gives the line about to run its own context, a child of the
// session's, so Ctrl-C can stop this line (the VM checks the context at
// every instruction, bindings pass it to HTTP calls) while the session's
// context lives on. The returned function puts the session's context back.
//
// A line that finishes is not cancelled: a coroutine it created keeps
// a child of its context and must still run when a later line resumes it.
// What that costs is one small context per line until the session ends.
func (r *repl) startLine() (done func()) {
	L := r.s.L
	outer := L.Context()
	ctx, cancel := context.WithCancel(outer)
	r.mu.Lock()
	r.stopLine, r.stopping = cancel, false
	r.mu.Unlock()
	L.SetContext(ctx)
	return func() {
		L.SetContext(outer)
		r.mu.Lock()
		r.stopLine = nil
		r.mu.Unlock()
	}
}

// lineError turns the error of a line that Ctrl-C stopped into
// errLineInterrupted; os.exit, SIGTERM and script errors pass unchanged.
func (r *repl) lineError(err error) error {
	var exit *exitRequest
	if errors.As(err, &exit) || errors.As(err, &interruptedError{}) {
		return err
	}
	r.mu.Lock()
	stopped := r.stopping
	r.mu.Unlock()
	if stopped {
		return errLineInterrupted
	}
	return err
}

// interrupt is the REPL's Ctrl-C handler on a terminal (see
// Host.handleInterrupts). The first Ctrl-C stops the running line. A
// second one while that line has still not stopped (it waits in a read
// that does not watch the context, or runs a coroutine made by an earlier
// line, whose context is that line's) ends the session as Ctrl-C ends a
// run. At the prompt the line editor reads Ctrl-C as a key, so a SIGINT
// there comes from elsewhere (kill -INT, or a terminal the editor could
// not take over) and ends the session as before.
func (r *repl) interrupt() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopLine == nil || r.stopping {
		return false
	}
	r.stopping = true
	r.stopLine()
	return true
}
