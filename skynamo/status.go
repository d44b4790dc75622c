package skynamo

import (
	"time"
)

// EntityStatus describes one entity's cache, for `skynamo cache status`.
type EntityStatus struct {
	Entity   string
	Kind     EntityKind
	Cached   bool          // a cache file exists
	Count    int           // records cached
	PulledAt time.Time     // end of the last pull
	Age      time.Duration // now - PulledAt
	// Stale: the next read pulls (older than the refresh interval, or the
	// last pull stopped early).
	Stale         bool
	Complete      bool
	Mode          SyncMode
	Requests      int64 // requests the last pull sent
	MaxRowVersion int64
	// LastFullPull is when every record was last read and the count
	// verified (a full pull or a reconcile); zero if never.
	LastFullPull time.Time
	// Note says, for an incomplete pull, why it stopped and what the next
	// pull does ("stopped by the quota after 12 pages; the next pull
	// resumes at page 13").
	Note string
	// Repull says that a re-pull of this complete cache stopped early and
	// the next pull continues it ("a re-pull is half done: 12 pages
	// held"); "" if none. The records above are still the complete copy.
	Repull string
	Bytes  int64 // size of the cache file
}

// Status reports every entity of the table, in table order; refresh is the
// interval after which a cache counts as stale. It reads only the first
// line of each cache file.
func (c *Cache) Status(now time.Time, refresh time.Duration) ([]EntityStatus, error) {
	var out []EntityStatus
	for _, e := range entityTable() {
		st := EntityStatus{Entity: e.Name, Kind: e.Kind, Stale: true}
		state, ok, err := c.State(e.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			st.Cached = true
			st.Count = state.Count
			st.PulledAt = state.PulledAt
			st.Age = now.Sub(state.PulledAt)
			st.Complete = state.Complete
			st.Stale = !state.Complete || st.Age >= refresh
			st.Mode = state.Mode
			st.Requests = state.Requests
			st.MaxRowVersion = state.MaxRowVersion
			st.LastFullPull = state.LastFullPull
			st.Note = state.Note
			st.Bytes = c.fileSize(entityKey(e.Name))
			if side, ok, err := c.RepullState(e.Name); err == nil && ok && state.Complete {
				pageSize := side.PageSize
				if pageSize < 1 {
					pageSize = MaxPageSize
				}
				st.Repull = repullWords(side, pageSize)
				if side.Note != "" {
					st.Repull += " (" + side.Note + ")"
				}
				if st.Note == "" {
					st.Note = st.Repull
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
