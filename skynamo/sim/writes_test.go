package sim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func write(t *testing.T, base, method, path, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = http.Header{"X-Api-Key": {DefaultAPIKey}, "X-Api-Client": {DefaultInstance}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{status: -1}
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return reply{resp.StatusCode, resp.Header, []byte(b.String())}
}

type writeReply struct {
	Message string
	Data    []map[string]any
	Errors  []struct {
		Index  int
		Detail []string
	}
}

func (r reply) write(t *testing.T, want int) writeReply {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	var w writeReply
	if err := json.Unmarshal(r.body, &w); err != nil {
		t.Fatalf("%s: %v", r.body, err)
	}
	return w
}

func TestWriteTaxRates(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("taxrates"))
	w := write(t, base, "POST", "taxrates", `[{"name":"VAT 16% (T03)","rate":16,"active":true},{"name":"Levy (T04)","rate":1.5}]`).write(t, 200)
	if len(w.Data) != 2 || w.Data[0]["id"] == nil {
		t.Fatalf("data %v", w.Data)
	}
	id := int64(w.Data[1]["id"].(float64))
	recs := s.Records("taxrates")
	if len(recs) != before+2 || recs[len(recs)-1]["name"] != "Levy (T04)" {
		t.Fatalf("after POST: %v", recs)
	}
	write(t, base, "PATCH", "taxrates", `[{"id":`+itoa(id)+`,"rate":2}]`).write(t, 200)
	got := get(t, base, "taxrates/"+itoa(id))
	if !strings.Contains(string(got.body), `"rate":2,`) || !strings.Contains(string(got.body), `"name":"Levy (T04)"`) {
		t.Fatalf("after PATCH: %s", got.body)
	}
	write(t, base, "PUT", "taxrates", `[{"id":`+itoa(id)+`,"name":"Levy"}]`).write(t, 200)
	if got := get(t, base, "taxrates/"+itoa(id)); !strings.Contains(string(got.body), `"rate":0,`) {
		t.Fatalf("PUT replaces the whole item: %s", got.body)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestWriteValidation(t *testing.T) {
	s, base := startServer(t, smallOptions())
	before := len(s.Records("warehouses"))
	body := `[{"name":"ok"},{"name":"x","colour":"red"},{"name":5},{"active":true},"nope",{"name":"y","active":"yes"}]`
	w := write(t, base, "POST", "warehouses", body).write(t, 400)
	want := map[int]string{1: `unknown property "colour"`, 2: "name must be a string", 3: "name is required",
		4: "JSON object", 5: "active must be true or false"}
	if len(w.Errors) != len(want) {
		t.Fatalf("errors %+v", w.Errors)
	}
	for _, e := range w.Errors {
		if !strings.Contains(strings.Join(e.Detail, ";"), want[e.Index]) {
			t.Errorf("item %d: %v, want %q", e.Index, e.Detail, want[e.Index])
		}
	}
	if n := len(s.Records("warehouses")); n != before {
		t.Fatalf("rejected request saved items: %d -> %d", before, n)
	}
	w = write(t, base, "PATCH", "warehouses", `[{"id":1,"last_modified_time":"2026-01-01T00:00:00Z"},{"id":999,"name":"z"},{"name":"no id"}]`).write(t, 400)
	for i, sub := range []string{"read-only", "no warehouse with id 999", "id is required"} {
		if w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("PATCH error %d: %+v, want %q", i, w.Errors[i], sub)
		}
	}
	w = write(t, base, "POST", "tasks", `[{"description":"d","due_date":"tomorrow","assigned_user_id":101,"anytime":true}]`).write(t, 400)
	if !strings.Contains(w.Errors[0].Detail[0], "date-time") {
		t.Errorf("bad date: %+v", w.Errors)
	}
	if r := write(t, base, "POST", "warehouses", `{"name":"x"}`); r.status != 400 {
		t.Errorf("object body: %d", r.status)
	}
}

func TestWriteMixedBatch(t *testing.T) {
	for _, applyValid := range []bool{false, true} {
		o := smallOptions()
		o.ApplyValidOnError = applyValid
		s, base := startServer(t, o)
		before := len(s.Records("pricelists"))
		w := write(t, base, "POST", "pricelists", `[{"name":"A"},{"name":"B","currency_code":7},{"name":"C"}]`).write(t, 400)
		if len(w.Errors) != 1 || w.Errors[0].Index != 1 {
			t.Fatalf("errors %+v", w.Errors)
		}
		want := before
		if applyValid {
			want += 2
		}
		if n := len(s.Records("pricelists")); n != want {
			t.Errorf("applyValid=%v: %d price lists, want %d", applyValid, n, want)
		}
	}
}

func TestWriteTasksAndRowVersion(t *testing.T) {
	s, base := startServer(t, smallOptions())
	tasks := s.Records("tasks")
	var top int64
	for _, r := range tasks {
		top = max(top, mustInt(t, r["row_version"]))
	}
	w := write(t, base, "POST", "tasks", `[{"description":"Call back","due_date":"2026-03-05T10:00:00+02:00","assigned_user_name":"thabo.mokoena","anytime":false}]`).write(t, 200)
	id := int64(w.Data[0]["id"].(float64))
	if rv := int64(w.Data[0]["row_version"].(float64)); rv <= top {
		t.Fatalf("row_version %d not above %d", rv, top)
	}
	newer := pullAll(t, base, "tasks", filterQuery("greater_than(row_version,"+itoa(top)+")"))
	if len(newer) != 1 || idOf(t, newer[0]) != id || newer[0]["assigned_user_id"] != json.Number("101") {
		t.Fatalf("row_version pull after POST: %v", newer)
	}
	write(t, base, "PATCH", "tasks", `[{"id":`+itoa(id)+`,"description":"Called"}]`).write(t, 200)
	if got := get(t, base, "tasks/"+itoa(id)); !strings.Contains(string(got.body), `"Called"`) {
		t.Fatalf("after PATCH: %s", got.body)
	}
	write(t, base, "DELETE", "tasks", `[`+itoa(id)+`]`).write(t, 200)
	if got := get(t, base, "tasks/"+itoa(id)); got.status != 404 {
		t.Fatalf("deleted task: %d", got.status)
	}
	w = write(t, base, "DELETE", "tasks", `[`+itoa(id)+`]`).write(t, 400)
	if w.Errors[0].Index != 0 {
		t.Fatal(w.Errors)
	}
}

func TestWriteRouting(t *testing.T) {
	s, base := startServer(t, smallOptions())
	for _, c := range [][2]string{{"PATCH", "customers/17"}, {"DELETE", "taxrates"}, {"POST", "users"}} {
		if r := write(t, base, c[0], c[1], `[]`); r.status != 403 || r.message(t) != "Missing Authentication Token" {
			t.Errorf("%s %s: %d %s", c[0], c[1], r.status, r.body)
		}
	}
	req, _ := http.NewRequest("POST", base+"taxrates", strings.NewReader(`[{"name":"x"}]`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("write without key: %d", resp.StatusCode)
	}
	s.SetFaults(Faults{QuotaLimit: 1})
	write(t, base, "POST", "taxrates", `[{"name":"x"}]`).write(t, 200)
	if r := write(t, base, "POST", "taxrates", `[{"name":"y"}]`); r.status != 429 {
		t.Errorf("write past quota: %d", r.status)
	}
}

func TestMaxWriteItems(t *testing.T) {
	o := smallOptions()
	o.MaxWriteItems = 2
	s, base := startServer(t, o)
	before := len(s.Records("taxrates"))
	w := write(t, base, "POST", "taxrates", `[{"name":"a"},{"name":"b"},{"name":"c"}]`).write(t, 400)
	if !strings.Contains(w.Message, "at most 2") || len(s.Records("taxrates")) != before {
		t.Fatalf("%+v", w)
	}
	write(t, base, "POST", "taxrates", `[{"name":"a"},{"name":"b"}]`).write(t, 200)
}

func TestCommitThenFail(t *testing.T) {
	o := smallOptions()
	o.CommitThenFail = 1
	s, base := startServer(t, o)
	before := len(s.Records("taxrates"))
	for i := 0; i < 6; i++ {
		if r := write(t, base, "POST", "taxrates", `[{"name":"dup"}]`); r.status == 200 {
			t.Fatalf("write %d answered 200", i)
		}
	}
	if n := len(s.Records("taxrates")); n != before+6 || s.CommittedThenFailed() != 6 {
		t.Fatalf("%d tax rates (want %d), %d failed", n, before+6, s.CommittedThenFailed())
	}
}

// Every write the simulator serves is in the spec, with the spec's body
// definition and (id aside) its properties.
func TestContractWrites(t *testing.T) {
	sp := loadSpec(t)
	for path, ms := range writeOps() {
		for m, op := range ms {
			if _, ok := sp.Paths["/"+path][strings.ToLower(m)]; !ok {
				t.Errorf("simulator serves %s /%s, which the spec lacks", m, path)
				continue
			}
			d := sp.Definitions[op.def.name]
			if d == nil {
				t.Errorf("%s /%s: no definition %s", m, path, op.def.name)
				continue
			}
			if op.scalar != "" {
				if d.Type != "array" {
					t.Errorf("%s /%s: %s is not an array of keys", m, path, op.def.name)
				}
				continue
			}
			for _, p := range op.def.props {
				if _, ok := d.Properties[p.name]; !ok {
					t.Errorf("%s has no property %s", op.def.name, p.name)
				}
			}
		}
	}
}
