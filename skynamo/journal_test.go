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
