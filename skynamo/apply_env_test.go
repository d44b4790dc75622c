package skynamo

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// writeEnv is a simulator with a client, reader and writer over a cache in
// a temporary folder; retries never sleep.
type writeEnv struct {
	srv    *sim.Server
	cfg    Config
	client *Client
	syncer *Syncer
	reader *Reader
	writer *Writer
	clock  *testClock

	mu   sync.Mutex
	logs []string
}

// writeEnvOptions tweak a writeEnv.
type writeEnvOptions struct {
	concurrency int
	transport   http.RoundTripper // nil = the default
}

func newWriteEnv(t testing.TB, opts sim.Options, o writeEnvOptions) *writeEnv {
	t.Helper()
	srv := sim.New(opts)
	base, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if o.concurrency == 0 {
		o.concurrency = 4
	}
	cfg := Config{Instance: sim.DefaultInstance, APIKey: sim.DefaultAPIKey, APIBase: base,
		RefreshInterval: DefaultRefreshInterval, Timeout: 30 * time.Second, DataDir: t.TempDir(),
		Concurrency: o.concurrency, PageSize: MaxPageSize}
	env := &writeEnv{srv: srv, cfg: cfg, clock: &testClock{now: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}}
	copt := noBackoff()
	if o.transport != nil {
		copt.HTTP = &http.Client{Transport: o.transport, Timeout: cfg.Timeout}
	}
	copt.Logf = env.logf
	env.client, err = NewClient(cfg, copt)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := OpenCache(cfg.DataDir, cfg.APIBase, cfg.Instance)
	if err != nil {
		t.Fatal(err)
	}
	env.syncer = NewSyncer(env.client, cache, SyncOptions{Now: env.clock.Now, Logf: env.logf})
	env.reader = NewReader(env.syncer, env.logf)
	env.writer = NewWriter(env.reader, env.logf)
	return env
}

func (env *writeEnv) logf(format string, args ...any) {
	env.mu.Lock()
	defer env.mu.Unlock()
	env.logs = append(env.logs, fmt.Sprintf(format, args...))
}

func (env *writeEnv) logged(part string) bool {
	env.mu.Lock()
	defer env.mu.Unlock()
	for _, l := range env.logs {
		if strings.Contains(l, part) {
			return true
		}
	}
	return false
}

// Hand-made ops, shaped as PrepareWrite makes them and the simulator takes
// them.

func customerCreate(code string) WriteOp {
	item := fmt.Sprintf(`{"code":%q,"name":"Customer %s","custom_fields":[{"id":102,"value":"Wholesale"}]}`, code, code)
	return WriteOp{Entity: "customers", Kind: KindCreate, Method: "POST", Path: "/customers", Item: json.RawMessage(item),
		Label: fmt.Sprintf("customer code %q", code), NaturalKey: code}
}

func customerPatch(id int64, name string) WriteOp {
	return WriteOp{Entity: "customers", Kind: KindUpdate, Method: "PATCH", Path: "/customers",
		Item:  json.RawMessage(fmt.Sprintf(`{"id":%d,"name":%q}`, id, name)),
		Label: fmt.Sprintf("customer id %d", id), RecordKey: fmt.Sprintf("customers/id=%d", id)}
}

func contactCreate(customerCode, name string) WriteOp {
	return WriteOp{Entity: "contacts", Kind: KindCreate, Method: "POST", Path: "/contacts",
		Item:  json.RawMessage(fmt.Sprintf(`{"name":%q,"customer_code":%q}`, name, customerCode)),
		Label: fmt.Sprintf("contact %q", name)}
}

func stockUpdate(product, unit string, warehouse int64, level int) WriteOp {
	return WriteOp{Entity: "stock_levels", Kind: KindUpdate, Method: "POST", Path: "/stocklevels",
		Item:  json.RawMessage(fmt.Sprintf(`{"product_code":%q,"order_unit_name":%q,"warehouse_id":%d,"level":%d}`, product, unit, warehouse, level)),
		Label: fmt.Sprintf("stock level %s/%s/%d", product, unit, warehouse), RecordKey: fmt.Sprintf("stock_levels/%s/%s/%d", product, unit, warehouse)}
}

func taxRateCreate(name string, rate int) WriteOp {
	return WriteOp{Entity: "tax_rates", Kind: KindCreate, Method: "POST", Path: "/taxrates",
		Item: json.RawMessage(fmt.Sprintf(`{"name":%q,"rate":%d}`, name, rate)), Label: fmt.Sprintf("tax rate %q", name), NaturalKey: name}
}

// stockKey is one product unit in one warehouse.
type stockKey struct {
	product, unit string
	warehouse     int64
}

// stockKeys lists n distinct product/unit/warehouse keys of the simulator.
func (env *writeEnv) stockKeys(t testing.TB, n int) []stockKey {
	t.Helper()
	var warehouses []int64
	for _, w := range env.srv.Records("warehouses") {
		id, _ := IntProp(w, "id")
		warehouses = append(warehouses, id)
	}
	var keys []stockKey
	for _, p := range env.srv.Records("products") {
		units, _ := p["order_units"].([]any)
		for _, u := range units {
			name, _ := u.(map[string]any)["name"].(string)
			for _, w := range warehouses {
				keys = append(keys, stockKey{p["code"].(string), name, w})
				if len(keys) == n {
					return keys
				}
			}
		}
	}
	t.Fatalf("the simulator has only %d stock keys, want %d", len(keys), n)
	return nil
}

// stockLevels maps product/unit/warehouse to the level the server holds.
func (env *writeEnv) stockLevels() map[stockKey]string {
	out := map[stockKey]string{}
	for _, r := range env.srv.Records("stocklevels") {
		w, _ := IntProp(r, "warehouse_id")
		out[stockKey{r["product_code"].(string), r["order_unit_name"].(string), w}] = fmt.Sprint(r["level"])
	}
	return out
}

// codeCounts counts the server's records of collection by code.
func (env *writeEnv) codeCounts(collection string) map[string]int {
	out := map[string]int{}
	for _, r := range env.srv.Records(collection) {
		if c, ok := r["code"].(string); ok {
			out[c]++
		}
	}
	return out
}

// numberOps sets each op's Index to its queue position.
func numberOps(ops []WriteOp) []WriteOp {
	for i := range ops {
		ops[i].Index = i + 1
	}
	return ops
}
