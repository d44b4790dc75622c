package skynamo

import (
	"context"
	"testing"
)

// Deleted records leave the cache with the apply: the refresh after it and
// the next read pull incrementally, without a reconcile to find them gone.
func TestApplyDropsDeletedRecordsFromTheCache(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ctx := context.Background()
	if _, err := env.syncer.Sync(ctx, "tasks", true); err != nil {
		t.Fatal(err)
	}
	var ops []WriteOp
	gone := map[int64]bool{}
	for _, rec := range env.srv.Records("tasks")[:2] {
		id, _ := IntProp(rec, "id")
		gone[id] = true
		op, probs := PrepareWrite(WriteRequest{Kind: KindDelete, Entity: "tasks", Record: map[string]any{"id": id}}, nil)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		ops = append(ops, op)
	}
	env.srv.ResetRequests()
	res, err := env.writer.Apply(ctx, numberOps(ops), ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatal(err, res.Items)
	}
	// One delete request and one incremental pull.
	if n := env.srv.Requests(); n != 2 {
		t.Errorf("the apply sent %d requests, want 2 (no reconcile)", n)
	}
	env.srv.ResetRequests()
	recs, err := env.reader.Read(ctx, "tasks", ReadOptions{Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := env.srv.RequestsFor("/tasks"); n != 1 {
		t.Errorf("the next read sent %d requests, want 1 (no reconcile)", n)
	}
	if len(recs) != len(env.srv.Records("tasks")) {
		t.Errorf("read %d tasks, the server has %d", len(recs), len(env.srv.Records("tasks")))
	}
	for _, rec := range recs {
		if id, _ := IntProp(rec.Props, "id"); gone[id] {
			t.Errorf("deleted task %d is still read", id)
		}
	}
}

func TestDeletedID(t *testing.T) {
	for item, want := range map[string]int64{`5`: 5, ` 12 `: 12, `{"id":7,"level":""}`: 7, `"INV-1"`: 0, `"123"`: 0, `{"product_id":1}`: 0} {
		if got := deletedID([]byte(item)); got != want {
			t.Errorf("deletedID(%s) = %d, want %d", item, got, want)
		}
	}
}
