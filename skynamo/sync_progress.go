package skynamo

import (
	"context"
	"encoding/json"
)

// SyncProgress is how far one pull has come, for a host's progress bar.
// Pages and records count what this pull received (not what the cache
// held before), so done/total and the rate describe the work in flight.
type SyncProgress struct {
	Entity string
	Mode   SyncMode
	// Pages is the list pages received so far; TotalPages what the pull
	// expects to receive (0 = not known yet: page 1 has not answered).
	// A verification that calls for more pages raises TotalPages.
	Pages, TotalPages int
	// Records is the records received so far; TotalRecords the server's
	// count of the entity when the pull started from page 1 (0 = unknown).
	Records, TotalRecords int
	// Done: the pull has ended (complete, stopped or failed); no further
	// report for this pull follows.
	Done bool
}

// report tells the Progress hook where the pull stands after a step that
// is not a run of pages (a follow-up, reconcile ranges): total is the
// pages the pull expects in all.
func (p *pull) report(total int) {
	if p.s.progress == nil {
		return
	}
	p.s.progress(SyncProgress{Entity: p.e.Name, Mode: p.res.Mode, Pages: p.res.Pages,
		TotalPages: max(total, p.res.Pages), Records: p.res.Received})
}

// pageProgress is the hook fetchPageRun calls per page received, adding
// the pages and records of the pull's earlier steps; nil when nobody
// listens, so a pull without a progress bar pays nothing.
func (p *pull) pageProgress() func(pages, total, records, totalRecords int) {
	if p.s.progress == nil {
		return nil
	}
	basePages, baseRecords := p.res.Pages, p.res.Received
	return func(pages, total, records, totalRecords int) {
		p.s.progress(SyncProgress{Entity: p.e.Name, Mode: p.res.Mode, Pages: basePages + pages,
			TotalPages: basePages + total, Records: baseRecords + records, TotalRecords: totalRecords})
	}
}

// ended counts what the pull received and tells the Progress hook that it
// is over, whatever its outcome.
func (s *Syncer) ended(p *pull) {
	s.received.Add(int64(p.res.Received))
	if s.progress != nil {
		s.progress(SyncProgress{Entity: p.e.Name, Mode: p.res.Mode, Pages: p.res.Pages, TotalPages: p.res.Pages,
			Records: p.res.Received, Done: true})
	}
}

// Received is how many records this syncer's pulls received from the API
// since it was made: with Reader.Served, what a host's end-of-run summary
// reports as pulled versus served from the cache.
func (s *Syncer) Received() int64 { return s.received.Load() }

// recordsResult is Records, also returning what the sync did, so a Reader
// can tell the records it pulled from those it served from the cache.
func (s *Syncer) recordsResult(ctx context.Context, entity string, refresh bool) ([]json.RawMessage, SyncResult, error) {
	if _, err := LookupEntity(entity); err != nil {
		return nil, SyncResult{}, err
	}
	res, syncErr := s.Sync(ctx, entity, refresh)
	records, err := s.cache.Records(entity)
	if err != nil {
		return nil, res, err
	}
	return records, res, syncErr
}
