package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"skynamo/skynamo/sim"
)

// taskCreate is a task create as PrepareWrite makes it: tasks have no
// natural key. A bad due date makes the API refuse it.
func taskCreate(user, description string, bad bool) WriteOp {
	due := "2025-03-10T09:00:00Z"
	if bad {
		due = "next week"
	}
	return WriteOp{Entity: "tasks", Kind: KindCreate, Method: http.MethodPost, Path: "/tasks",
		Item: json.RawMessage(fmt.Sprintf(`{"description":%q,"due_date":%q,"assigned_user_name":%q,"anytime":true}`,
			description, due, user)),
		Label: fmt.Sprintf("task %q", description)}
}

// keylessTasks queues n tasks named prefix+i; the one at bad (if >= 0)
// is invalid.
func keylessTasks(env *writeEnv, prefix string, n, bad int) []WriteOp {
	user := env.srv.Records("users")[0]["user_name"].(string)
	ops := make([]WriteOp, n)
	for i := range ops {
		ops[i] = taskCreate(user, fmt.Sprintf("%s %02d", prefix, i), i == bad)
	}
	return numberOps(ops)
}

// tasksByDescription counts the simulator's tasks per description and
// notes their ids.
func tasksByDescription(env *writeEnv, prefix string) (map[string]int, map[string]int64) {
	counts, ids := map[string]int{}, map[string]int64{}
	for _, r := range env.srv.Records("tasks") {
		if d, _ := r["description"].(string); strings.HasPrefix(d, prefix) {
			counts[d]++
			ids[d], _ = IntProp(r, "id")
		}
	}
	return counts, ids
}

// checkOnce fails unless every valid task exists exactly once and the bad
// one not at all.
func checkOnce(t *testing.T, env *writeEnv, prefix string, n, bad int) map[string]int64 {
	t.Helper()
	counts, ids := tasksByDescription(env, prefix)
	for i := range n {
		d, want := fmt.Sprintf("%s %02d", prefix, i), 1
		if i == bad {
			want = 0
		}
		if counts[d] != want {
			t.Errorf("task %q exists %d times, want %d", d, counts[d], want)
		}
	}
	return ids
}

// A 400 that rejected the whole request saved nothing: the count shows no
// new task, the valid ones are sent again, and the path remembers it.
func TestKeylessRejectedRequestIsSentAgain(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ops := keylessTasks(env, "Whole", 50, 17)
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(StatusApplied) != 49 || res.Count(StatusFailed) != 1 || res.Items[17].Status != StatusFailed {
		t.Fatalf("%d applied, %d failed, %d unknown: %+v", res.Count(StatusApplied), res.Count(StatusFailed), res.Count(StatusUnknown), res.Items)
	}
	ids := checkOnce(t, env, "Whole", 50, 17)
	for i, it := range res.Items {
		if i != 17 && it.ID != ids[fmt.Sprintf("Whole %02d", i)] {
			t.Errorf("item %d has id %d, the server %d", it.Index, it.ID, ids[fmt.Sprintf("Whole %02d", i)])
		}
	}
	if !env.writer.rejectsValid("/tasks") {
		t.Error("the writer did not learn that a 400 on /tasks saves nothing")
	}
	st, err := ReadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Snapshot["tasks"]; !ok {
		t.Error("the journal holds no snapshot of tasks")
	}
}

// A 400 whose valid items were saved: the count shows exactly them, they
// end applied with their ids, and nothing is sent twice.
func TestKeylessSavedValidItemsAreCounted(t *testing.T) {
	opts := smallSim
	opts.ApplyValidOnError = true
	env := newWriteEnv(t, opts, writeEnvOptions{})
	ops := keylessTasks(env, "Valid", 50, 3)
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(StatusApplied) != 49 || res.Count(StatusFailed) != 1 {
		t.Fatalf("%d applied, %d failed, %d unknown: %+v", res.Count(StatusApplied), res.Count(StatusFailed), res.Count(StatusUnknown), res.Items)
	}
	ids := checkOnce(t, env, "Valid", 50, 3)
	for i, it := range res.Items {
		if i != 3 && it.ID != ids[fmt.Sprintf("Valid %02d", i)] {
			t.Errorf("item %d has id %d, the server %d", it.Index, it.ID, ids[fmt.Sprintf("Valid %02d", i)])
		}
	}
	if !strings.Contains(strings.Join(res.Items[0].Detail, " "), "counted on the server") {
		t.Errorf("detail %v does not say how it was found", res.Items[0].Detail)
	}
}

// Answers lost after the API saved single-task requests: each is counted
// as saved, none is sent twice.
func TestKeylessLostAnswersAreCounted(t *testing.T) {
	opts := smallSim
	opts.Seed = 7
	env := newWriteEnv(t, opts, writeEnvOptions{})
	ops := keylessTasks(env, "Lost", 20, -1)
	b := opts.Behaviour
	b.CommitThenFail = 0.4
	env.srv.SetBehaviour(b)
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if env.srv.CommittedThenFailed() == 0 {
		t.Fatal("no answer was lost: the test proves nothing")
	}
	if res.Count(StatusApplied) != 20 {
		t.Fatalf("%d applied, %d unknown: %+v", res.Count(StatusApplied), res.Count(StatusUnknown), res.Items)
	}
	checkOnce(t, env, "Lost", 20, -1)
}

// insertAfterPost has another program create n records of collection
// right after the first POST to path answers.
type insertAfterPost struct {
	next       http.RoundTripper
	srv        *sim.Server
	path, coll string
	n          int
	done       atomic.Bool
}

func (h *insertAfterPost) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.next.RoundTrip(req)
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, h.path) && h.done.CompareAndSwap(false, true) {
		h.srv.Mutate(h.coll, h.n, 0, 0)
	}
	return resp, err
}

// Another program creating tasks meanwhile blurs the count: the items end
// unknown, saying what was seen, and nothing is duplicated.
func TestKeylessCountBlurredByAnotherWriter(t *testing.T) {
	for _, saveValid := range []bool{false, true} {
		t.Run(fmt.Sprint("ApplyValidOnError=", saveValid), func(t *testing.T) {
			opts := smallSim
			opts.ApplyValidOnError = saveValid
			hook := &insertAfterPost{next: http.DefaultTransport, path: "/tasks", coll: "tasks", n: 1}
			env := newWriteEnv(t, opts, writeEnvOptions{transport: hook})
			hook.srv = env.srv
			ops := keylessTasks(env, "Blur", 10, 4)
			res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Count(StatusUnknown) != 9 || res.Count(StatusFailed) != 1 {
				t.Fatalf("%d applied, %d failed, %d unknown: %+v", res.Count(StatusApplied), res.Count(StatusFailed), res.Count(StatusUnknown), res.Items)
			}
			if d := strings.Join(res.Items[0].Detail, " "); !strings.Contains(d, "not there before the run") || !strings.Contains(d, "--resend-unknown") {
				t.Errorf("detail %q does not say what was seen and how to resend", d)
			}
			counts, _ := tasksByDescription(env, "Blur")
			for d, n := range counts {
				if n > 1 {
					t.Errorf("task %q exists %d times", d, n)
				}
			}
		})
	}
}

// A run killed just after its keyless creates went out: the resume counts
// them on the server against the journalled snapshot and sends none again.
func TestResumeCountsKeylessCreates(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	res, err := env.writer.Apply(context.Background(), keylessTasks(env, "Killed", 5, -1), ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 5 {
		t.Fatal(err, res.Items)
	}
	cutAfterSend(t, res.Journal)
	res, err = env.writer.Resume(context.Background(), res.Journal, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count(StatusApplied) != 5 {
		t.Fatalf("%d applied, %d unknown: %+v", res.Count(StatusApplied), res.Count(StatusUnknown), res.Items)
	}
	checkOnce(t, env, "Killed", 5, -1)
}
