package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// itemState is where an item stands during a run; ItemResult.Status is
// its outcome once it is stDone.
type itemState uint8

const (
	stPending    itemState = iota // not sent (or to be sent again)
	stInFlight                    // in a request that has not answered
	stUnresolved                  // sent, outcome unknown: to look up or resend
	stDone                        // res holds its outcome
)

// applyRun is one Apply or Resume in progress.
type applyRun struct {
	w       *Writer
	opt     ApplyOptions
	batch   int
	ops     []WriteOp
	targets []WriteTarget
	// keys are the ops' RecordKeys, rewritten to ids where the batch
	// addresses one entity in more than one way (canonicalKeys).
	keys  []string
	pos   map[int]int // op Index -> position
	j     *journal    // nil for a dry run
	start int64       // client requests before the run

	mu    sync.Mutex
	res   []ItemResult
	state []itemState
	sends []int // requests each item was sent in this run
	// why says, for an unresolved item, what made its outcome unknown.
	why []string
	// after400 marks an unresolved item that was valid in a request the
	// API refused for other items' sake: whether it was saved is the
	// FACTS.md unknown.
	after400 []bool
	// lost marks items sent in a request whose answer was lost at least
	// once: a DELETE resent after that may find its record gone.
	lost     []bool
	sent     map[string]bool           // read entities written to (for the cache refresh)
	preimage map[string]map[int64]bool // read entity -> ids with a natural key of this run, before it
	preDone  map[string]bool           // entities whose preimage is taken
	// snapshot holds, per read entity, its ids before the run's first
	// keyless create of it (apply_keyless.go); snapDone marks entities
	// that have one or must not get one (nil: a resume of an older
	// journal, whose creates may already be among the ids).
	snapshot map[string]map[int64]bool
	snapDone map[string]bool
	// unsure marks paths where a keyless create had an unknown outcome:
	// their requests now go one at a time, so a count speaks of one.
	unsure   map[string]bool
	req      []int64         // the journal request each item was last sent in
	reqID    atomic.Int64    // journal request numbers
	progress chan struct{}   // pinged when items get outcomes
	logOnce  map[string]bool // messages said once per run
}

func (w *Writer) newRun(ops []WriteOp, opt ApplyOptions) *applyRun {
	n := len(ops)
	r := &applyRun{w: w, opt: opt, batch: opt.BatchSize, ops: ops, targets: make([]WriteTarget, n), pos: make(map[int]int, n),
		res: make([]ItemResult, n), state: make([]itemState, n), sends: make([]int, n), why: make([]string, n),
		after400: make([]bool, n), lost: make([]bool, n), sent: map[string]bool{}, preimage: map[string]map[int64]bool{},
		preDone: map[string]bool{}, snapshot: map[string]map[int64]bool{}, snapDone: map[string]bool{}, unsure: map[string]bool{},
		req: make([]int64, n), progress: make(chan struct{}, 1), logOnce: map[string]bool{},
		keys: make([]string, n), start: w.client.Requests()}
	if r.batch <= 0 {
		r.batch = DefaultWriteBatch
	}
	type found struct {
		t   WriteTarget
		err error
	}
	targets := map[string]found{} // WriteTargets builds the whole table each call
	for i, op := range ops {
		r.pos[op.Index] = i
		r.keys[i] = op.RecordKey
		r.res[i] = ItemResult{Index: op.Index, Status: StatusPending}
		if problems, bad := opt.Invalid[op.Index]; bad {
			r.state[i], r.res[i].Status, r.res[i].Detail = stDone, StatusFailed, problems
			continue
		}
		f, ok := targets[op.Entity]
		if !ok {
			f.t, f.err = LookupWriteTarget(op.Entity)
			targets[op.Entity] = f
		}
		t, err := f.t, f.err
		if err == nil && !json.Valid(op.Item) {
			err = fmt.Errorf("%s: the item is not valid JSON", describeOp(op))
		}
		if err != nil {
			r.state[i], r.res[i].Status, r.res[i].Detail = stDone, StatusFailed, []string{err.Error()}
			continue
		}
		r.targets[i] = t
	}
	return r
}

// execute resolves the items of resolveFirst (a resume's unknowns), then
// sends every pending item: phase after phase, and within a phase group
// after group.
func (r *applyRun) execute(ctx context.Context, resolveFirst []int) error {
	if len(resolveFirst) > 0 {
		if err := r.resolve(ctx, resolveFirst); err != nil {
			return err
		}
	}
	var pending []int
	for i, s := range r.state {
		if s == stPending {
			pending = append(pending, i)
		}
	}
	if err := r.canonicalKeys(ctx, pending); err != nil {
		return err
	}
	for _, phase := range r.phases(pending) {
		for _, g := range r.plan(phase) {
			if err := r.runGroup(ctx, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// runGroup sends a group round after round; within a round, items whose
// outcome came back unknown are resolved, and those to send again go out
// before the next round starts.
func (r *applyRun) runGroup(ctx context.Context, g *group) error {
	for _, round := range r.rounds(g.items) {
		todo := round
		for len(todo) > 0 {
			if r.oneAtATime(g) {
				todo = todo[:min(len(todo), r.w.batchSize(r.batch))]
			}
			if err := r.takePreimage(ctx, g, todo); err != nil {
				return err
			}
			if err := r.takeSnapshot(ctx, todo); err != nil {
				return err
			}
			if err := r.sendRound(ctx, g, todo); err != nil {
				return err
			}
			var unresolved []int
			for _, i := range round {
				if r.state[i] == stUnresolved {
					unresolved = append(unresolved, i)
				}
			}
			if err := r.resolve(ctx, unresolved); err != nil {
				return err
			}
			todo = todo[:0:0]
			for _, i := range round {
				if r.state[i] == stPending {
					todo = append(todo, i)
				}
			}
		}
	}
	return nil
}

// sendRound sends items in requests of the batch size, in parallel. Each
// request goes through the client, whose limiter decides how many are out
// at once and how fast; the goroutines here only feed it. A request the
// API refused for its size comes back as two halves to send.
func (r *applyRun) sendRound(ctx context.Context, g *group, items []int) error {
	workers := max(r.w.client.Config().Concurrency, 1)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var stopMu sync.Mutex
	var stop error
	stopped := func() error {
		stopMu.Lock()
		defer stopMu.Unlock()
		return stop
	}
	var spawn func(c []int, splitFrom int)
	spawn = func(c []int, splitFrom int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if stopped() != nil || ctx.Err() != nil {
				<-sem
				return
			}
			halves, err := r.sendChunk(ctx, g, c, splitFrom)
			<-sem
			if err != nil {
				stopMu.Lock()
				if stop == nil {
					stop = err
				}
				stopMu.Unlock()
				return
			}
			for _, h := range halves {
				spawn(h, len(c))
			}
			r.ping()
		}()
	}
	for _, c := range chunks(items, r.w.batchSize(r.batch)) {
		spawn(c, 0)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		select {
		case <-r.progress:
			r.report()
		case <-done:
			r.report()
			if err := stopped(); err != nil {
				return err
			}
			return ctx.Err()
		}
	}
}

// ping tells the Apply goroutine that items got their outcome.
func (r *applyRun) ping() {
	select {
	case r.progress <- struct{}{}:
	default:
	}
}

// report calls the Progress callback, on the caller's goroutine.
func (r *applyRun) report() {
	if r.opt.Progress == nil {
		return
	}
	r.mu.Lock()
	done := 0
	for _, s := range r.state {
		if s == stDone {
			done++
		}
	}
	r.mu.Unlock()
	r.opt.Progress(done, len(r.ops))
}

// settle records an item's outcome; callers hold r.mu.
func (r *applyRun) settle(i int, res ItemResult) {
	res.Index = r.ops[i].Index
	r.res[i] = res
	r.state[i] = stDone
}

// doneResults are the outcomes known before anything is sent (ops whose
// target is unknown), for the journal.
func (r *applyRun) doneResults() []ItemResult {
	var out []ItemResult
	for i, s := range r.state {
		if s == stDone {
			out = append(out, r.res[i])
		}
	}
	return out
}

// finish turns the run's state into the result: unsent items pending,
// items whose answer is still unknown StatusUnknown with the reason and
// what resume will do. Then it brings the cache of what was written up to
// date and closes the journal with a summary.
func (r *applyRun) finish(ctx context.Context, runErr error) (ApplyResult, error) {
	r.mu.Lock()
	for i, s := range r.state {
		switch s {
		case stPending:
			r.res[i] = ItemResult{Index: r.ops[i].Index, Status: StatusPending, Detail: stoppedDetail(runErr)}
		case stInFlight, stUnresolved:
			why := r.why[i]
			if why == "" {
				why = "the apply stopped while its request was out"
			}
			r.res[i] = ItemResult{Index: r.ops[i].Index, Status: StatusUnknown,
				Detail: []string{why + "; `skynamo writes resume` finds out whether it was saved"}}
		}
	}
	r.mu.Unlock()
	r.refreshCaches(ctx, runErr)
	res := r.result("")
	if r.j != nil {
		end := journalEvent{Ev: evEnd, Counts: map[ItemStatus]int{}}
		for _, s := range []ItemStatus{StatusApplied, StatusFailed, StatusUnknown, StatusPending} {
			end.Counts[s] = res.Count(s)
		}
		if runErr != nil {
			end.Error = runErr.Error()
		}
		if err := r.j.write(end); err != nil && runErr == nil {
			runErr = err
		}
		res.Journal = r.j.path
	}
	r.report()
	return res, runErr
}

func stoppedDetail(err error) []string {
	if err == nil {
		return nil
	}
	return []string{"not sent: the apply stopped (" + err.Error() + "); `skynamo writes resume` sends it"}
}

// result copies the outcomes; pending, if not "", overrides every item not
// yet done (a run that could not start).
func (r *applyRun) result(pending ItemStatus) ApplyResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	items := make([]ItemResult, len(r.res))
	copy(items, r.res)
	if pending != "" {
		for i, s := range r.state {
			if s != stDone {
				items[i].Status = pending
			}
		}
	}
	return ApplyResult{Items: items, Requests: r.w.client.Requests() - r.start}
}

// isStop says whether err ends the whole run rather than one request.
func isStop(ctx context.Context, err error) bool {
	if ctx.Err() != nil || IsPartialStop(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ra *RetryAfterError
	return errors.As(err, &ra)
}

// sayOnce logs a message the first time key comes up in the run.
func (r *applyRun) sayOnce(key, format string, args ...any) {
	r.mu.Lock()
	first := !r.logOnce[key]
	r.logOnce[key] = true
	r.mu.Unlock()
	if first {
		r.w.logf(format, args...)
	}
}

// itemWord is "1 item" or "3 items".
func itemWord(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}
