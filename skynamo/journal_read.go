package skynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// JournalState is what a journal says of its apply: the ops, each item's
// outcome as far as it was recorded, and the requests sent.
type JournalState struct {
	Path      string
	Started   time.Time
	Instance  string
	APIBase   string
	BatchSize int
	Ops       []WriteOp
	// Items holds one result per op, in queue order. Items never sent are
	// StatusPending; items sent whose answer is not recorded are
	// StatusUnknown and listed in Unresolved.
	Items []ItemResult
	// Unresolved are the Index values of items sent whose outcome is not
	// known yet: Resume looks them up or sends them again.
	Unresolved []int
	Requests   []JournalRequest
	// PreImage: per entity, ids that had the natural keys of the run's
	// creates before they were sent.
	PreImage map[string][]int64
	// Snapshot: per entity, every id it had before the run's first create
	// without a natural key was sent (keyless.go).
	Snapshot map[string][]int64
	Runs     int       // the apply and each resume
	Ended    time.Time // the last run's end; zero if it was killed
	Error    string    // what stopped the last run, if anything
	// Finished: every item has its outcome (applied, failed, or unknown
	// after a lookup was not possible): nothing is pending or in flight.
	Finished bool
	// Torn: the last line was cut short by a kill and is ignored.
	Torn bool
}

// JournalRequest is one request a journal recorded.
type JournalRequest struct {
	ID     int64
	Time   time.Time
	Method string
	Path   string
	Items  []int // op Index values
	Body   json.RawMessage
	Answer string // "" when none was recorded
}

// JournalSummary is one line of `skynamo writes status`.
type JournalSummary struct {
	Path                                     string
	Started                                  time.Time
	Finished                                 bool
	Items, Applied, Failed, Unknown, Pending int
}

// ReadJournal reads a journal. A torn last line is ignored; any other
// damage is an error naming the file and the line.
func ReadJournal(path string) (*JournalState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	st := &JournalState{Path: path, PreImage: map[string][]int64{}, Snapshot: map[string][]int64{}}
	keep := lastNewline(data)
	st.Torn = keep < len(data)
	lines := bytes.Split(data[:keep], []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	r := journalReader{st: st, pos: map[int]int{}, inFlight: map[int]bool{}, reqs: map[int64]int{}}
	for n, line := range lines {
		var ev journalEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("journal %s line %d is damaged: %v", path, n+1, err)
		}
		if err := r.apply(ev); err != nil {
			return nil, fmt.Errorf("journal %s line %d: %v", path, n+1, err)
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("journal %s is empty", path)
	}
	if len(st.Ops) != r.count {
		return nil, fmt.Errorf("journal %s holds %d of its %d ops: it was cut short while being created", path, len(st.Ops), r.count)
	}
	st.Finished = true
	for i, res := range st.Items {
		if r.inFlight[i] {
			st.Items[i] = ItemResult{Index: res.Index, Status: StatusUnknown,
				Detail: []string{"sent, but its outcome is not recorded; `skynamo writes resume` finds out whether it was saved"}}
			st.Unresolved = append(st.Unresolved, res.Index)
			st.Finished = false
		}
		if st.Items[i].Status == StatusPending {
			st.Finished = false
		}
	}
	return st, nil
}

// journalReader replays events into a JournalState.
type journalReader struct {
	st       *JournalState
	count    int
	pos      map[int]int // op Index -> position
	inFlight map[int]bool
	reqs     map[int64]int // request id -> position in st.Requests
}

func (r *journalReader) item(index int) (int, error) {
	i, ok := r.pos[index]
	if !ok {
		return 0, fmt.Errorf("names item %d, which the journal does not hold", index)
	}
	return i, nil
}

func (r *journalReader) apply(ev journalEvent) error {
	st := r.st
	if st.Started.IsZero() && ev.Ev != evStart {
		return errors.New("the journal does not begin with its start line")
	}
	switch ev.Ev {
	case evStart:
		if !st.Started.IsZero() {
			return errors.New("a second start line")
		}
		if ev.Version != journalVersion {
			return fmt.Errorf("journal format %d; this program reads format %d", ev.Version, journalVersion)
		}
		st.Started, st.Instance, st.APIBase, st.BatchSize, r.count = ev.Time, ev.Instance, ev.APIBase, ev.BatchSize, ev.Count
		st.Runs = 1
	case evOp:
		if ev.Op == nil {
			return errors.New("an op line without its op")
		}
		if _, dup := r.pos[ev.Op.Index]; dup {
			return fmt.Errorf("item %d is listed twice", ev.Op.Index)
		}
		r.pos[ev.Op.Index] = len(st.Ops)
		st.Ops = append(st.Ops, ev.Op.writeOp())
		st.Items = append(st.Items, ItemResult{Index: ev.Op.Index, Status: StatusPending})
	case evSend:
		for _, idx := range ev.Items {
			i, err := r.item(idx)
			if err != nil {
				return err
			}
			r.inFlight[i] = true
		}
		r.reqs[ev.Req] = len(st.Requests)
		st.Requests = append(st.Requests, JournalRequest{ID: ev.Req, Time: ev.Time, Method: ev.Method, Path: ev.Path, Items: ev.Items, Body: ev.Body})
	case evResult, evResolve:
		if k, ok := r.reqs[ev.Req]; ok && ev.Ev == evResult && ev.Req != 0 {
			st.Requests[k].Answer = ev.Answer
		}
		for _, res := range ev.Results {
			i, err := r.item(res.Index)
			if err != nil {
				return err
			}
			st.Items[i] = res
			delete(r.inFlight, i)
		}
		for _, idx := range ev.Unresolved {
			i, err := r.item(idx)
			if err != nil {
				return err
			}
			r.inFlight[i] = true // sent, outcome unknown: the same to a resume
		}
		for _, idx := range ev.Pending {
			i, err := r.item(idx)
			if err != nil {
				return err
			}
			st.Items[i] = ItemResult{Index: idx, Status: StatusPending}
			delete(r.inFlight, i)
		}
	case evPreimage:
		st.PreImage[ev.Entity] = ev.IDs
	case evSnapshot:
		st.Snapshot[ev.Entity] = ev.IDs
	case evEnd:
		st.Ended, st.Error = ev.Time, ev.Error
	case evResume:
		st.Runs++
		st.Ended, st.Error = time.Time{}, ""
	default:
		return fmt.Errorf("unknown event %q", ev.Ev)
	}
	return nil
}

// Summary counts the items by outcome.
func (st *JournalState) Summary() JournalSummary {
	s := JournalSummary{Path: st.Path, Started: st.Started, Finished: st.Finished, Items: len(st.Items)}
	for _, it := range st.Items {
		switch it.Status {
		case StatusApplied:
			s.Applied++
		case StatusFailed:
			s.Failed++
		case StatusUnknown:
			s.Unknown++
		case StatusPending:
			s.Pending++
		}
	}
	return s
}

// ListJournals summarises the journals under dataDir, newest first. A
// damaged journal is left out and named in the error; the others are
// still returned.
func ListJournals(dataDir string) ([]JournalSummary, error) {
	dir := JournalDir(dataDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".jsonl") {
			names = append(names, e.Name())
		}
	}
	var out []JournalSummary
	var errs []error
	for _, name := range names {
		st, err := ReadJournal(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, st.Summary())
	}
	// Names start with the start time to the millisecond; two applies in
	// one millisecond are told apart by the start line's full time.
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].Started.Equal(out[b].Started) {
			return out[a].Started.After(out[b].Started)
		}
		return out[a].Path > out[b].Path
	})
	return out, errors.Join(errs...)
}
