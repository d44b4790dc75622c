package main

// End-to-end tests of the writer: the real binary runs small Lua scripts
// that queue writes of every kind against a simulator the test holds, so it
// can switch the simulator's write-side behaviours and read back its
// records. The helpers here are shared by the other e2e_write*_test.go.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// writeSim is a simulator behind a handler that counts the writes it
// receives (the simulator itself counts only list GETs), so a test can
// prove that a dry run or an idempotent second run sends none.
type writeSim struct {
	*sim.Server
	base   string
	writes atomic.Int64
	mu     sync.Mutex
	byPath map[string]int // "POST /customers" -> requests
}

func startWriteSim(t *testing.T, o sim.Options) *writeSim {
	t.Helper()
	ws := &writeSim{Server: sim.New(o), byPath: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: ws, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })
	ws.base = "http://" + ln.Addr().String() + "/v1/"
	return ws
}

func (ws *writeSim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		ws.writes.Add(1)
		key := r.Method + " " + strings.TrimPrefix(r.URL.Path, "/v1")
		ws.mu.Lock()
		ws.byPath[key]++
		ws.mu.Unlock()
	}
	ws.Server.ServeHTTP(w, r)
}

// Writes is the number of non-GET requests received.
func (ws *writeSim) Writes() int64 { return ws.writes.Load() }

func (ws *writeSim) writesSummary() string {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return fmt.Sprint(ws.byPath)
}

// smallSim is the seed every write test starts from: small, so a run takes
// a fraction of a second.
func smallSim() sim.Options {
	return sim.Options{Customers: 20, Products: 10, Orders: 20, Users: 8, Seed: 3}
}

// applyHarness wraps a case's Lua (which queues writes on `b`) so that the
// script applies the batch and prints its result as one JSON line.
const applyHarness = `
local writer = require "writer"
local reader = require "reader"
local json = require "json"
local function first(list, pred)
  for _, r in ipairs(list) do if pred(r) then return r end end
  error("no record matches", 2)
end
local function by_code(entity, code)
  return first(assert(reader[entity]()), function(r) return r.code == code end)
end
local b = writer.batch{batch_size = tonumber(os.getenv("E2E_BATCH") or "100")}
%s
local res = b:apply{dry_run = (os.getenv("E2E_DRY") == "1")}
local items = {}
for i, it in ipairs(res.items) do
  items[i] = {index = it.index, status = it.status, error = it.error or "", label = it.label or "",
    entity = it.entity or "", kind = it.kind or "", method = it.method or "", id = it.id}
end
print("RESULT " .. assert(json.encode({items = items, applied = res.applied, failed = res.failed,
  unknown = res.unknown, planned = res.planned, pending = res.pending, requests = res.requests})))
`

type itemOut struct {
	Index  int    `json:"index"`
	Status string `json:"status"`
	Error  string `json:"error"`
	Label  string `json:"label"`
	Entity string `json:"entity"`
	Kind   string `json:"kind"`
	Method string `json:"method"`
	ID     int64  `json:"id"`
}

type applyOut struct {
	Items                                      []itemOut `json:"items"`
	Applied, Failed, Unknown, Planned, Pending int
	Requests                                   int64
}

var resultLine = regexp.MustCompile(`(?m)^RESULT (.*)$`)

// parseApply reads the RESULT line the harness prints.
func parseApply(t *testing.T, r result) applyOut {
	t.Helper()
	m := resultLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no RESULT line (exit %d)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	var out applyOut
	if err := json.Unmarshal([]byte(m[1]), &out); err != nil {
		t.Fatalf("RESULT is not JSON: %v\n%s", err, m[1])
	}
	return out
}

// runWrites writes body into the harness and runs it against ws.
func runWrites(t *testing.T, w *workdir, body string, extra ...string) result {
	t.Helper()
	w.write("writes.lua", fmt.Sprintf(applyHarness, body))
	return w.run(append(append([]string{"run"}, extra...), "writes.lua")...)
}

// want is what one queued write must end as: a status and, for failed
// items, text its error must hold. maybe allows "unknown" under
// commit-then-fail for creates the client cannot look up (no natural key).
type want struct {
	status string
	detail string
	maybe  bool
}

func applied() want                 { return want{status: "applied"} }
func appliedOrUnknown() want        { return want{status: "applied", maybe: true} }
func failed(detail string) want     { return want{status: "failed", detail: detail} }
func (w want) String() string       { return w.status + " " + w.detail }
func (w want) allows(s string) bool { return s == w.status || (w.maybe && s == "unknown") }

// writeCase is one write kind: Lua that queues a valid write, one the
// server refuses and one validation refuses before sending, and a check
// of the simulator's records afterwards. items holds each queued write's
// final status, so a check can allow "at most once" for unknown creates.
type writeCase struct {
	name  string
	lua   string
	want  []want
	check func(t *testing.T, s *writeSim, items []itemOut)
}

// count returns how many records of collection match pred.
func count(s *writeSim, collection string, pred func(map[string]any) bool) int {
	n := 0
	for _, r := range s.Records(collection) {
		if pred(r) {
			n++
		}
	}
	return n
}

func findRecord(t *testing.T, s *writeSim, collection string, pred func(map[string]any) bool) map[string]any {
	t.Helper()
	for _, r := range s.Records(collection) {
		if pred(r) {
			return r
		}
	}
	t.Fatalf("no matching record in %s", collection)
	return nil
}

func propIs(k string, v any) func(map[string]any) bool {
	return func(r map[string]any) bool { return fmt.Sprint(r[k]) == fmt.Sprint(v) }
}

func customValue(r map[string]any, name string) string {
	fields, _ := r["custom_fields"].([]any)
	for _, f := range fields {
		m, _ := f.(map[string]any)
		if m["name"] == name {
			s, _ := m["value"].(string)
			return s
		}
	}
	return ""
}

// once checks that a create landed exactly once, or at most once when its
// outcome is unknown.
func once(t *testing.T, what string, n int, status string) {
	t.Helper()
	switch {
	case status == "applied" && n != 1:
		t.Errorf("%s: applied, and the simulator holds it %d times, want exactly once", what, n)
	case status == "unknown" && n > 1:
		t.Errorf("%s: unknown, and the simulator holds it %d times, want at most once", what, n)
	case status == "failed" && n != 0:
		t.Errorf("%s: failed, yet the simulator holds it %d times", what, n)
	}
}

func noRecord(t *testing.T, s *writeSim, collection, what string, pred func(map[string]any) bool) {
	t.Helper()
	if n := count(s, collection, pred); n != 0 {
		t.Errorf("%s: the refused write reached the simulator (%d records)", what, n)
	}
}

const txItems = `items = {{product_code = "BEV_001", unit_name = "Each", quantity = 3}}`

func writeCases() []writeCase {
	return []writeCase{
		{
			name: "customers",
			lua: `
b:create("customers", {code = "E2E-C1", name = "E2E Customer", custom = {["Customer Type"] = "Wholesale"}})
b:create("customers", {code = "CUS00005", name = "E2E Duplicate", custom = {["Customer Type"] = "Wholesale"}})
b:create("customers", {code = "E2E-C3", nmae = "typo", custom = {["Customer Type"] = "Wholesale"}})
b:update("customers", by_code("customers", "CUS00002"), {name = "E2E Renamed", custom = {["Région"] = "E2E Region"}})
`,
			want: []want{applied(), failed("already used"), failed("nmae"), applied()},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "customer E2E-C1", count(s, "customers", propIs("code", "E2E-C1")), items[0].Status)
				if c := findRecord(t, s, "customers", propIs("code", "E2E-C1")); customValue(c, "Customer Type") != "Wholesale" {
					t.Errorf("E2E-C1's Customer Type is %q", customValue(c, "Customer Type"))
				}
				noRecord(t, s, "customers", "duplicate code", propIs("name", "E2E Duplicate"))
				c := findRecord(t, s, "customers", propIs("code", "CUS00002"))
				if c["name"] != "E2E Renamed" || customValue(c, "Région") != "E2E Region" {
					t.Errorf("CUS00002 after the update: name %v, Région %q", c["name"], customValue(c, "Région"))
				}
			},
		},
		{
			name: "products",
			lua: `
b:create("products", {code = "E2E-P1", name = "E2E One Unit", order_units = {{name = "Each", multiplier = 1}}})
b:create("products", {code = "E2E-P2", name = "E2E Two Units", order_units = {{name = "Each", multiplier = 1}, {name = "Case (6)", multiplier = 6}}})
b:create("products", {code = "BEV_001", name = "E2E Duplicate", order_units = {{name = "Each", multiplier = 1}}})
b:create("products", {code = "E2E-P4", name = "E2E Bad", order_units = "Each"})
`,
			want: []want{applied(), applied(), failed("already used"), failed("order_units")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "product E2E-P1", count(s, "products", propIs("code", "E2E-P1")), items[0].Status)
				once(t, "product E2E-P2", count(s, "products", propIs("code", "E2E-P2")), items[1].Status)
				p := findRecord(t, s, "products", propIs("code", "E2E-P2"))
				if units, _ := p["order_units"].([]any); len(units) != 2 {
					t.Errorf("E2E-P2 has %d order units, want 2", len(units))
				}
				noRecord(t, s, "products", "duplicate code", propIs("name", "E2E Duplicate"))
				noRecord(t, s, "products", "bad units", propIs("code", "E2E-P4"))
			},
		},
		txCase("orders", `custom = {["Payment Terms"] = "COD"}`),
		txCase("quotes", `custom = {["Probability (%)"] = 40}`),
		txCase("credit_requests", `custom = {["Reason"] = "Damaged"}`),
		{
			name: "invoices by id",
			lua: `
local inv = assert(reader.invoices())[1]
b:update("invoices", inv, {reference = "E2E-REF-1"})
b:update("invoices", {id = 999999}, {reference = "E2E nope"})
b:update("invoices", inv, {status = "Void"})
b:create("invoices", {customer_code = "CUS00005", date = "2026-01-05T10:00:00", reference = "E2E-NEW-BY-ID", total = 100})
`,
			want: []want{applied(), failed("999999"), failed("Void"), appliedOrUnknown()},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				if n := count(s, "invoices", propIs("reference", "E2E-REF-1")); n != 1 {
					t.Errorf("%d invoices carry the new reference, want 1", n)
				}
				noRecord(t, s, "invoices", "update of no invoice", propIs("reference", "E2E nope"))
				once(t, "new invoice", count(s, "invoices", propIs("reference", "E2E-NEW-BY-ID")), items[3].Status)
			},
		},
		{
			name: "invoices by external id",
			lua: `
b:create("invoices", {external_id = "E2E-INV-1", customer_code = "CUS00005", date = "2026-01-05T10:00:00", reference = "E2E-INV-1", total = 100})
local inv = assert(reader.invoices())[2]
b:update("invoices", {external_id = inv.external_id}, {reference = "E2E-EXT-REF"})
b:update("invoices", {external_id = "E2E-NO-SUCH"}, {reference = "E2E nope"})
b:create("invoices", {external_id = "E2E-INV-4", customer_code = "CUS00005", total = 5})
`,
			want: []want{applied(), applied(), failed("E2E-NO-SUCH"), failed("date")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "invoice E2E-INV-1", count(s, "invoices", propIs("external_id", "E2E-INV-1")), items[0].Status)
				if n := count(s, "invoices", propIs("reference", "E2E-EXT-REF")); n != 1 {
					t.Errorf("%d invoices carry the reference set by external id, want 1", n)
				}
				noRecord(t, s, "invoices", "missing date", propIs("external_id", "E2E-INV-4"))
			},
		},
		{
			name: "stock levels",
			lua: `
b:create("stock_levels", {product_code = "BEV_001", order_unit_name = "Each", warehouse_id = 1, level = 42})
b:update("stock_levels", {product_code = "SNK_001", order_unit_name = "Each"}, {level = 7})
b:create("stock_levels", {product_code = "E2E-NOPE", order_unit_name = "Each", level = 1})
b:create("stock_levels", {product_code = "BEV_001", order_unit_name = "Each", level = "lots"})
`,
			want: []want{applied(), applied(), failed("E2E-NOPE"), failed("level")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				sl := func(code string, wh any) func(map[string]any) bool {
					return func(r map[string]any) bool {
						return r["product_code"] == code && r["order_unit_name"] == "Each" && fmt.Sprint(r["warehouse_id"]) == fmt.Sprint(wh)
					}
				}
				if r := findRecord(t, s, "stock_levels", sl("BEV_001", 1)); fmt.Sprint(r["level"]) != "42" {
					t.Errorf("BEV_001/Each/1 level %v, want 42", r["level"])
				}
				if r := findRecord(t, s, "stock_levels", sl("SNK_001", nil)); fmt.Sprint(r["level"]) != "7" {
					t.Errorf("SNK_001/Each level %v, want 7", r["level"])
				}
				if n := count(s, "stock_levels", sl("BEV_001", 1)); n != 1 {
					t.Errorf("BEV_001/Each/1 is %d stock levels, want 1", n)
				}
			},
		},
		{
			name: "prices",
			lua: `
b:create("prices", {product_code = "BEV_001", order_unit_name = "Each", price_list_id = 1, price = 12.5})
b:create("prices", {product_code = "BEV_001", order_unit_name = "Each", price_list_id = 999, price = 1})
b:create("prices", {product_code = "BEV_001", order_unit_name = "Each", price_list_id = 1, price = "cheap"})
`,
			want: []want{applied(), failed("999"), failed("price")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				match := func(r map[string]any) bool {
					return r["product_code"] == "BEV_001" && r["order_unit_name"] == "Each" && fmt.Sprint(r["price_list_id"]) == "1"
				}
				if r := findRecord(t, s, "prices", match); fmt.Sprint(r["price"]) != "12.5" {
					t.Errorf("BEV_001/Each/1 price %v, want 12.5", r["price"])
				}
				if n := count(s, "prices", match); n != 1 {
					t.Errorf("BEV_001/Each/1 is %d prices, want 1", n)
				}
			},
		},
		refCase("price_lists", "price list", `currency_code = "ZAR"`, `active = "yes"`, "active"),
		refCase("tax_rates", "tax rate", `rate = 5`, `rate = "high"`, "rate"),
		refCase("warehouses", "warehouse", `order_email = "e2e@demo-company.example"`, `colour = "red"`, "colour"),
		{
			name: "visit frequencies",
			lua: `
b:create("visit_frequencies", {customer_code = "CUS00002", user_name = "thabo.mokoena", cycle = 1, frequency = 2, period = "month"})
b:create("visit_frequencies", {customer_code = "CUS00002", user_name = "e2e.nobody", cycle = 1, frequency = 2, period = "month"})
b:create("visit_frequencies", {customer_code = "CUS00002", user_name = "thabo.mokoena", cycle = 1, frequency = 2, period = "fortnight"})
`,
			want: []want{appliedOrUnknown(), failed("e2e.nobody"), failed("fortnight")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				match := func(r map[string]any) bool {
					return r["customer_code"] == "CUS00002" && r["user_name"] == "thabo.mokoena" && r["period"] == "month" &&
						fmt.Sprint(r["frequency"]) == "2"
				}
				once(t, "visit frequency", count(s, "visit_frequencies", match), items[0].Status)
			},
		},
		{
			name: "scheduled visits",
			lua: `
b:create("scheduled_visits", {customer_code = "CUS00002", assigned_user_name = "thabo.mokoena", due_date = "2026-12-01T09:00:00", comment = "E2E visit", all_day = true})
b:create("scheduled_visits", {customer_code = "E2E-NOPE", assigned_user_name = "thabo.mokoena", due_date = "2026-12-01T09:00:00", comment = "E2E bad visit", all_day = true})
b:create("scheduled_visits", {customer_code = "CUS00002", assigned_user_name = "thabo.mokoena", due_date = "soon", comment = "E2E invalid", all_day = true})
b:delete("scheduled_visits", assert(reader.scheduled_visits())[1])
`,
			want: []want{appliedOrUnknown(), failed("E2E-NOPE"), failed("due_date"), applied()},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "scheduled visit", count(s, "scheduled_visits", propIs("comment", "E2E visit")), items[0].Status)
				noRecord(t, s, "scheduled_visits", "bad customer", propIs("comment", "E2E bad visit"))
			},
		},
		{
			name: "tasks",
			lua: `
b:create("tasks", {description = "E2E task", due_date = "2026-12-01T09:00:00", assigned_user_name = "thabo.mokoena", anytime = true})
b:create("tasks", {description = "E2E bad task", due_date = "2026-12-01T09:00:00", assigned_user_name = "e2e.nobody", anytime = true})
b:create("tasks", {due_date = "2026-12-01T09:00:00", assigned_user_name = "thabo.mokoena", anytime = true})
b:delete("tasks", assert(reader.tasks())[1])
`,
			want: []want{appliedOrUnknown(), failed("e2e.nobody"), failed("description"), applied()},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "task", count(s, "tasks", propIs("description", "E2E task")), items[0].Status)
				noRecord(t, s, "tasks", "bad user", propIs("description", "E2E bad task"))
			},
		},
		{
			name: "contacts",
			lua: `
b:create("contacts", {name = "E2E", surname = "Contact", customer_code = "CUS00006"})
b:create("contacts", {name = "E2E", surname = "Nobody", customer_code = "E2E-NOPE"})
b:create("contacts", {name = "E2E", surname = "Invalid", customer_code = "CUS00006", active = "maybe"})
b:update("contacts", assert(reader.contacts())[1], {job_title = "E2E Buyer"})
`,
			want: []want{appliedOrUnknown(), failed("E2E-NOPE"), failed("active"), applied()},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "contact", count(s, "contacts", propIs("surname", "Contact")), items[0].Status)
				noRecord(t, s, "contacts", "bad customer", propIs("surname", "Nobody"))
				if n := count(s, "contacts", propIs("job_title", "E2E Buyer")); n != 1 {
					t.Errorf("%d contacts have the new job title, want 1", n)
				}
			},
		},
		{
			name: "customer comments",
			lua: `
b:create("customer_comments", {comment = "E2E comment", customer_code = "CUS00006"})
b:create("customer_comments", {comment = "E2E bad comment", customer_code = "E2E-NOPE"})
b:create("customer_comments", {comment = "E2E invalid", customer_code = "CUS00006", date = "yesterday"})
`,
			want: []want{appliedOrUnknown(), failed("E2E-NOPE"), failed("date")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				once(t, "comment", count(s, "customer_comments", propIs("comment", "E2E comment")), items[0].Status)
				noRecord(t, s, "customer_comments", "bad customer", propIs("comment", "E2E bad comment"))
			},
		},
		{
			name: "custom fields",
			lua: `
b:add_field{form = "customers", name = "E2E Field", type = "Text"}
b:add_field{form = "customers", name = "Notes", type = "Text"}
b:add_field{form = "customers", name = "E2E Bogus", type = "Bogus"}
`,
			want: []want{applied(), failed("Notes"), failed("Bogus")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				if n := formFieldCount(s, -1, "E2E Field"); n != 1 {
					t.Errorf("form -1 has %d fields named E2E Field, want 1", n)
				}
				if n := formFieldCount(s, -1, "Notes"); n != 1 {
					t.Errorf("form -1 has %d fields named Notes, want 1", n)
				}
			},
		},
		{
			name: "enum growth",
			lua: `
b:grow_enum("customers", "Customer Type", {"E2E Type"})
b:grow_enum("customers", "Notes", {"E2E Not An Enum"})
b:grow_enum("customers", "E2E No Such Field", {"x"})
`,
			want: []want{applied(), failed("Notes"), failed("E2E No Such Field")},
			check: func(t *testing.T, s *writeSim, items []itemOut) {
				if !formHasLabel(s, -1, "Customer Type", "E2E Type") {
					t.Error("Customer Type did not grow the label E2E Type")
				}
			},
		},
	}
}

// txCase is the case of a transaction entity: created only, no natural key.
func txCase(entity, custom string) writeCase {
	return writeCase{
		name: entity,
		lua: fmt.Sprintf(`
local cu = by_code("customers", "CUS00005")
b:create(%[1]q, {customer_id = cu.id, date = "2026-01-05T10:00:00", user_id = 101, %[2]s, %[3]s})
b:create(%[1]q, {customer_id = 999999, date = "2026-01-05T11:00:00", user_id = 101, %[2]s, %[3]s})
b:create(%[1]q, {customer_id = cu.id, date = "2026-01-05T12:00:00", user_id = 101, %[3]s})
`, entity, txItems, custom),
		want: []want{appliedOrUnknown(), failed("999999"), failed("items")},
		check: func(t *testing.T, s *writeSim, items []itemOut) {
			at := func(hour string) func(map[string]any) bool {
				return func(r map[string]any) bool {
					d, _ := r["date"].(string)
					return strings.HasPrefix(d, "2026-01-05T"+hour)
				}
			}
			once(t, entity, count(s, entity, at("10:00:00")), items[0].Status)
			noRecord(t, s, entity, "no such customer", at("11:00:00"))
			noRecord(t, s, entity, "no items", at("12:00:00"))
		},
	}
}

// refCase is the case of a reference entity (price lists, tax rates,
// warehouses): a create and an update by name and id.
func refCase(entity, what, extra, bad, badProp string) writeCase {
	return writeCase{
		name: entity,
		lua: fmt.Sprintf(`
b:create(%[1]q, {name = "E2E New", %[2]s})
b:update(%[1]q, {id = 999}, {name = "E2E nope"})
b:create(%[1]q, {name = "E2E Invalid", %[3]s})
b:update(%[1]q, assert(reader.%[1]s())[2], {name = "E2E Renamed"})
`, entity, extra, bad),
		want: []want{applied(), failed("999"), failed(badProp), applied()},
		check: func(t *testing.T, s *writeSim, items []itemOut) {
			once(t, what+" E2E New", count(s, entity, propIs("name", "E2E New")), items[0].Status)
			noRecord(t, s, entity, "update of no "+what, propIs("name", "E2E nope"))
			noRecord(t, s, entity, "invalid "+what, propIs("name", "E2E Invalid"))
			if r := s.Records(entity)[1]; r["name"] != "E2E Renamed" {
				t.Errorf("%s %v is named %v after the rename", what, r["id"], r["name"])
			}
		},
	}
}

func formDef(s *writeSim, formID int) map[string]any {
	for _, f := range s.Records("form_definitions") {
		if fmt.Sprint(f["id"]) == fmt.Sprint(formID) {
			return f
		}
	}
	return nil
}

func formFieldCount(s *writeSim, formID int, name string) int {
	n := 0
	fields, _ := formDef(s, formID)["custom_fields"].([]any)
	for _, f := range fields {
		if m, _ := f.(map[string]any); m["name"] == name {
			n++
		}
	}
	return n
}

func formHasLabel(s *writeSim, formID int, field, label string) bool {
	fields, _ := formDef(s, formID)["custom_fields"].([]any)
	for _, f := range fields {
		m, _ := f.(map[string]any)
		if m["name"] != field {
			continue
		}
		values, _ := m["enumeration_values"].([]any)
		for _, v := range values {
			if e, _ := v.(map[string]any); e["label"] == label {
				return true
			}
		}
	}
	return false
}

// writeSwitches are the simulator's write-side behaviours every kind runs
// under: FACTS.md's unknowns (items per request, a 400 rejecting the whole
// request or keeping its valid items) and the fault that commits a write
// and then answers 502 or drops the connection.
func writeSwitches() []struct {
	name string
	b    sim.Behaviour
} {
	return []struct {
		name string
		b    sim.Behaviour
	}{
		{"reject-whole-request", sim.Behaviour{}},
		{"apply-valid-on-error", sim.Behaviour{ApplyValidOnError: true}},
		{"max-one-item", sim.Behaviour{MaxWriteItems: 1}},
		{"commit-then-fail", sim.Behaviour{CommitThenFail: 0.3, ApplyValidOnError: true}},
	}
}

// Every write kind, valid and invalid, under every write-side switch: one
// binary run per kind and switch, each against its own small simulator.
// The valid writes land exactly once (at most once where the outcome is
// unknown and the entity has no natural key), the invalid ones fail with
// their reason and never reach the records, and the run exits 5.
func TestWriteKindsUnderSwitches(t *testing.T) {
	for _, sw := range writeSwitches() {
		t.Run(sw.name, func(t *testing.T) {
			for _, c := range writeCases() {
				t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
					t.Parallel()
					s := startWriteSim(t, smallSim())
					s.SetBehaviour(sw.b)
					w := newWorkdir(t)
					w.useSim(s.base)
					r := runWrites(t, w, c.lua)
					out := parseApply(t, r)
					if r.code != 5 {
						t.Errorf("exit code %d, want 5 (some items failed)\nstderr:\n%s", r.code, r.stderr)
					}
					if len(out.Items) != len(c.want) {
						t.Fatalf("%d results for %d queued writes:\n%s", len(out.Items), len(c.want), r.stdout)
					}
					for i, it := range out.Items {
						wt := c.want[i]
						if it.Index != i+1 {
							t.Errorf("result %d has index %d", i+1, it.Index)
						}
						if !wt.allows(it.Status) {
							t.Errorf("item %d (%s): %s %q, want %s", i+1, it.Label, it.Status, it.Error, wt)
							continue
						}
						if wt.status == "failed" && !strings.Contains(it.Error, wt.detail) {
							t.Errorf("item %d (%s) failed with %q, want it to mention %q", i+1, it.Label, it.Error, wt.detail)
						}
					}
					c.check(t, s, out.Items)
					if t.Failed() {
						t.Logf("writes received: %s\nstdout:\n%s\nstderr:\n%s", s.writesSummary(), r.stdout, r.stderr)
					}
				})
			}
		})
	}
}
