package skynamo

import (
	"context"
	"strings"
	"testing"

	"skynamo/skynamo/sim"
)

// A misspelt form name is refused from the form definitions alone: the
// completed forms, the costly pull, are not asked for.
func TestReadFormNameCheckedBeforeThePull(t *testing.T) {
	env := newWriteEnv(t, sim.Options{Seed: 3, Customers: 20, Orders: 40}, writeEnvOptions{})
	ctx := context.Background()
	_, err := env.reader.Read(ctx, "completed_forms", ReadOptions{Form: "Store Vist"})
	if err == nil || !strings.Contains(err.Error(), `no form is named "Store Vist"; did you mean "Store Visit"`) {
		t.Fatalf("err = %v", err)
	}
	if n := env.srv.RequestsFor("/completedforms"); n != 0 {
		t.Fatalf("%d requests for completed forms before the name was checked", n)
	}
	recs, err := env.reader.Read(ctx, "completed_forms", ReadOptions{Form: "store visit"})
	if err != nil || len(recs) == 0 {
		t.Fatalf("a name differing in case: %d records, %v", len(recs), err)
	}
	first, _ := IntProp(recs[0].Props, "form_id")
	for _, r := range recs {
		if id, _ := IntProp(r.Props, "form_id"); id != first || id == 0 {
			t.Fatalf("results of forms %d and %d in one read", first, id)
		}
	}
}
