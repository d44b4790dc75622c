package skynamo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// killer plays a process killed mid-apply: the killAt-th write reaches the
// server (and is saved), then the journal is copied as a kill -9 would
// leave it, and from then on nothing reaches the server.
type killer struct {
	next   http.RoundTripper
	killAt int64
	onKill func()

	writes atomic.Int64
	dead   atomic.Bool
	armed  atomic.Bool
	once   sync.Once
}

var errKilled = errors.New("killed")

func (k *killer) RoundTrip(req *http.Request) (*http.Response, error) {
	if !k.armed.Load() {
		return k.next.RoundTrip(req)
	}
	if k.dead.Load() {
		return nil, errKilled
	}
	if req.Method == http.MethodGet || k.writes.Add(1) < k.killAt {
		return k.next.RoundTrip(req)
	}
	resp, err := k.next.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	k.dead.Store(true)
	k.once.Do(k.onKill)
	return nil, errKilled
}

// TestResumeAfterKill: whatever a kill leaves (requests out without their
// answer, a torn last line), a resume ends with each item applied exactly
// once.
func TestResumeAfterKill(t *testing.T) {
	for _, killAt := range []int64{1, 4, 9} {
		t.Run(fmt.Sprint("kill at write ", killAt), func(t *testing.T) {
			k := &killer{next: http.DefaultTransport, killAt: killAt}
			env := newWriteEnv(t, smallSim, writeEnvOptions{transport: k, concurrency: 4})
			keys := env.stockKeys(t, 60)
			var ops []WriteOp
			for i := range 60 {
				ops = append(ops, customerCreate(fmt.Sprintf("K%03d", i)))
			}
			for i, key := range keys {
				ops = append(ops, stockUpdate(key.product, key.unit, key.warehouse, 300+i))
			}
			ops = append(ops, taxRateCreate("Kill levy (KL)", 3))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var snapshot []byte
			k.onKill = func() {
				files, _ := filepath.Glob(filepath.Join(JournalDir(env.cfg.DataDir), "*.jsonl"))
				if len(files) != 1 {
					t.Errorf("journals %v", files)
					return
				}
				snapshot, _ = os.ReadFile(files[0])
				cancel()
			}
			k.armed.Store(true)
			res, err := env.writer.Apply(ctx, numberOps(ops), ApplyOptions{BatchSize: 10})
			if err == nil {
				t.Fatal("the killed apply reported no error")
			}
			// What the dead process left: the journal as it was at the kill,
			// with a line cut short after it.
			torn := append(snapshot, []byte(`{"ev":"result","req":3,"results":[{"ind`)...)
			if err := os.WriteFile(res.Journal, torn, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := ReadJournal(res.Journal)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Torn || st.Finished || len(st.Unresolved) == 0 {
				t.Fatalf("journal after the kill: torn %v, finished %v, unresolved %v", st.Torn, st.Finished, st.Unresolved)
			}

			k.armed.Store(false)
			res, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if n := res.Count(StatusApplied); n != len(ops) {
				for _, it := range res.Items {
					if it.Status != StatusApplied {
						t.Errorf("item %d: %s %v", it.Index, it.Status, it.Detail)
					}
				}
				t.Fatalf("%d of %d applied", n, len(ops))
			}
			counts := env.codeCounts("customers")
			for i := range 60 {
				if code := fmt.Sprintf("K%03d", i); counts[code] != 1 {
					t.Errorf("customer %s exists %d times", code, counts[code])
				}
			}
			levy := 0
			for _, r := range env.srv.Records("taxrates") {
				if r["name"] == "Kill levy (KL)" {
					levy++
				}
			}
			if levy != 1 {
				t.Errorf("the tax rate exists %d times", levy)
			}
			levels := env.stockLevels()
			for i, key := range keys {
				if levels[key] != fmt.Sprint(300+i) {
					t.Errorf("stock level %v is %s", key, levels[key])
				}
			}
			st, err = ReadJournal(res.Journal)
			if err != nil || !st.Finished || st.Torn {
				t.Fatalf("journal after the resume: %v, finished %v, torn %v", err, st.Finished, st.Torn)
			}
			// Resuming a finished journal does nothing, and says so.
			before := env.srv.Requests()
			again, err := env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
			if err != nil || again.Count(StatusApplied) != len(ops) || env.srv.Requests() != before || !env.logged("nothing to resume") {
				t.Errorf("second resume: %v, %d applied, %d requests", err, again.Count(StatusApplied), env.srv.Requests()-before)
			}
		})
	}
}

func TestJournalHoldsNoSecretAndIsPrivate(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{customerCreate("S1")}), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), env.cfg.APIKey) {
		t.Error("the journal holds the API key")
	}
	if info, _ := os.Stat(res.Journal); info.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", info.Mode().Perm())
	}
	st, err := ReadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	op := st.Ops[0]
	want := customerCreate("S1")
	if op.Entity != want.Entity || op.Kind != want.Kind || op.Method != want.Method || op.Path != want.Path ||
		string(op.Item) != string(want.Item) || op.Label != want.Label || op.NaturalKey != want.NaturalKey || op.Index != 1 {
		t.Errorf("journal op %+v, want %+v", op, want)
	}
	if len(st.Requests) != 1 || st.Requests[0].Answer != "saved" || string(st.Requests[0].Body) != "["+string(want.Item)+"]" {
		t.Errorf("requests %+v", st.Requests)
	}
}

func TestReadJournalDamage(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{customerCreate("J1"), customerCreate("J2")}), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(res.Journal)
	lines := strings.SplitAfter(string(data), "\n")

	// A line cut short at the end is what a kill leaves: ignored.
	path := filepath.Join(t.TempDir(), "torn.jsonl")
	os.WriteFile(path, []byte(strings.Join(lines[:len(lines)-2], "")+lines[len(lines)-2][:10]), 0o600)
	if st, err := ReadJournal(path); err != nil || !st.Torn {
		t.Errorf("torn last line: %v", err)
	}
	// Damage anywhere else is an error naming the file and the line.
	lines[2] = "{not json\n"
	path = filepath.Join(t.TempDir(), "damaged.jsonl")
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)
	_, err = ReadJournal(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("damaged line: %v", err)
	}
	// A journal cut short while its ops were written cannot be resumed.
	path = filepath.Join(t.TempDir(), "short.jsonl")
	os.WriteFile(path, []byte(lines[0]+lines[1]), 0o600)
	if _, err := ReadJournal(path); err == nil || !strings.Contains(err.Error(), "1 of its 2 ops") {
		t.Errorf("short journal: %v", err)
	}
}

func TestListJournalsNewestFirst(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	var paths []string
	for i := range 3 {
		res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{customerCreate(fmt.Sprint("L", i))}), ApplyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, res.Journal)
	}
	list, err := ListJournals(env.cfg.DataDir)
	if err != nil || len(list) != 3 {
		t.Fatalf("%v %+v", err, list)
	}
	for i, s := range list {
		if s.Path != paths[2-i] || !s.Finished || s.Items != 1 || s.Applied != 1 {
			t.Errorf("summary %d: %+v, want %s", i, s, paths[2-i])
		}
	}
	os.WriteFile(filepath.Join(JournalDir(env.cfg.DataDir), "99990101T000000.000Z-1.jsonl"), []byte("garbage\n"), 0o600)
	list, err = ListJournals(env.cfg.DataDir)
	if len(list) != 3 || err == nil || !strings.Contains(err.Error(), "99990101T000000.000Z-1.jsonl") {
		t.Errorf("with a damaged journal: %d listed, %v", len(list), err)
	}
}

func TestResumeRefusesAnotherInstance(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{customerCreate("I1")}), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other := newWriteEnv(t, smallSim, writeEnvOptions{})
	if _, err := other.writer.Resume(context.Background(), res.Journal, ApplyOptions{}); err == nil || !strings.Contains(err.Error(), "was written for instance") {
		t.Errorf("resume against another API base: %v", err)
	}
}

// TestOpLineMatchesEncodingJSON: the hand-written op encoder writes what
// encoding/json would, for text that needs escaping too.
func TestOpLineMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 12, 3, 17, 49, 0, 123456789, time.UTC)
	stamp, _ := json.Marshal(at)
	for _, op := range []WriteOp{
		customerCreate("C1"),
		{Index: 7, Entity: "tax_rates", Kind: KindUpdate, Method: "PATCH", Path: "/taxrates", Item: []byte("{\n  \"id\": 3\n}"),
			Label: "tax rate \"VAT <15%> & co\"\t\\ é \x01", RecordKey: "tax_rates/3", Changes: []Change{{"rate", "15", "16"}}},
		{Index: 8, Entity: "x", Kind: KindDelete, Method: "DELETE", Path: "/tasks", Item: []byte("12"), Label: "bad \xff utf-8"},
	} {
		got, err := appendOpLine(nil, stamp, op)
		if err != nil {
			t.Fatal(err)
		}
		item := op.Item
		var c bytes.Buffer
		json.Compact(&c, item)
		jo := &journalOp{Index: op.Index, Entity: op.Entity, Kind: op.Kind, Method: op.Method, Path: op.Path, Item: c.Bytes(),
			Label: op.Label, RecordKey: op.RecordKey, NaturalKey: op.NaturalKey, Changes: op.Changes}
		want, _ := json.Marshal(journalEvent{Ev: evOp, Time: at, Op: jo})
		if string(got) != string(want)+"\n" {
			t.Errorf("hand-encoded\n%s\nencoding/json\n%s", got, want)
		}
	}
}

// A write validation refused may carry no body; it is journalled as failed
// with a null item, and the journal still reads back whole.
func TestJournalKeepsInvalidWriteWithoutBody(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	invalid := WriteOp{Entity: "tasks", Kind: KindDelete, Method: http.MethodDelete, Path: "/tasks", Label: "tasks delete"}
	ops := numberOps([]WriteOp{customerCreate("V1"), invalid})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{Invalid: map[int][]string{2: {"id: required property missing"}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[0].Status != StatusApplied || res.Items[1].Status != StatusFailed {
		t.Fatalf("results %+v", res.Items)
	}
	st, err := ReadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Ops) != 2 || st.Items[1].Status != StatusFailed || strings.Join(st.Items[1].Detail, "") != "id: required property missing" {
		t.Fatalf("journal ops %+v, items %+v", st.Ops, st.Items)
	}
}

// cutAfterSend keeps a journal up to and including its first send line, as
// a kill -9 just after the request went out leaves it.
func cutAfterSend(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep strings.Builder
	for _, l := range strings.SplitAfter(string(data), "\n") {
		keep.WriteString(l)
		if strings.Contains(l, `"ev":"send"`) {
			break
		}
	}
	if err := os.WriteFile(path, []byte(keep.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A delete the killed run sent (and the API made) is applied after the
// resume, though the resend finds the record gone.
func TestResumedDeleteEndsApplied(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	id, _ := IntProp(env.srv.Records("tasks")[0], "id")
	op, probs := PrepareWrite(WriteRequest{Kind: KindDelete, Entity: "tasks", Record: map[string]any{"id": id}}, nil)
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{op}), ApplyOptions{})
	if err != nil || res.Items[0].Status != StatusApplied {
		t.Fatal(err, res.Items)
	}
	cutAfterSend(t, res.Journal)
	res, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if it := res.Items[0]; it.Status != StatusApplied {
		t.Errorf("the delete the first run made ends %s %v after the resume", it.Status, it.Detail)
	}
}

// A resume takes the preimage its pending creates need, though an update
// of the same entity was applied before the stop.
func TestResumeTakesPreimageAfterAppliedUpdate(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	id, _ := IntProp(env.srv.Records("taxrates")[0], "id")
	patch := WriteOp{Entity: "tax_rates", Kind: KindUpdate, Method: http.MethodPatch, Path: "/taxrates",
		Item: json.RawMessage(fmt.Sprintf(`{"id":%d,"rate":7}`, id)), RecordKey: fmt.Sprintf("tax_rates:id=%d", id)}
	ops := numberOps([]WriteOp{patch, taxRateCreate("Later levy", 1)})
	j, err := createJournal(env.writer.dir, env.cfg, ops, 10)
	if err != nil {
		t.Fatal(err)
	}
	err = j.write(journalEvent{Ev: evResult, Req: 1, Results: []ItemResult{{Index: 1, Status: StatusApplied}}})
	j.close()
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.writer.Resume(context.Background(), j.path, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatal(err, res.Items)
	}
	st, err := ReadJournal(j.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.PreImage["tax_rates"]; !ok {
		t.Errorf("the resume sent a tax rate create without a preimage")
	}
}

// shortWriter writes the first n bytes of a write and then fails, as a
// full disk does.
type shortWriter struct {
	f *os.File
	n int
}

func (s shortWriter) Write(p []byte) (int, error) {
	n, _ := s.f.Write(p[:min(s.n, len(p))])
	return n, errors.New("no space left on device")
}

// A line the disk took only part of is cut off again: the next line starts
// on a line of its own, and the journal still reads.
func TestJournalShortWriteLeavesNoFragment(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	j, err := createJournal(env.writer.dir, env.cfg, numberOps([]WriteOp{customerCreate("S1")}), 10)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	j.w = shortWriter{f: j.f, n: 7}
	if err := j.write(journalEvent{Ev: evResult, Results: []ItemResult{{Index: 1, Status: StatusApplied}}}); err == nil {
		t.Fatal("the short write reported no error")
	}
	j.w = j.f
	if err := j.write(journalEvent{Ev: evResult, Results: []ItemResult{{Index: 1, Status: StatusFailed}}}); err != nil {
		t.Fatal(err)
	}
	st, err := ReadJournal(j.path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Torn || st.Items[0].Status != StatusFailed {
		t.Errorf("torn %v, item %+v", st.Torn, st.Items[0])
	}
}

// A journal that cannot be created whole is not created at all: no empty
// or half-written file is left for a list or a resume to stumble on.
func TestCreateJournalAllOrNothing(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	dir := env.writer.dir
	bad := customerCreate("B1")
	bad.Item = json.RawMessage("{\n\"code\": ") // cannot be compacted onto one line
	if _, err := createJournal(dir, env.cfg, numberOps([]WriteOp{customerCreate("B0"), bad}), 10); err == nil {
		t.Fatal("no error for an op that cannot be journalled")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	// Temporary journals a killed process left are removed after a day.
	old := filepath.Join(dir, journalTempPrefix+"old"+journalTempSuffix)
	young := filepath.Join(dir, journalTempPrefix+"young"+journalTempSuffix)
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, []byte(`{"ev":"start"`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-25 * time.Hour)
	os.Chtimes(old, past, past)
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{customerCreate("B2")}), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the day-old temporary journal is still there (%v)", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("the young temporary journal was removed: %v", err)
	}
	list, err := ListJournals(env.cfg.DataDir)
	if err != nil || len(list) != 1 || list[0].Path != res.Journal {
		t.Errorf("journals %+v, %v; want only %s", list, err, res.Journal)
	}
}
