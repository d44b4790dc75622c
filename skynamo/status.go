package skynamo

import (
	"time"
)

// EntityStatus describes one entity's cache, for `skynamo cache status`.
type EntityStatus struct {
	Entity   string
	Kind     EntityKind
	Cached   bool          // a state file exists
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
	Bytes         int64 // size of the records file
}

// Status reports every entity of the table, in table order; refresh is the
// interval after which a cache counts as stale.
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
			st.Bytes = c.fileSize(recordsKey(e.Name))
		}
		out = append(out, st)
	}
	return out, nil
}
