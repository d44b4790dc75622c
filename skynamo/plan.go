package skynamo

import (
	"fmt"
	"time"
)

// Estimate is what the next Sync of an entity is expected to cost, worked
// out from the cache state alone (for `skynamo sync --plan`).
type Estimate struct {
	Entity string
	Mode   SyncMode
	// Requests is the estimate; when Exact is false it is the least the
	// sync will send (retries and changes not yet known come on top).
	Requests int
	Exact    bool
	Why      string
}

// Plan estimates the requests the next Sync(entity, force) would send,
// without sending any. The costs are those listed on pull (sync_pull.go).
func (s *Syncer) Plan(entity string, force bool) (Estimate, error) {
	e, err := LookupEntity(entity)
	if err != nil {
		return Estimate{Entity: entity}, err
	}
	state, ok, err := s.cache.State(e.Name)
	if err != nil {
		return Estimate{Entity: e.Name}, err
	}
	now := s.now()
	est := Estimate{Entity: e.Name}
	pageSize := state.PageSize
	if pageSize < 1 || pageSize > MaxPageSize {
		pageSize = s.client.cfg.PageSize
	}
	pages := func(n int) int { return max(1, ceilDiv(n, pageSize)) }
	followUp := 0
	if e.Kind == Versioned || e.Kind == AppendOnly {
		followUp = 1 // the follow-up, or the tail check of an append-only pull
	}

	switch {
	case !ok:
		est.Mode, est.Requests = ModeFull, 1+followUp
		est.Why = fmt.Sprintf("never pulled: the number of pages is unknown until page 1 (%d records a page)", pageSize)
	case !force && s.fresh(e.Name, state, ok, now):
		est.Mode, est.Exact = ModeFresh, true
		est.Why = fmt.Sprintf("fresh: pulled %s ago, refresh interval %s", now.Sub(state.PulledAt).Round(time.Second), s.refresh)
	case !state.Complete:
		s.planUnfinished(&est, e, state, pageSize, followUp)
	case e.Kind != Versioned && (e.Kind != AppendOnly || s.reconcileDue(e, state, now) != "") && s.planRepull(&est, e, pageSize, followUp):
	case s.reconcileDue(e, state, now) != "":
		due := s.reconcileDue(e, state, now)
		if e.Kind == Versioned {
			est.Mode, est.Requests = ModeReconcile, max(1, ceilDiv(state.Count, rangeFill(pageSize)))+1
			est.Why = fmt.Sprintf("%s: %d records in ranges of %d, then the follow-up", due, state.Count, rangeFill(pageSize))
		} else {
			est.Mode, est.Requests = ModeFull, pages(state.ServerTotal)+followUp
			est.Why = fmt.Sprintf("%s: %d pages by the last known total of %d, then the tail check", due, pages(state.ServerTotal), state.ServerTotal)
		}
	case e.Kind == Versioned:
		est.Mode, est.Requests = ModeIncremental, 1
		est.Why = fmt.Sprintf("1 plus one per %d changes above version %d; a reconcile (about %d) if the count then differs",
			pageSize, state.MaxRowVersion, ceilDiv(state.Count, rangeFill(pageSize))+1)
	case e.Kind == AppendOnly:
		remaining := pages(state.ServerTotal) - pages(state.Count) + 1
		est.Mode, est.Requests = ModeResume, max(1, remaining)
		est.Why = fmt.Sprintf("from page %d, the last cached one: 1 plus one per %d new records", pages(state.Count), pageSize)
	default:
		est.Mode, est.Requests = ModeFull, pages(state.ServerTotal)
		est.Why = fmt.Sprintf("pulled whole every time: %d pages by the last known total of %d", pages(state.ServerTotal), state.ServerTotal)
	}
	return est, nil
}

// planRepull estimates, when the next pull of a complete cache is a
// re-pull of every page and an earlier one is half done, the sync that
// continues it (see Syncer.repull); false when there is none to continue.
func (s *Syncer) planRepull(est *Estimate, e Entity, pageSize, followUp int) bool {
	side, ok, err := s.cache.RepullState(e.Name)
	if err != nil || !ok || side.Next != StepPages || side.PageSize != pageSize {
		return false
	}
	s.planUnfinished(est, e, side, pageSize, followUp)
	est.Why = repullWords(side, pageSize) + "; " + est.Why
	return true
}

// planUnfinished estimates the sync that finishes an incomplete pull.
func (s *Syncer) planUnfinished(est *Estimate, e Entity, state EntityState, pageSize, followUp int) {
	pages := func(n int) int { return max(1, ceilDiv(n, pageSize)) }
	est.Mode = ModeResume
	switch {
	case state.Next == StepPages && e.Kind == AppendOnly && state.PagesDone >= 1 && len(state.Held) > 0:
		est.Requests = max(1, pages(state.ServerTotal)-state.PagesDone-len(state.Held)) + 1
		est.Why = fmt.Sprintf("resume at page %d of %d by the last known total, %d pages beyond it held, then the tail check",
			state.PagesDone+1, pages(state.ServerTotal), len(state.Held))
	case state.Next == StepPages && e.Kind == AppendOnly:
		est.Requests = max(1, pages(state.ServerTotal)-pages(state.Count)+1) + 1
		est.Why = fmt.Sprintf("resume from page %d of %d by the last known total, then the tail check", pages(state.Count), pages(state.ServerTotal))
	case state.Next == StepPages:
		est.Requests = max(1, pages(state.ServerTotal)-state.PagesDone-len(state.Held)) + followUp
		est.Why = fmt.Sprintf("resume at page %d of %d by the last known total%s", state.PagesDone+1, pages(state.ServerTotal), heldWords(state.Held))
	case state.Next == StepFollowUp && e.Kind == Versioned:
		est.Requests = 1
		est.Why = fmt.Sprintf("the follow-up above version %d: 1 plus one per %d changes", state.FollowFrom, pageSize)
	case state.Next == StepReconcile && e.Kind == Versioned:
		est.Mode = ModeReconcile
		est.Requests = max(1, ceilDiv(state.Count, rangeFill(pageSize))) + 1
		est.Why = "the reconcile the last pull could not finish, then the follow-up"
	default:
		est.Mode = ModeFull
		est.Requests = pages(state.ServerTotal) + followUp
		est.Why = fmt.Sprintf("the last pull did not finish: %d pages by the last known total of %d", pages(state.ServerTotal), state.ServerTotal)
	}
	if state.Note != "" {
		est.Why += " (" + state.Note + ")"
	}
}

func ceilDiv(a, b int) int {
	if b < 1 || a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
