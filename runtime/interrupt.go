package runtime

import "context"

// Ctrl-C. main hands SIGINT in as IO.Interrupts rather than cancelling the
// context itself, because what Ctrl-C means depends on where it lands: it
// stops a run (exit 130, outputs flushed), but at a REPL on a terminal it
// stops only the line being evaluated and the session goes on with its
// globals. SIGTERM still cancels main's context directly.

// watchInterrupts returns ctx cancelled by the first Ctrl-C that no
// handler takes (see handleInterrupts), and a function that stops
// watching; App.Run calls it once per command.
func (h *Host) watchInterrupts(ctx context.Context) (context.Context, func()) {
	if h.interrupts == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopped:
				return
			case <-ctx.Done():
				return
			case <-h.interrupts:
				if f := h.onInterrupt.Load(); f == nil || !(*f)() {
					cancel()
				}
			}
		}
	}()
	return ctx, func() {
		close(stopped)
		cancel()
	}
}

// handleInterrupts makes f the first to see each Ctrl-C until the
// returned function is called. f returns false to let the Ctrl-C cancel
// the whole command as usual.
func (h *Host) handleInterrupts(f func() bool) (restore func()) {
	h.onInterrupt.Store(&f)
	return func() { h.onInterrupt.Store(nil) }
}
