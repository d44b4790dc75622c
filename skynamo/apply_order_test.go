package skynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// prepared builds ops with PrepareWrite, numbered in queue order; the
// entities used here have no custom field in the request, so no schema.
func prepared(t *testing.T, reqs ...WriteRequest) []WriteOp {
	t.Helper()
	ops := make([]WriteOp, len(reqs))
	for i, rq := range reqs {
		op, probs := PrepareWrite(rq, nil)
		if len(probs) > 0 {
			t.Fatalf("request %d: %v", i+1, probs)
		}
		ops[i] = op
	}
	return numberOps(ops)
}

// requestItems lists the items of each request the journal recorded.
func requestItems(t *testing.T, journal string) [][]int {
	t.Helper()
	st, err := ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]int
	for _, rq := range st.Requests {
		out = append(out, rq.Items)
	}
	return out
}

// One product addressed by id and by code is one record: its two updates
// go in two requests, in queue order, not side by side in one.
func TestApplyOneProductByIDAndByCodeInTurn(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	p := env.srv.Records("products")[0]
	id, _ := IntProp(p, "id")
	code := p["code"].(string)
	ops := prepared(t,
		WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"id": id}, Values: map[string]any{"name": "By id"}},
		WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": code}, Values: map[string]any{"name": "By code"}})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	if got := requestItems(t, res.Journal); !slices.EqualFunc(got, [][]int{{1}, {2}}, slices.Equal) {
		t.Errorf("requests %v, want item 1 then item 2", got)
	}
	for _, r := range env.srv.Records("products") {
		if n, _ := IntProp(r, "id"); n == id && r["name"] != "By code" {
			t.Errorf("product %d is named %v, want the later update's name", id, r["name"])
		}
	}
}

// The same for a stock level addressed by ids and by code and names.
func TestApplyOneStockLevelByIDsAndByNamesInTurn(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	p := env.srv.Records("products")[0]
	pid, _ := IntProp(p, "id")
	unit := p["order_units"].([]any)[0].(map[string]any)
	uid, _ := IntProp(unit, "id")
	w := env.srv.Records("warehouses")[0]
	wid, _ := IntProp(w, "id")
	ops := prepared(t,
		WriteRequest{Kind: KindUpdate, Entity: "stock_levels",
			Record: map[string]any{"product_id": pid, "order_unit_id": uid, "warehouse_id": wid}, Values: map[string]any{"level": int64(11)}},
		WriteRequest{Kind: KindUpdate, Entity: "stock_levels",
			Record: map[string]any{"product_code": p["code"], "order_unit_name": unit["name"], "warehouse_name": w["name"]}, Values: map[string]any{"level": int64(22)}})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	if got := requestItems(t, res.Journal); !slices.EqualFunc(got, [][]int{{1}, {2}}, slices.Equal) {
		t.Errorf("requests %v, want item 1 then item 2", got)
	}
	if got := env.stockLevels()[stockKey{p["code"].(string), unit["name"].(string), wid}]; got != "22" {
		t.Errorf("level %s, want the later write's 22", got)
	}
}

// A batch that addresses each entity one way pays nothing for the check:
// no read beyond the writes themselves.
func TestApplyOneKeySchemeReadsNothing(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	var ops []WriteOp
	for i, k := range env.stockKeys(t, 30) {
		ops = append(ops, stockUpdate(k.product, k.unit, k.warehouse, i))
	}
	p := env.srv.Records("products")[0]
	ops = append(ops, prepared(t, WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": p["code"]},
		Values: map[string]any{"name": "Renamed"}})...)
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 10})
	if err != nil || res.Count(StatusApplied) != len(ops) {
		t.Fatalf("%v %+v", err, res.Items)
	}
	if sent := len(requestItems(t, res.Journal)); res.Requests != int64(sent) {
		t.Errorf("%d requests for %d write requests", res.Requests, sent)
	}
}

// A key that names no record the cache knows keeps its own form, and the
// writes still go.
func TestApplyUnresolvableKeyKeepsItsForm(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	p := env.srv.Records("products")[0]
	id, _ := IntProp(p, "id")
	ops := prepared(t,
		WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"id": id}, Values: map[string]any{"name": "A"}},
		WriteRequest{Kind: KindUpdate, Entity: "products", Record: map[string]any{"code": "NO-SUCH-CODE"}, Values: map[string]any{"name": "B"}})
	r := env.writer.newRun(ops, ApplyOptions{})
	if err := r.canonicalKeys(context.Background(), []int{0, 1}); err != nil {
		t.Fatal(err)
	}
	if r.keys[0] != fmt.Sprintf("products:id=%d", id) || r.keys[1] != "products:code=NO-SUCH-CODE" {
		t.Errorf("keys %q", r.keys)
	}
}

// Queue order on one record holds across methods: a stock level deleted
// and then set ends set.
func TestApplyDeleteThenSetOneStockLevel(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	k := env.stockKeys(t, 1)[0]
	rec := map[string]any{"product_code": k.product, "order_unit_name": k.unit, "warehouse_id": k.warehouse}
	ops := prepared(t,
		WriteRequest{Kind: KindDelete, Entity: "stock_levels", Record: rec},
		WriteRequest{Kind: KindUpdate, Entity: "stock_levels", Record: rec, Values: map[string]any{"level": int64(42)}})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	if got := env.stockLevels()[k]; got != "42" {
		t.Errorf("the stock level is %q after delete then set 42", got)
	}
}

// A PATCH queued before a PUT of the same record is sent before it.
func TestApplyPatchBeforePutOfOneRecord(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	c := env.srv.Records("customers")[0]
	id, _ := IntProp(c, "id")
	put := customerPatch(id, "Put")
	put.Kind, put.Method = KindReplace, "PUT"
	put.Item = json.RawMessage(fmt.Sprintf(`{"id":%d,"name":"Put","code":%q,"custom_fields":[{"id":102,"value":"Wholesale"}]}`, id, c["code"]))
	ops := numberOps([]WriteOp{customerPatch(id, "Patched"), put})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	st, _ := ReadJournal(res.Journal)
	if len(st.Requests) != 2 || st.Requests[0].Method != "PATCH" || st.Requests[1].Method != "PUT" {
		t.Errorf("requests %+v, want the PATCH then the PUT", st.Requests)
	}
	for _, r := range env.srv.Records("customers") {
		if n, _ := IntProp(r, "id"); n == id && r["name"] != "Put" {
			t.Errorf("customer %d is named %v, want the PUT's name", id, r["name"])
		}
	}
}

// Phases: the queue is cut only where a record comes up again in another
// group; a batch without such a conflict is one phase.
func TestPhases(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	del := stockUpdate("P", "U", 1, 0)
	del.Kind = KindDelete
	ops := numberOps([]WriteOp{
		customerPatch(1, "a"), customerPatch(2, "b"), stockUpdate("P", "U", 1, 5), customerPatch(1, "c"), // no conflict
		del,                         // the stock level again, as a delete: cut
		stockUpdate("P", "U", 1, 6), // and set again: cut
		customerPatch(2, "d"),       // same group as before the cuts: no cut
	})
	r := env.writer.newRun(ops, ApplyOptions{})
	items := []int{0, 1, 2, 3, 4, 5, 6}
	got := r.phases(items)
	want := [][]int{{0, 1, 2, 3}, {4}, {5, 6}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("phases %v, want %v", got, want)
	}
	if got := r.phases(items[:4]); len(got) != 1 {
		t.Errorf("phases %v, want one", got)
	}
}

// Invoices by id and by external id, and prices by ids and by code and
// names, come to the same keys.
func TestCanonicalKeysInvoicesAndPrices(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	inv := env.srv.Records("invoices")[0]
	invID, _ := IntProp(inv, "id")
	p := env.srv.Records("products")[0]
	pid, _ := IntProp(p, "id")
	unit := p["order_units"].([]any)[0].(map[string]any)
	uid, _ := IntProp(unit, "id")
	pl := env.srv.Records("pricelists")[0]
	plID, _ := IntProp(pl, "id")
	ops := prepared(t,
		WriteRequest{Kind: KindUpdate, Entity: "invoices", Record: map[string]any{"id": invID}, Values: map[string]any{"reference": "A"}},
		WriteRequest{Kind: KindDelete, Entity: "invoices", ByExternalID: true, Record: map[string]any{"external_id": inv["external_id"]}},
		WriteRequest{Kind: KindUpdate, Entity: "prices", Record: map[string]any{"product_id": pid, "order_unit_id": uid, "price_list_id": plID},
			Values: map[string]any{"price": int64(3)}},
		WriteRequest{Kind: KindUpdate, Entity: "prices", Record: map[string]any{"product_code": p["code"], "order_unit_name": unit["name"],
			"price_list_name": pl["name"]}, Values: map[string]any{"price": int64(4)}},
		// Only the order unit is given both ways: found under the product's code.
		WriteRequest{Kind: KindUpdate, Entity: "stock_levels", Record: map[string]any{"product_code": p["code"], "order_unit_id": uid},
			Values: map[string]any{"level": int64(3)}},
		WriteRequest{Kind: KindUpdate, Entity: "stock_levels", Record: map[string]any{"product_code": p["code"], "order_unit_name": unit["name"]},
			Values: map[string]any{"level": int64(4)}})
	r := env.writer.newRun(ops, ApplyOptions{})
	if err := r.canonicalKeys(context.Background(), []int{0, 1, 2, 3, 4, 5}); err != nil {
		t.Fatal(err)
	}
	if r.keys[0] != r.keys[1] || r.keys[0] != ops[0].RecordKey {
		t.Errorf("invoice keys %q, %q; want both %q", r.keys[0], r.keys[1], ops[0].RecordKey)
	}
	if r.keys[2] != r.keys[3] || r.keys[2] != ops[2].RecordKey {
		t.Errorf("price keys %q, %q; want both %q", r.keys[2], r.keys[3], ops[2].RecordKey)
	}
	if r.keys[4] != r.keys[5] || r.keys[4] != ops[4].RecordKey {
		t.Errorf("stock level keys %q, %q; want both %q", r.keys[4], r.keys[5], ops[4].RecordKey)
	}
}
