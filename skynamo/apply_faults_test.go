package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"skynamo/skynamo/sim"
)

// TestApplyUnderFaultsNeverDuplicates: with 10% 502s, 10% throttling and
// 10% of saved writes answered 502 or with a dropped connection, every
// item ends applied and none exists twice.
func TestApplyUnderFaultsNeverDuplicates(t *testing.T) {
	opts := smallSim
	opts.Seed = 11
	env := newWriteEnv(t, opts, writeEnvOptions{})
	keys := env.stockKeys(t, 300)
	var ops []WriteOp
	for i := range 300 {
		ops = append(ops, customerCreate(fmt.Sprintf("F%03d", i)))
	}
	for i, k := range keys {
		ops = append(ops, stockUpdate(k.product, k.unit, k.warehouse, 7000+i))
	}
	for i := range 3 {
		ops = append(ops, taxRateCreate(fmt.Sprintf("Levy %d (L%d)", i, i), 5+i))
	}
	ids := map[int64]bool{}
	for _, c := range env.srv.Records("customers")[:20] {
		id, _ := IntProp(c, "id")
		ids[id] = true
		ops = append(ops, customerPatch(id, fmt.Sprintf("Patched %d", id)))
	}
	env.srv.SetFaults(sim.Faults{FailRate: 0.1, ThrottleRate: 0.1})
	b := opts.Behaviour
	b.CommitThenFail = 0.1
	env.srv.SetBehaviour(b)

	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 20})
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
	if env.srv.CommittedThenFailed() == 0 {
		t.Fatal("no write was saved and then failed: the test proves nothing")
	}
	counts := env.codeCounts("customers")
	for i := range 300 {
		if code := fmt.Sprintf("F%03d", i); counts[code] != 1 {
			t.Errorf("customer %s exists %d times", code, counts[code])
		}
	}
	names := map[string]int{}
	for _, r := range env.srv.Records("taxrates") {
		names[r["name"].(string)]++
	}
	for i := range 3 {
		if n := names[fmt.Sprintf("Levy %d (L%d)", i, i)]; n != 1 {
			t.Errorf("tax rate %d exists %d times", i, n)
		}
	}
	levels := env.stockLevels()
	for i, k := range keys {
		if levels[k] != fmt.Sprint(7000+i) {
			t.Errorf("stock level %v is %s", k, levels[k])
		}
	}
	// Every item found after a lost answer carries the id the server gave it.
	for i, it := range res.Items[:300] {
		if it.ID == 0 || it.Code != fmt.Sprintf("F%03d", i) {
			t.Errorf("item %d: %+v", it.Index, it)
		}
	}
}

// TestKeylessCreatesEndUnknown: a contact has no natural key, so when its
// request's answer is lost and another program's contacts blur the count
// of new ones, it is not resent, unless the user says so.
func TestKeylessCreatesEndUnknown(t *testing.T) {
	hook := &insertAfterPost{next: http.DefaultTransport, path: "/contacts", coll: "contacts", n: 1}
	env := newWriteEnv(t, smallSim, writeEnvOptions{transport: hook})
	hook.srv = env.srv
	code := env.srv.Records("customers")[0]["code"].(string)
	var ops []WriteOp
	for i := range 5 {
		ops = append(ops, contactCreate(code, fmt.Sprintf("Keyless %d", i)))
	}
	b := smallSim.Behaviour
	b.CommitThenFail = 1
	env.srv.SetBehaviour(b)
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(StatusUnknown) != 5 {
		t.Fatalf("items %+v, want all unknown", res.Items)
	}
	if d := strings.Join(res.Items[0].Detail, " "); !strings.Contains(d, "resend_unknown=true") || !strings.Contains(d, "--resend-unknown") {
		t.Errorf("detail %q does not say how to resend", d)
	}
	if n := contactsNamed(env, "Keyless"); n != 5 {
		t.Fatalf("%d contacts saved, want 5 (each once, the answer lost)", n)
	}

	// Resume without the user's word does nothing, and says so.
	again, err := env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
	if err != nil || again.Count(StatusUnknown) != 5 || !env.logged("nothing to resume") {
		t.Fatalf("%v %+v %q", err, again.Items, env.logs)
	}

	// With the user's word they are sent again (here: duplicated, which is
	// why it takes the user's word).
	b.CommitThenFail = 0
	env.srv.SetBehaviour(b)
	again, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{ResendUnknown: true})
	if err != nil || again.Count(StatusApplied) != 5 {
		t.Fatalf("%v %+v", err, again.Items)
	}
	if n := contactsNamed(env, "Keyless"); n != 10 {
		t.Errorf("%d contacts, want 10", n)
	}
}

func TestApplyResendUnknownSendsAgain(t *testing.T) {
	opts := smallSim
	opts.Seed = 5
	env := newWriteEnv(t, opts, writeEnvOptions{})
	code := env.srv.Records("customers")[0]["code"].(string)
	var ops []WriteOp
	for i := range 40 {
		ops = append(ops, contactCreate(code, fmt.Sprintf("Again %d", i)))
	}
	b := opts.Behaviour
	b.CommitThenFail = 0.3
	env.srv.SetBehaviour(b)
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 4, ResendUnknown: true})
	if err != nil {
		t.Fatal(err)
	}
	if env.srv.CommittedThenFailed() == 0 {
		t.Fatal("no answer was lost")
	}
	// Each lost answer was sent again, up to maxSends times; this seed's
	// faults come in a run long enough to exhaust that for some.
	if res.Count(StatusApplied)+res.Count(StatusUnknown) != 40 || res.Count(StatusApplied) < 30 {
		t.Fatalf("%d applied, %d unknown", res.Count(StatusApplied), res.Count(StatusUnknown))
	}
	for _, it := range res.Items {
		if it.Status == StatusUnknown && !strings.Contains(strings.Join(it.Detail, " "), fmt.Sprintf("sent %d times", maxSends)) {
			t.Errorf("item %d: %v", it.Index, it.Detail)
		}
	}
	b.CommitThenFail = 0
	env.srv.SetBehaviour(b)
	res, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{ResendUnknown: true})
	if err != nil || res.Count(StatusApplied) != 40 {
		t.Fatalf("resume: %v, %d applied", err, res.Count(StatusApplied))
	}
}

func contactsNamed(env *writeEnv, prefix string) int {
	n := 0
	for _, c := range env.srv.Records("contacts") {
		if s, _ := c["name"].(string); strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestQuotaStopsApplyAndResumeFinishes: the quota stops the apply with the
// unsent items pending; a resume once the quota is back sends them, and
// nothing exists twice.
func TestQuotaStopsApplyAndResumeFinishes(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{concurrency: 1})
	var ops []WriteOp
	for i := range 100 {
		ops = append(ops, customerCreate(fmt.Sprintf("Q%03d", i)))
	}
	env.srv.SetFaults(sim.Faults{QuotaLimit: 3})
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 10})
	if !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("error %v, want the quota", err)
	}
	if res.Count(StatusApplied) != 30 || res.Count(StatusPending) != 70 {
		t.Fatalf("%d applied, %d pending, %d unknown", res.Count(StatusApplied), res.Count(StatusPending), res.Count(StatusUnknown))
	}
	st, err := ReadJournal(res.Journal)
	if err != nil || st.Finished || st.Summary().Pending != 70 || !strings.Contains(st.Error, "Limit Exceeded") {
		t.Fatalf("%v %+v", err, st.Summary())
	}

	env.srv.SetFaults(sim.Faults{})
	res, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 100 {
		t.Fatalf("%v: %d applied", err, res.Count(StatusApplied))
	}
	counts := env.codeCounts("customers")
	for i := range 100 {
		if code := fmt.Sprintf("Q%03d", i); counts[code] != 1 {
			t.Errorf("customer %s exists %d times", code, counts[code])
		}
	}
	st, _ = ReadJournal(res.Journal)
	if !st.Finished || st.Runs != 2 {
		t.Errorf("journal after resume: finished %v, runs %d", st.Finished, st.Runs)
	}
}

// throttleFirst answers the first request of method with 429 Too Many
// Requests, as the gateway does: the API never sees it.
type throttleFirst struct {
	next   http.RoundTripper
	method string
	done   atomic.Bool
}

func (tf *throttleFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == tf.method && tf.done.CompareAndSwap(false, true) {
		return &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"message":"Too Many Requests"}`)), Request: req}, nil
	}
	return tf.next.RoundTrip(req)
}

// A delete the API refuses for a missing record after a throttled first
// attempt failed: the throttled attempt deleted nothing.
func TestDeleteRefusedAfterThrottleFails(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{transport: &throttleFirst{next: http.DefaultTransport, method: http.MethodDelete}})
	op := WriteOp{Entity: "tasks", Kind: KindDelete, Method: http.MethodDelete, Path: "/tasks", Item: json.RawMessage("987654321"),
		Label: "task id 987654321", RecordKey: "tasks:id=987654321"}
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{op}), ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if it := res.Items[0]; it.Status != StatusFailed {
		t.Errorf("a delete of a task that never existed ends %s %v", it.Status, it.Detail)
	}
}

// failGets answers every GET of path with 500.
type failGets struct {
	next http.RoundTripper
	path string
}

func (f failGets) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, f.path) {
		return &http.Response{StatusCode: http.StatusInternalServerError, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"message":"Internal Server Error"}`)), Request: req}, nil
	}
	return f.next.RoundTrip(req)
}

// The names a create's lost answer is looked up by are taken from the
// server as they are now, not from a cache a refresh interval old.
func TestPreimageIsFresh(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ctx := context.Background()
	if _, err := env.syncer.Records(ctx, "tax_rates", true); err != nil {
		t.Fatal(err)
	}
	// Another program adds a rate of the name after the cache was pulled.
	data, err := env.client.Send(ctx, http.MethodPost, "/taxrates", nil, []byte(`[{"name":"Fresh levy","rate":2}]`))
	if err != nil {
		t.Fatal(err)
	}
	other := postEntries(data)[0].ID
	res, err := env.writer.Apply(ctx, numberOps([]WriteOp{taxRateCreate("Fresh levy", 2)}), ApplyOptions{})
	if err != nil || res.Items[0].Status != StatusApplied {
		t.Fatal(err, res.Items)
	}
	st, err := ReadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if ids := st.PreImage["tax_rates"]; !slices.Contains(ids, other) {
		t.Errorf("preimage %v lacks tax rate %d, which had the name before the apply", ids, other)
	}
}

// Without the preimage a lost answer could be matched to an older record
// of the name: the apply stops before sending such a create.
func TestPreimageFailureStopsBeforeTheCreate(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{transport: failGets{next: http.DefaultTransport, path: "/taxrates"}})
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{taxRateCreate("Blind levy", 2)}), ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("apply error %v, want the failed read", err)
	}
	if it := res.Items[0]; it.Status != StatusPending {
		t.Errorf("item %s %v, want pending", it.Status, it.Detail)
	}
	if n := countNamed(env.srv.Records("taxrates"), "Blind levy"); n != 0 {
		t.Errorf("the create was sent (%d)", n)
	}
}

func countNamed(records []map[string]any, name string) int {
	n := 0
	for _, r := range records {
		if r["name"] == name {
			n++
		}
	}
	return n
}
