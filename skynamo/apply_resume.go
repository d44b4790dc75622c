package skynamo

import (
	"context"
	"fmt"
	"os"
)

// Resume finishes the apply a journal records, without the script that
// queued it: items applied or failed stay as they are; items sent without
// a recorded outcome (the run was killed, or stopped, while they were
// out) and items that ended unknown are resolved as after a lost answer
// (looked up by natural key, sent again when idempotent, left unknown
// unless opt.ResendUnknown); items never sent are sent. It appends to the
// same journal. A journal with nothing left to do is left alone, and logf
// says so.
func (w *Writer) Resume(ctx context.Context, path string, opt ApplyOptions) (ApplyResult, error) {
	j, err := openJournal(path)
	if err != nil {
		return ApplyResult{}, err
	}
	defer j.close()
	// Read under the lock: what another run appended before is in.
	st, err := ReadJournal(path)
	if err != nil {
		return ApplyResult{}, err
	}
	cfg := w.client.Config()
	if st.Instance != cfg.Instance || st.APIBase != cfg.APIBase {
		return ApplyResult{}, fmt.Errorf("journal %s was written for instance %q at %s, not %q at %s; resume it with that instance's settings",
			path, st.Instance, st.APIBase, cfg.Instance, cfg.APIBase)
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = st.BatchSize
	}
	opt.DryRun = false
	r := w.newRun(st.Ops, opt)
	r.j = j
	for _, req := range st.Requests {
		r.reqID.Store(max(r.reqID.Load(), req.ID))
		for _, idx := range req.Items {
			if i, ok := r.pos[idx]; ok {
				r.req[i] = req.ID
			}
		}
	}
	for e, ids := range st.PreImage {
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		r.preimage[e], r.preDone[e] = set, true
	}
	for e, ids := range st.Snapshot {
		set := make(map[int64]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		r.snapshot[e], r.snapDone[e] = set, true
	}
	unresolved := map[int]bool{}
	for _, idx := range st.Unresolved {
		unresolved[idx] = true
	}
	var toResolve []int
	pending, keptUnknown := 0, 0
	for i, res := range st.Items {
		op := st.Ops[i]
		if r.state[i] == stDone { // its target is unknown to this program
			continue
		}
		if res.Status != StatusPending && needsPreimage(op, r.targets[i]) {
			// A create that may have gone out must never get a fresh
			// preimage: its own record would hide in it. Such a create is
			// only sent after its preimage is journalled, so this holds
			// only for journals of older versions, which could send one
			// without.
			r.preDone[readEntity(op.Entity)] = true
		}
		if res.Status != StatusPending && keyless(op, r.targets[i]) && !r.snapDone[readEntity(op.Entity)] {
			// Likewise a keyless create sent without a snapshot (an older
			// journal): a fresh one would hold its record, so none is
			// taken, and its outcome cannot be counted.
			r.snapDone[readEntity(op.Entity)] = true
		}
		switch {
		case unresolved[op.Index]:
			// Sent and its answer lost: a DELETE's resend may find the
			// record gone because that send deleted it.
			r.state[i], r.why[i], r.lost[i] = stUnresolved, "the run that sent it ended before its answer was recorded", true
			toResolve = append(toResolve, i)
		case res.Status == StatusPending:
			pending++
		case res.Status == StatusUnknown && (opt.ResendUnknown || idempotent(op, r.targets[i]) || lookupable(op, r.targets[i])):
			r.state[i], r.why[i], r.lost[i] = stUnresolved, "its outcome was unknown", true
			toResolve = append(toResolve, i)
		default:
			r.settle(i, res)
			if res.Status == StatusUnknown {
				keptUnknown++
			}
		}
	}
	if pending == 0 && len(toResolve) == 0 {
		msg := fmt.Sprintf("journal %s: nothing to resume: every item has its outcome", path)
		if keptUnknown > 0 {
			msg += fmt.Sprintf(" (%s unknown: resend them with --resend-unknown once you have checked they are not in Skynamo)", itemWord(keptUnknown))
		}
		w.logf("%s", msg)
		res := r.result("")
		res.Journal = path
		return res, nil
	}
	if err := j.write(journalEvent{Ev: evResume, PID: os.Getpid(), BatchSize: opt.BatchSize}); err != nil {
		return r.result(""), err
	}
	err = r.execute(ctx, toResolve)
	return r.finish(ctx, err)
}
