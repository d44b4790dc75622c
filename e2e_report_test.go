package main

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// expectedRow is the customer report computed in Go straight from the
// simulator's records, independently of the Lua script.
type expectedRow struct {
	count   int
	cents   map[string]int64
	last    time.Time
	rep     string
	custom  map[string]string
	orderAt []time.Time
	base    float64 // order value in the base currency
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			t.Fatal(err)
		}
		return f
	case float64:
		return n
	case nil:
		return 0
	}
	t.Fatalf("not a number: %#v", v)
	return 0
}

func idOf(t *testing.T, v any) int64 {
	t.Helper()
	return int64(num(t, v))
}

func expectedReport(t *testing.T, s *sim.Server, since time.Time) map[string]*expectedRow {
	t.Helper()
	names := map[int64]string{}
	for _, u := range s.Records("users") {
		names[idOf(t, u["id"])] = u["display_name"].(string)
	}
	reps := map[int64]string{}
	for _, in := range s.Records("interactions") {
		reps[idOf(t, in["id"])] = names[idOf(t, in["user_id"])]
	}
	byCustomer := map[int64][]map[string]any{}
	for _, o := range s.Records("orders") {
		at, err := time.Parse(time.RFC3339Nano, o["date"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if at.Before(since) {
			continue
		}
		id := idOf(t, o["customer_id"])
		byCustomer[id] = append(byCustomer[id], o)
	}
	out := map[string]*expectedRow{}
	for _, c := range s.Records("customers") {
		orders := byCustomer[idOf(t, c["id"])]
		if c["active"] != true || len(orders) == 0 {
			continue
		}
		row := &expectedRow{cents: map[string]int64{}, custom: map[string]string{}}
		for _, o := range orders {
			cur, _ := o["currency_code"].(string)
			row.cents[cur] += int64(math.Floor(num(t, o["total_amount"])*100 + 0.5))
			rate := 1.0
			if o["currency_rate_to_base"] != nil {
				rate = num(t, o["currency_rate_to_base"])
			}
			row.base += num(t, o["total_amount"]) * rate
			at, _ := time.Parse(time.RFC3339Nano, o["date"].(string))
			row.orderAt = append(row.orderAt, at)
			if row.count == 0 || at.After(row.last) {
				row.last = at
				row.rep = reps[idOf(t, o["interaction_id"])]
			}
			row.count++
		}
		if fields, ok := c["custom_fields"].([]any); ok {
			for _, f := range fields {
				m := f.(map[string]any)
				if v, ok := m["value"].(string); ok {
					row.custom[m["name"].(string)] = v
				}
			}
		}
		out[c["code"].(string)] = row
	}
	return out
}

// TestCustomerReportMatchesSimulator runs the shipped main job against a
// simulator and checks every row against what the simulator holds.
func TestCustomerReportMatchesSimulator(t *testing.T) {
	s, base := startSim(t, sim.Options{Customers: 120, Orders: 600, Seed: 7})
	w := newWorkdir(t)
	w.useSim(base)

	started := time.Now()
	r := w.run("run", w.script("customer_report.lua"), "--days", "90")
	expectCode(t, r, 0)
	contains(t, r.stdout, "skynamo_data/output/customer_report.csv")
	finished := time.Now()

	rows := w.readCSV("skynamo_data/output/customer_report.csv")
	want := expectedReport(t, s, started.Add(-90*24*time.Hour))
	// An order within the seconds the run took of the 90-day boundary may
	// fall on either side of it; such customers are not compared.
	boundary := func(e *expectedRow) bool {
		for _, at := range e.orderAt {
			lo, hi := started.Add(-90*24*time.Hour-time.Second), finished.Add(-90*24*time.Hour+time.Second)
			if at.After(lo) && at.Before(hi) {
				return true
			}
		}
		return false
	}
	if len(rows) == 0 {
		t.Fatal("the report has no rows")
	}
	seen := map[string]bool{}
	currencies := map[string]bool{}
	for _, e := range want {
		for cur := range e.cents {
			currencies[cur] = true
		}
	}
	for _, row := range rows {
		code := row["code"]
		seen[code] = true
		e, ok := want[code]
		if !ok {
			t.Errorf("customer %s is in the report but has no recent order or is inactive", code)
			continue
		}
		if boundary(e) {
			continue
		}
		if got := row["order_count"]; got != strconv.Itoa(e.count) {
			t.Errorf("%s: order_count %s, want %d", code, got, e.count)
		}
		for cur, cents := range e.cents {
			col := "order_total"
			if len(currencies) > 1 {
				col = "order_total_" + cur
			}
			got, err := strconv.ParseFloat(row[col], 64)
			if err != nil || int64(math.Round(got*100)) != cents {
				t.Errorf("%s: %s = %q, want %.2f", code, col, row[col], float64(cents)/100)
			}
		}
		if got, want := row["last_order_date"], e.last.Format("2006-01-02"); got != want {
			t.Errorf("%s: last_order_date %s, want %s", code, got, want)
		}
		if row["last_order_rep"] != e.rep {
			t.Errorf("%s: last_order_rep %q, want %q", code, row["last_order_rep"], e.rep)
		}
		if got, want := row["Customer Type"], e.custom["Customer Type"]; got != want {
			t.Errorf("%s: Customer Type %q, want %q", code, got, want)
		}
		if w := e.custom["Credit Limit (R)"]; w != "" {
			gf, _ := strconv.ParseFloat(row["Credit Limit (R)"], 64)
			wf, _ := strconv.ParseFloat(w, 64)
			if gf != wf {
				t.Errorf("%s: Credit Limit (R) %q, want %q", code, row["Credit Limit (R)"], w)
			}
		}
	}
	for code, e := range want {
		if !seen[code] && !boundary(e) {
			t.Errorf("customer %s has recent orders but is missing from the report", code)
		}
	}
	// Sorted by value in the base currency, largest first.
	var bases []float64
	for _, row := range rows {
		if e, ok := want[row["code"]]; ok {
			bases = append(bases, e.base)
		}
	}
	if !sort.SliceIsSorted(bases, func(i, j int) bool { return bases[i] > bases[j] }) {
		t.Errorf("rows are not sorted by order value, largest first: %v", bases)
	}
}
