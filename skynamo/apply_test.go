package skynamo

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

var smallSim = sim.Options{Seed: 3, Customers: 40, Products: 40, Users: 4, Orders: 30}

func TestApplyCreatesCustomerBeforeItsContact(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	// The contact is queued first; it names a customer this apply creates.
	ops := numberOps([]WriteOp{contactCreate("NEW1", "Ann"), customerCreate("NEW1")})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range res.Items {
		if it.Status != StatusApplied {
			t.Fatalf("item %d: %s %v", it.Index, it.Status, it.Detail)
		}
	}
	if c := res.Items[1]; c.Index != 2 || c.ID == 0 || c.Code != "NEW1" || c.RowVersion == 0 {
		t.Errorf("customer result %+v, want the POST's id, code and row_version", c)
	}
	st, err := ReadJournal(res.Journal)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Requests) != 2 || st.Requests[0].Path != "/customers" || st.Requests[1].Path != "/contacts" {
		t.Errorf("requests %+v, want customers then contacts", st.Requests)
	}
}

func TestPlanOrdersGroups(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	del := func(entity, path string, rank int) WriteOp {
		return WriteOp{Entity: entity, Kind: KindDelete, Method: "DELETE", Path: path, Item: []byte("1")}
	}
	ops := numberOps([]WriteOp{
		del("tasks", "/tasks", 0), contactCreate("C1", "x"), customerPatch(1, "a"), del("invoices", "/invoices", 0),
		stockUpdate("P", "U", 1, 1), customerCreate("C2"), taxRateCreate("T", 1),
	})
	r := env.writer.newRun(ops, ApplyOptions{})
	var got []string
	for _, g := range r.plan([]int{0, 1, 2, 3, 4, 5, 6}) {
		got = append(got, g.method+" "+g.path)
	}
	tr := func(e string) int { t, _ := LookupWriteTarget(e); return t.Rank }
	want := []string{"POST /taxrates", "POST /customers", "PATCH /customers"}
	// contacts and stock levels share a rank or not: by rank, then queue order.
	if tr("contacts") <= tr("stock_levels") {
		want = append(want, "POST /contacts", "POST /stocklevels")
	} else {
		want = append(want, "POST /stocklevels", "POST /contacts")
	}
	// Deletes last, in reverse rank: invoices (refer to customers) before tasks, if ranked so.
	if tr("invoices") >= tr("tasks") {
		want = append(want, "DELETE /invoices", "DELETE /tasks")
	} else {
		want = append(want, "DELETE /tasks", "DELETE /invoices")
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups %v\nwant   %v", got, want)
	}
}

func TestApplyTwoUpdatesOfOneRecordGoInRounds(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	id, _ := IntProp(env.srv.Records("customers")[0], "id")
	other, _ := IntProp(env.srv.Records("customers")[1], "id")
	ops := numberOps([]WriteOp{customerPatch(id, "First"), customerPatch(other, "Other"), customerPatch(id, "Second")})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 3 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	st, _ := ReadJournal(res.Journal)
	if len(st.Requests) != 2 || !slices.Equal(st.Requests[0].Items, []int{1, 2}) || !slices.Equal(st.Requests[1].Items, []int{3}) {
		t.Errorf("requests %+v, want items 1,2 then 3", st.Requests)
	}
	for _, c := range env.srv.Records("customers") {
		if n, _ := IntProp(c, "id"); n == id && c["name"] != "Second" {
			t.Errorf("customer %d is named %v, want the second update's name", id, c["name"])
		}
	}
}

// concurrencyProbe counts writes in flight at once.
type concurrencyProbe struct {
	next          http.RoundTripper
	inFlight, max atomic.Int64
	writes        atomic.Int64
}

func (p *concurrencyProbe) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return p.next.RoundTrip(req)
	}
	p.writes.Add(1)
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		m := p.max.Load()
		if n <= m || p.max.CompareAndSwap(m, n) {
			break
		}
	}
	return p.next.RoundTrip(req)
}

func TestApplyBatchesInParallel(t *testing.T) {
	probe := &concurrencyProbe{next: http.DefaultTransport}
	opts := smallSim
	opts.Latency = 30 * time.Millisecond // so that the requests overlap
	env := newWriteEnv(t, opts, writeEnvOptions{transport: probe, concurrency: 4})
	keys := env.stockKeys(t, 230)
	var ops []WriteOp
	for i, k := range keys {
		ops = append(ops, stockUpdate(k.product, k.unit, k.warehouse, 1000+i))
	}
	var calls, lastDone atomic.Int64
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 50,
		Progress: func(done, total int) { calls.Add(1); lastDone.Store(int64(done)) }})
	if err != nil || res.Count(StatusApplied) != len(ops) {
		t.Fatalf("%v: %d applied", err, res.Count(StatusApplied))
	}
	if got := probe.writes.Load(); got != 5 {
		t.Errorf("%d write requests, want 5 of at most 50 items", got)
	}
	if probe.max.Load() < 2 || probe.max.Load() > 4 {
		t.Errorf("at most %d writes were in flight at once, want 2 to 4 (the client's concurrency)", probe.max.Load())
	}
	if calls.Load() == 0 || lastDone.Load() != int64(len(ops)) {
		t.Errorf("progress called %d times, last done %d", calls.Load(), lastDone.Load())
	}
	levels := env.stockLevels()
	for i, k := range keys {
		if levels[k] != fmt.Sprint(1000+i) {
			t.Fatalf("stock level %v is %s, want %d", k, levels[k], 1000+i)
		}
	}
}

// TestApplyMapsItemErrors: 3 bad items of 500 yield 497 applied and 3
// failed with the simulator's own detail, whether a 400 rejects the whole
// request or saves its valid items; each good item exists exactly once.
func TestApplyMapsItemErrors(t *testing.T) {
	for _, validOnError := range []bool{false, true} {
		t.Run(fmt.Sprintf("ApplyValidOnError=%v", validOnError), func(t *testing.T) {
			opts := smallSim
			opts.ApplyValidOnError = validOnError
			env := newWriteEnv(t, opts, writeEnvOptions{})
			keys := env.stockKeys(t, 250)
			var ops []WriteOp
			for i := range 250 {
				ops = append(ops, customerCreate(fmt.Sprintf("E%03d", i)))
			}
			for i, k := range keys {
				ops = append(ops, stockUpdate(k.product, k.unit, k.warehouse, 500+i))
			}
			bad := map[int]string{ // queue position -> part of the sim's detail
				17:  "no custom field with id 999",
				140: "already used by customer",
				333: `no product with code "NOPE"`,
			}
			ops[17].Item = []byte(`{"code":"E017","name":"x","custom_fields":[{"id":102,"value":"Wholesale"},{"id":999,"value":"x"}]}`)
			existing := env.srv.Records("customers")[0]["code"].(string)
			ops[140].Item = []byte(fmt.Sprintf(`{"code":%q,"name":"x","custom_fields":[{"id":102,"value":"Wholesale"}]}`, existing))
			ops[140].NaturalKey = existing
			ops[333].Item = []byte(`{"product_code":"NOPE","order_unit_name":"Each","level":1}`)
			res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Count(StatusApplied) != 497 || res.Count(StatusFailed) != 3 {
				t.Fatalf("%d applied, %d failed, %d unknown", res.Count(StatusApplied), res.Count(StatusFailed), res.Count(StatusUnknown))
			}
			for pos, want := range bad {
				it := res.Items[pos]
				if it.Status != StatusFailed || !strings.Contains(strings.Join(it.Detail, "; "), want) {
					t.Errorf("item %d: %s %v, want failed with %q", pos+1, it.Status, it.Detail, want)
				}
			}
			counts := env.codeCounts("customers")
			for i := range 250 {
				code := fmt.Sprintf("E%03d", i)
				if want := map[bool]int{true: 0, false: 1}[i == 17 || i == 140]; counts[code] != want {
					t.Errorf("customer %s exists %d times, want %d", code, counts[code], want)
				}
				if it := res.Items[i]; i != 17 && i != 140 && (it.ID == 0 || it.Code != code) {
					t.Errorf("item %d applied without its id and code: %+v", i+1, it)
				}
			}
			levels := env.stockLevels()
			for i, k := range keys {
				if 250+i != 333 && levels[k] != fmt.Sprint(500+i) {
					t.Errorf("stock level %v is %s, want %d", k, levels[k], 500+i)
				}
			}
		})
	}
}

func TestApplyHalvesWhatTheAPIRefusesAsTooBig(t *testing.T) {
	opts := smallSim
	opts.MaxWriteItems = 30
	env := newWriteEnv(t, opts, writeEnvOptions{})
	keys := env.stockKeys(t, 200)
	var ops []WriteOp
	for i, k := range keys {
		ops = append(ops, stockUpdate(k.product, k.unit, k.warehouse, i))
	}
	res, err := env.writer.Apply(context.Background(), numberOps(ops), ApplyOptions{BatchSize: 100})
	if err != nil || res.Count(StatusApplied) != 200 {
		t.Fatalf("%v: %d applied", err, res.Count(StatusApplied))
	}
	if !env.logged("sending at most 25 items per request from now on") {
		t.Errorf("the learned size was not logged: %q", env.logs)
	}
	if got := env.writer.batchSize(100); got != 25 {
		t.Errorf("learned batch size %d, want 25", got)
	}
	// A later apply starts at the learned size: no refused request.
	st, _ := ReadJournal(res.Journal)
	before := len(st.Requests)
	res, err = env.writer.Apply(context.Background(), numberOps(ops[:100]), ApplyOptions{BatchSize: 100})
	st, _ = ReadJournal(res.Journal)
	if err != nil || len(st.Requests) != 4 {
		t.Errorf("second apply: %v, %d requests, want 4 (the first took %d)", err, len(st.Requests), before)
	}
}

func TestApplyFailsASingleItemRefusedWhole(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	// The simulator's /integrations refuses a malformed request with a
	// message and no item errors.
	op := WriteOp{Entity: "enum_labels", Kind: KindGrowEnum, Method: "POST", Path: "/integrations",
		Item: []byte(`{"customfield_id":"x","enums":["A"]}`), Label: "enum labels"}
	res, err := env.writer.Apply(context.Background(), numberOps([]WriteOp{op}), ApplyOptions{})
	if err != nil || res.Items[0].Status != StatusFailed || len(res.Items[0].Detail) == 0 {
		t.Fatalf("%v %+v", err, res.Items)
	}
}

func TestApplyDryRunSendsNothing(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ops := numberOps([]WriteOp{customerCreate("D1"), {Entity: "nosuch", Item: []byte("{}")}})
	res, err := env.writer.Apply(context.Background(), ops, ApplyOptions{DryRun: true})
	if err != nil || res.Journal != "" || res.Requests != 0 || env.srv.Requests() != 0 {
		t.Fatalf("%v %+v; %d requests reached the server", err, res, env.srv.Requests())
	}
	if res.Items[0].Status != StatusPlanned || res.Items[1].Status != StatusFailed {
		t.Errorf("items %+v", res.Items)
	}
	if _, err := os.Stat(JournalDir(env.cfg.DataDir)); !os.IsNotExist(err) {
		t.Errorf("a dry run made the journal folder: %v", err)
	}
}

func TestApplyCustomFieldsAsOneIntegrationRequest(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ctx := context.Background()
	if _, err := env.reader.Schema(ctx, false); err != nil {
		t.Fatal(err)
	}
	add := func(name string) WriteOp {
		return WriteOp{Entity: "custom_fields", Kind: KindAddField, Method: "POST", Path: "/integrations",
			Item: []byte(fmt.Sprintf(`{"form_id":-1,"name":%q,"type":"Text"}`, name)), Label: "custom field " + name, NaturalKey: "-1/" + name}
	}
	res, err := env.writer.Apply(ctx, numberOps([]WriteOp{add("Region X"), add("Route Y")}), ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 || res.Items[0].ID == 0 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	st, _ := ReadJournal(res.Journal)
	if len(st.Requests) != 1 || !strings.HasPrefix(string(st.Requests[0].Body), `{"action":"AddCustomFields","fields_to_add":[`) {
		t.Fatalf("requests %+v", st.Requests)
	}
	// The reader sees the new fields without being told to refresh.
	s, err := env.reader.Schema(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := s.ForEntity("customers")
	if _, ok := fs.Lookup("Region X"); !ok {
		t.Error("the reader's schema lacks the new field after the apply")
	}
}

func TestApplyRefreshesTheCache(t *testing.T) {
	env := newWriteEnv(t, smallSim, writeEnvOptions{})
	ctx := context.Background()
	if _, err := env.reader.Read(ctx, "customers", ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.reader.Read(ctx, "tax_rates", ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	taxID, _ := IntProp(env.srv.Records("taxrates")[0], "id")
	patchTax := WriteOp{Entity: "tax_rates", Kind: KindUpdate, Method: "PATCH", Path: "/taxrates",
		Item: []byte(fmt.Sprintf(`{"id":%d,"rate":42}`, taxID)), Label: "tax rate", RecordKey: fmt.Sprint("tax_rates/", taxID)}
	res, err := env.writer.Apply(ctx, numberOps([]WriteOp{customerCreate("R1"), patchTax}), ApplyOptions{})
	if err != nil || res.Count(StatusApplied) != 2 {
		t.Fatalf("%v %+v", err, res.Items)
	}
	env.srv.ResetRequests()
	customers, err := env.reader.Read(ctx, "customers", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(customers, func(r Record) bool { return r.Props["code"] == "R1" }) {
		t.Error("the new customer is not in the next read")
	}
	if n := env.srv.RequestsFor("/customers"); n != 0 {
		t.Errorf("reading customers after the apply took %d requests; the apply's incremental pull should have brought it", n)
	}
	rates, err := env.reader.Read(ctx, "tax_rates", ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rates {
		if id, _ := IntProp(r.Props, "id"); id == taxID && fmt.Sprint(r.Props["rate"]) != "42" {
			t.Errorf("tax rate %d reads rate %v after the apply set 42", id, r.Props["rate"])
		}
	}
}
