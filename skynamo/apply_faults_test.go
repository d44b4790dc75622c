package skynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
// request's answer is lost it is not resent, unless the user says so.
func TestKeylessCreatesEndUnknown(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
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
