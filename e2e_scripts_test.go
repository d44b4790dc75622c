package main

// Tests of the shipped scripts run by name (skynamo run NAME), each against
// a simulator the test reads independently to know the right answer. Mail
// goes to an outbox folder (SKYNAMO_MAIL_OUTBOX, or --sim's
// skynamo_data/outbox/) and is read back as MIME.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

// sentMail is one .eml file of an outbox, decoded.
type sentMail struct {
	to, subject string
	text, html  string
	attachments map[string][]byte // by file name
}

// outbox reads every .eml file in dir, sorted by file name.
func outbox(t *testing.T, dir string) []sentMail {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	var out []sentMail
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		dec := new(mime.WordDecoder)
		subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		m := sentMail{to: msg.Header.Get("To"), subject: subject, attachments: map[string][]byte{}}
		readPart(t, &m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
		out = append(out, m)
	}
	return out
}

// readPart walks a MIME part: alternatives give text and html, parts with
// a file name are attachments.
func readPart(t *testing.T, m *sentMail, ctype, encoding, disposition string, body io.Reader) {
	t.Helper()
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			readPart(t, m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
		}
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if _, dparams, err := mime.ParseMediaType(disposition); err == nil && dparams["filename"] != "" {
		m.attachments[dparams["filename"]] = data
		return
	}
	switch media {
	case "text/plain":
		m.text = string(data)
	case "text/html":
		m.html = string(data)
	}
}

// customValues reads a simulator record's custom fields by display name.
func customValues(rec map[string]any) map[string]string {
	out := map[string]string{}
	fields, _ := rec["custom_fields"].([]any)
	for _, f := range fields {
		m := f.(map[string]any)
		if v, ok := m["value"].(string); ok {
			out[m["name"].(string)] = v
		}
	}
	return out
}

// mailOutbox points a workdir's runs at an outbox folder instead of a mail
// server, as a user trying a script on production data would.
func (w *workdir) mailOutbox() string {
	dir := filepath.Join(w.dir, "outbox")
	w.env = append(w.env, "SKYNAMO_MAIL_OUTBOX="+dir, "SKYNAMO_SMTP_FROM=reports@demo-company.example")
	return dir
}

// The main job, e-mailed under --sim: the .eml lands in the user's data
// folder with every recipient, the CSV attached byte for byte, an HTML
// table and a plain-text alternative.
func TestScriptCustomerReportEmail(t *testing.T) {
	w := newWorkdir(t)
	r := w.run("run", "--sim", "customer_report", "--email", "boss@demo-company.example, Ann Lee <ann@demo-company.example>",
		"--email", "ops@demo-company.example")
	expectCode(t, r, 0)
	contains(t, r.stdout, "-> skynamo_data/output/customer_report.csv")
	contains(t, r.stderr, "not sent (--sim): written to skynamo_data/outbox/")

	mails := outbox(t, filepath.Join(w.dir, "skynamo_data", "outbox"))
	if len(mails) != 1 {
		t.Fatalf("%d messages in the outbox, want 1", len(mails))
	}
	m := mails[0]
	for _, want := range []string{"boss@demo-company.example", "ann@demo-company.example", "ops@demo-company.example"} {
		contains(t, m.to, want)
	}
	contains(t, m.subject, "Customer report: ")
	csvData, err := os.ReadFile(filepath.Join(w.dir, "skynamo_data", "output", "customer_report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.attachments["customer_report.csv"]; !bytes.Equal(got, csvData) {
		t.Errorf("attachment customer_report.csv is %d bytes, the CSV %d", len(got), len(csvData))
	}
	rows := w.readCSV("skynamo_data/output/customer_report.csv")
	top := rows[0]
	contains(t, m.html, "<table")
	contains(t, m.html, strings.ReplaceAll(strings.ReplaceAll(top["name"], "&", "&amp;"), `"`, "&quot;"))
	contains(t, m.text, "The top 10 by order value:")
	contains(t, m.text, " 1. "+top["code"]+" "+top["name"]+": "+top["order_count"]+" orders")
	contains(t, m.text, strconv.Itoa(len(rows))+" customers placed")

	contains(t, r.stdout, "written to the outbox (not sent)")
	if strings.Contains(r.stdout, "e-mailed to") {
		t.Errorf("an outbox run says it mailed:\n%s", r.stdout)
	}

	r = w.run("run", "--sim", "customer_report", "--email")
	expectCode(t, r, 2)
	contains(t, r.stderr, "--email needs a value: ADDR (try --help)")

	// A bad address or field is said before anything is pulled.
	r = w.run("run", "--sim", "customer_report", "--email", "boss@demo-company.example, bob")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--email "bob" is not an e-mail address`)
	r = w.run("run", "--sim", "customer_report", "--field", "credit_limit_rr")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--field "credit_limit_rr": customers have no custom field of that name; did you mean "Credit Limit (R)"?`)
	r = w.run("run", "--sim", "customer_report", "--field", "Shop Front")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--field "Shop Front": fields of type "Images Field" hold no value`)
}

// A script hands reader errors on unchanged, so an unreachable API exits 4
// with the hint, as assert(reader.customers()) in a user's script does.
func TestScriptCustomerReportAPIUnreachable(t *testing.T) {
	w := newWorkdir(t)
	w.useSim("http://127.0.0.1:1/v1/")
	r := w.run("run", "customer_report")
	expectCode(t, r, 4)
	contains(t, r.stderr, "--offline")
}

// stockReorderWant computes the reorder rows from the simulator's records:
// "warehouse|code|stock|level" for every active product with a level whose
// stock in a warehouse (base unit, else the smallest unit times its
// multiplier) is below it.
func stockReorderWant(t *testing.T, s *sim.Server) (rows map[string]bool, perWarehouse map[string]int) {
	t.Helper()
	type prod struct {
		code  string
		level float64
	}
	products := map[int64]prod{}
	mult := map[int64]float64{}
	for _, p := range s.Records("products") {
		for _, u := range p["order_units"].([]any) {
			um := u.(map[string]any)
			mult[idOf(t, um["id"])] = num(t, um["multiplier"])
		}
		v, ok := customValues(p)["Reorder Level"]
		if !ok || v == "" || p["active"] != true {
			continue
		}
		level, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		products[idOf(t, p["id"])] = prod{code: p["code"].(string), level: level}
	}
	names := map[int64]string{}
	for _, wh := range s.Records("warehouses") {
		names[idOf(t, wh["id"])] = wh["name"].(string)
	}
	type have struct{ base, m float64 }
	stock := map[string]have{} // product id|warehouse id
	for _, sl := range s.Records("stocklevels") {
		pid := idOf(t, sl["product_id"])
		if _, ok := products[pid]; !ok {
			continue
		}
		var wh int64
		if sl["warehouse_id"] != nil {
			wh = idOf(t, sl["warehouse_id"])
		}
		m := mult[idOf(t, sl["order_unit_id"])]
		key := fmt.Sprintf("%d|%d", pid, wh)
		if h, ok := stock[key]; !ok || m < h.m {
			stock[key] = have{base: num(t, sl["level"]) * m, m: m}
		}
	}
	rows, perWarehouse = map[string]bool{}, map[string]int{}
	for key, h := range stock {
		var pid, wh int64
		fmt.Sscanf(key, "%d|%d", &pid, &wh)
		p := products[pid]
		if h.base >= p.level {
			continue
		}
		name := names[wh]
		if wh == 0 {
			name = "(no warehouse)"
		}
		rows[fmt.Sprintf("%s|%s|%g|%g", name, p.code, h.base, p.level)] = true
		perWarehouse[name]++
	}
	return rows, perWarehouse
}

// stock_reorder: the CSV matches the simulator; each warehouse gets its own
// rows at its order e-mail (Durban's two addresses both), the rest goes to
// --fallback; without --fallback they are counted on stderr; --no-email
// mails nothing; a misspelt --level-field names the real one.
func TestScriptStockReorder(t *testing.T) {
	s, base := startSim(t, sim.Options{Seed: 5, Products: 60, Customers: 20, Orders: 40})
	w := newWorkdir(t)
	w.useSim(base)
	box := w.mailOutbox()

	r := w.run("run", "stock_reorder", "--fallback", "buyer@demo-company.example")
	expectCode(t, r, 0)
	want, perWarehouse := stockReorderWant(t, s)
	if len(want) == 0 || perWarehouse["(no warehouse)"] == 0 || len(perWarehouse) < 3 {
		t.Fatalf("the seed gives too little to test: %v", perWarehouse)
	}
	got := map[string]bool{}
	for _, row := range w.readCSV("skynamo_data/output/stock_reorder.csv") {
		got[strings.Join([]string{row["warehouse"], row["product_code"], row["stock"], row["reorder_level"]}, "|")] = true
		stock, _ := strconv.ParseFloat(row["stock"], 64)
		level, _ := strconv.ParseFloat(row["reorder_level"], 64)
		if short, _ := strconv.ParseFloat(row["shortfall"], 64); short != level-stock {
			t.Errorf("shortfall %v of %v", short, row)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing row %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected row %s", k)
		}
	}

	emails := map[string]string{
		"Johannesburg DC": "orders.jhb@demo-company.example",
		"Cape Town DC":    "orders.cpt@demo-company.example",
		"Durban Depot":    "orders.dbn@demo-company.example,dispatch.dbn@demo-company.example",
		"(no warehouse)":  "buyer@demo-company.example",
	}
	mails := outbox(t, box)
	if len(mails) != len(perWarehouse) {
		t.Fatalf("%d messages, want one per warehouse with rows: %v", len(mails), perWarehouse)
	}
	for _, m := range mails {
		var name string
		for wh := range perWarehouse {
			if strings.Contains(m.subject, " at "+wh) || (wh == "(no warehouse)" && strings.Contains(m.subject, "without a warehouse e-mail")) {
				name = wh
			}
		}
		if name == "" {
			t.Fatalf("message %q is for no warehouse", m.subject)
		}
		for _, addr := range strings.Split(emails[name], ",") {
			contains(t, m.to, addr)
		}
		if len(m.attachments) != 1 {
			t.Fatalf("%q has %d attachments", m.subject, len(m.attachments))
		}
		for file, data := range m.attachments {
			if !strings.HasPrefix(file, "stock_reorder_") {
				t.Errorf("attachment %q", file)
			}
			if n := bytes.Count(data, []byte("\n")) - 1; n != perWarehouse[name] {
				t.Errorf("%s: attachment has %d rows, want %d", name, n, perWarehouse[name])
			}
		}
		contains(t, m.html, "<table")
		if name == "(no warehouse)" {
			contains(t, m.subject, strconv.Itoa(perWarehouse[name])+" stock levels")
		} else {
			contains(t, m.subject, strconv.Itoa(perWarehouse[name])+" products")
		}
	}
	contains(t, r.stdout, fmt.Sprintf("%d stock levels below their Reorder Level", len(want)))
	contains(t, r.stdout, fmt.Sprintf("%d e-mails written to the outbox (not sent)", len(perWarehouse)))
	if strings.Contains(r.stdout, "e-mails sent") {
		t.Errorf("an outbox run says it sent mail:\n%s", r.stdout)
	}

	os.RemoveAll(box)
	r = w.run("run", "stock_reorder")
	expectCode(t, r, 0)
	contains(t, r.stderr, fmt.Sprintf("stock_reorder: %d rows not e-mailed (no warehouse order e-mail for: stock held without a warehouse); give --fallback ADDR", perWarehouse["(no warehouse)"]))
	if n := len(outbox(t, box)); n != len(perWarehouse)-1 {
		t.Errorf("%d messages without --fallback, want %d", n, len(perWarehouse)-1)
	}

	os.RemoveAll(box)
	r = w.run("run", "stock_reorder", "--no-email", "--out", "reorder.csv")
	expectCode(t, r, 0)
	if n := len(outbox(t, box)); n != 0 {
		t.Errorf("--no-email sent %d messages", n)
	}
	if rows := w.readCSV("reorder.csv"); len(rows) != len(want) {
		t.Errorf("--out has %d rows, want %d", len(rows), len(want))
	}

	r = w.run("run", "stock_reorder", "--level-field", "Reorder Levl", "--no-email")
	expectCode(t, r, 2)
	contains(t, r.stderr, `did you mean "Reorder Level"?`)

	// A warehouse whose mail fails does not stop the others; the run says
	// which failed and exits 5 (partial).
	var cpt any
	for _, wh := range s.Records("warehouses") {
		if wh["name"] == "Cape Town DC" {
			cpt = wh["id"]
		}
	}
	simWrite(t, base, "PATCH", "warehouses", fmt.Sprintf(`[{"id": %v, "order_email": "not an address"}]`, cpt))
	os.RemoveAll(box)
	r = w.run("run", "--refresh", "stock_reorder", "--fallback", "buyer@demo-company.example")
	expectCode(t, r, 5)
	contains(t, r.stderr, `stock_reorder: not e-mailed: Cape Town DC (not an address): `)
	contains(t, r.stdout, "1 failed")
	if n := len(outbox(t, box)); n != len(perWarehouse)-1 {
		t.Errorf("%d messages with one warehouse failing, want %d", n, len(perWarehouse)-1)
	}
}

// simWrite sends a write straight to the simulator, to change what the seed has.
func simWrite(t *testing.T, base, method, path, body string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-client", "demo")
	req.Header.Set("x-api-key", "demo-key")
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, text)
	}
}

// orders_per_rep_week: counts and base-currency totals per rep and ISO week
// match the simulator's orders.
func TestScriptOrdersPerRepWeek(t *testing.T) {
	s, base := startSim(t, sim.Options{Seed: 11, Customers: 60, Orders: 500})
	w := newWorkdir(t)
	w.useSim(base)

	before := time.Now().UTC()
	r := w.run("run", "orders_per_rep_week", "--weeks", "6")
	expectCode(t, r, 0)
	monday := func(t time.Time) time.Time {
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	}
	since := monday(before.AddDate(0, 0, -35)).Format("2006-01-02")
	if after := monday(time.Now().UTC().AddDate(0, 0, -35)).Format("2006-01-02"); after != since {
		t.Skip("the run straddled a week boundary")
	}

	names := map[int64]string{}
	for _, u := range s.Records("users") {
		names[idOf(t, u["id"])] = u["display_name"].(string)
	}
	reps := map[int64]string{}
	for _, in := range s.Records("interactions") {
		reps[idOf(t, in["id"])] = names[idOf(t, in["user_id"])]
	}
	type agg struct {
		n     int
		total float64
	}
	want := map[string]*agg{}
	for _, o := range s.Records("orders") {
		at, err := time.Parse(time.RFC3339Nano, o["date"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if at.Format("2006-01-02") < since {
			continue
		}
		y, wk := at.ISOWeek()
		key := fmt.Sprintf("%d-W%02d|%s|%s", y, wk, monday(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)).Format("2006-01-02"),
			reps[idOf(t, o["interaction_id"])])
		a := want[key]
		if a == nil {
			a = &agg{}
			want[key] = a
		}
		rate := 1.0
		if o["currency_rate_to_base"] != nil {
			rate = num(t, o["currency_rate_to_base"])
		}
		a.n++
		a.total += num(t, o["total_amount"]) * rate
	}
	rows := w.readCSV("skynamo_data/output/orders_per_rep_week.csv")
	if len(rows) != len(want) || len(rows) < 10 {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	prev := ""
	for _, row := range rows {
		key := row["week"] + "|" + row["week_start"] + "|" + row["rep"]
		a := want[key]
		if a == nil {
			t.Errorf("unexpected row %v", row)
			continue
		}
		if n, _ := strconv.Atoi(row["orders"]); n != a.n {
			t.Errorf("%s: %d orders, want %d", key, n, a.n)
		}
		if total, _ := strconv.ParseFloat(row["total"], 64); math.Abs(total-a.total) > 0.006 {
			t.Errorf("%s: total %v, want %.2f", key, total, a.total)
		}
		if order := row["week_start"] + "|" + row["rep"]; order < prev {
			t.Errorf("rows out of order at %s", key)
		} else {
			prev = order
		}
	}

	r = w.run("run", "orders_per_rep_week", "--weeks", "0")
	expectCode(t, r, 2)
	contains(t, r.stderr, "--weeks must be at least 1, got 0 (try --help)")
}

// customers_missing_data: one row per active customer without a location,
// an empty required field (Customer Type) or an empty --field.
func TestScriptCustomersMissingData(t *testing.T) {
	s, base := startSim(t, sim.Options{Seed: 13, Customers: 150, Orders: 50})
	w := newWorkdir(t)
	w.useSim(base)

	r := w.run("run", "customers_missing_data", "--field", "Région", "--field", "credit_limit_r")
	expectCode(t, r, 0)
	contains(t, r.stdout, "checked: location, Customer Type, Région, credit_limit_r")
	want := map[string]string{}
	for _, c := range s.Records("customers") {
		if c["active"] != true {
			continue
		}
		var missing []string
		loc, _ := c["location"].(map[string]any)
		if loc == nil || loc["latitude"] == nil || loc["longitude"] == nil {
			missing = append(missing, "location")
		}
		vals := customValues(c)
		for _, f := range []struct{ name, as string }{{"Customer Type", "Customer Type"}, {"Région", "Région"}, {"Credit Limit (R)", "credit_limit_r"}} {
			if vals[f.name] == "" {
				missing = append(missing, f.as)
			}
		}
		if len(missing) > 0 {
			want[c["code"].(string)] = strings.Join(missing, "; ")
		}
	}
	rows := w.readCSV("skynamo_data/output/customers_missing_data.csv")
	if len(rows) != len(want) || len(rows) < 5 {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, row := range rows {
		if got := row["missing"]; got != want[row["code"]] {
			t.Errorf("%s: missing %q, want %q", row["code"], got, want[row["code"]])
		}
		if row["missing_count"] != strconv.Itoa(strings.Count(row["missing"], ";")+1) {
			t.Errorf("%s: missing_count %s", row["code"], row["missing_count"])
		}
		if i > 0 && rows[i-1]["code"] > row["code"] {
			t.Errorf("not sorted by code at %s", row["code"])
		}
	}

	r = w.run("run", "customers_missing_data", "--field", "Regoin")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--field "Regoin": customers have no custom field of that name; did you mean "Région"?`)
	r = w.run("run", "customers_missing_data", "--field", "shop_front")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--field "shop_front": fields of type "Images Field" hold no value to check`)
}

// form_results: one row per completed Store Visit, one column per field of
// the form in form order (the divider has none), with values that match.
func TestScriptFormResults(t *testing.T) {
	s, base := startSim(t, sim.Options{Seed: 17, Customers: 40, Orders: 150})
	w := newWorkdir(t)
	w.useSim(base)

	r := w.run("run", "form_results", "--form", "Store Visit", "--out", "visits.csv")
	expectCode(t, r, 0)
	data, err := os.ReadFile(filepath.Join(w.dir, "visits.csv"))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.SplitN(strings.TrimPrefix(string(data), "\xef\xbb\xbf"), "\r\n", 2)[0]
	header = strings.SplitN(header, "\n", 2)[0]
	wantHeader := `date,customer_code,customer_name,rep,Shelf Share (%),Competitor Activity,Store Layout,Follow-up Needed,Visit Notes,Ranges Checked`
	if header != wantHeader {
		t.Errorf("header\n%s\nwant\n%s", header, wantHeader)
	}

	want := map[string]int{} // customer code|shelf share|follow-up
	for _, f := range s.Records("completedforms") {
		if idOf(t, f["form_id"]) != 14 {
			continue
		}
		v := customValues(f)
		want[f["customer_code"].(string)+"|"+v["Shelf Share (%)"]+"|"+v["Follow-up Needed"]]++
	}
	rows := w.readCSV("visits.csv")
	if len(rows) == 0 {
		t.Fatal("no results")
	}
	for _, row := range rows {
		want[row["customer_code"]+"|"+row["Shelf Share (%)"]+"|"+row["Follow-up Needed"]]--
	}
	for k, n := range want {
		if n != 0 {
			t.Errorf("%s: %+d rows", k, -n)
		}
	}
	for i := 1; i < len(rows); i++ {
		if rows[i-1]["date"] < rows[i]["date"] && rows[i-1]["date"][:10] < rows[i]["date"][:10] {
			t.Errorf("not newest first at row %d", i)
		}
	}

	r = w.run("run", "form_results")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--form is required: the name of a custom form, one of "Store Visit", "Competitor Price Survey"`)
	r = w.run("run", "form_results", "--form", "Store Vist")
	expectCode(t, r, 2)
	contains(t, r.stderr, `--form: no form is named "Store Vist"; did you mean "Store Visit"? (try --help)`)
	if strings.Contains(r.stderr, "form_results.lua:") {
		t.Fatalf("a usage error names a script line:\n%s", r.stderr)
	}
}

// form_results: a form field named like a fixed column (date, rep, ...)
// gets its own column instead of overwriting it. The shipped script runs
// with a stand-in reader whose form has such fields.
func TestScriptFormResultsColumnClash(t *testing.T) {
	w := newWorkdir(t)
	src := w.run("scripts", "--show", "form_results")
	expectCode(t, src, 0)
	w.write("form_results.lua", src.stdout)
	w.write("clash.lua", `
package.loaded.reader = {
  fields = function()
    local function f(name, typ)
      return { form = "Audit", form_id = 7, name = name, key = name, ident = name:lower(), type = typ or "Text Field" }
    end
    return { f("date", "Date Time Field"), f("Rep"), f("Notes"), f("customer_code") }
  end,
  completed_forms = function()
    return { { form_id = 7, date = "2026-11-02T10:00:00+02:00", customer_code = "C1", customer_name = "Shop",
      user_id = 1, custom = { date = "2026-10-01", Rep = "Bob", Notes = "ok", customer_code = "X9" } } }
  end,
  users = function() return { { id = 1, display_name = "Ann" } } end,
}
dofile("form_results.lua")
`)
	r := w.run("run", "clash.lua", "--form", "Audit", "--out", "clash.csv")
	expectCode(t, r, 0)
	contains(t, r.stdout, `1 result of "Audit", 4 fields`)
	rows := w.readCSV("clash.csv")
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	want := map[string]string{"customer_code": "C1", "rep": "Ann", "date (form)": "2026-10-01",
		"Rep (form)": "Bob", "Notes": "ok", "customer_code (form)": "X9"}
	for k, v := range want {
		if rows[0][k] != v {
			t.Errorf("%s = %q, want %q (row %v)", k, rows[0][k], v, rows[0])
		}
	}
	if !strings.HasPrefix(rows[0]["date"], "2026-11-02") {
		t.Errorf("date = %q, want the completed form's date", rows[0]["date"])
	}
}

// Every shipped script answers --help by name without a config or a
// connection, and skynamo scripts lists them.
func TestScriptsListedAndHelp(t *testing.T) {
	w := newWorkdir(t)
	r := w.run("scripts")
	expectCode(t, r, 0)
	for _, name := range []string{"customer_report", "stock_reorder", "orders_per_rep_week", "customers_missing_data", "form_results", "sync_erp_reference"} {
		contains(t, r.stdout, name+" ")
		h := w.run("run", name, "--help")
		expectCode(t, h, 0)
		contains(t, h.stdout, "usage: "+name+".lua")
		bad := w.run("run", name, "--bogus")
		expectCode(t, bad, 2)
		contains(t, bad.stderr, "unknown option --bogus (try --help)")
	}
}

// The fields option loads the custom field names before the read; when
// that fails the script gets nil, err like any read, so assert keeps the
// exit code and hint of an unreachable API.
func TestReaderFieldsOptionAPIUnreachable(t *testing.T) {
	w := newWorkdir(t)
	w.useSim("http://127.0.0.1:1/v1/")
	w.write("fields.lua", `local reader = require "reader"
assert(reader.customers{fields = {"code", "custom.Credit Limit (R)"}})
`)
	r := w.run("run", "fields.lua")
	expectCode(t, r, 4)
	contains(t, r.stderr, "--offline")
}

// Requiring reader and writer connects to nothing: a script that requires
// them at the top answers --help and reports its usage errors without a
// config, and without a summary line (it never used the API). The first
// call that needs the API connects, and a missing config then exits 2
// with the config hint, at that call's line.
func TestRequireReaderConnectsAtTheFirstRead(t *testing.T) {
	w := newWorkdir(t) // no config at all
	w.write("lazy.lua", `local reader = require "reader"
local writer = require "writer"
local args = require "args"
local opts = args.parse { description = "Customers, counted.", options = {
  { name = "days", type = "number", default = 7, help = "look back N days" },
  { name = "write", type = "flag", help = "queue a write instead" },
} }
if opts.write then
  writer.batch():create("customers", { code = "L1", name = "Lazy", custom = { ["Customer Type"] = "Wholesale" } })
end
print(#reader.customers())
`)
	h := w.run("run", "lazy.lua", "--help")
	expectCode(t, h, 0)
	contains(t, h.stdout, "usage: lazy.lua")
	if h.stderr != "" {
		t.Fatalf("--help wrote on stderr:\n%s", h.stderr)
	}

	bad := w.run("run", "lazy.lua", "--days", "x")
	expectCode(t, bad, 2)
	contains(t, bad.stderr, "(try --help)")
	if strings.Contains(bad.stderr, "done in") || strings.Contains(bad.stderr, "SKYNAMO_") {
		t.Fatalf("a usage error connected or printed a summary:\n%s", bad.stderr)
	}

	for _, args := range [][]string{{"run", "lazy.lua"}, {"run", "lazy.lua", "--write"}} {
		r := w.run(args...)
		expectCode(t, r, 2)
		contains(t, r.stderr, "SKYNAMO_INSTANCE_NAME is not set")
		contains(t, r.stderr, `hint: see the README's "Point it at a real instance", or try --sim`)
		line := "lazy.lua:11:" // the read
		if len(args) == 3 {
			line = "lazy.lua:9:" // the queued write checks the custom fields
		}
		contains(t, r.stderr, line)
		if strings.Contains(r.stderr, "done in") {
			t.Fatalf("a run that could not connect printed a summary:\n%s", r.stderr)
		}
	}

	// With a config the same script reads.
	_, base := startSim(t, sim.Options{Customers: 12, Users: 2, Seed: 3})
	w.useSim(base)
	r := w.run("run", "lazy.lua")
	expectCode(t, r, 0)
	if strings.TrimSpace(r.stdout) != "12" {
		t.Fatalf("stdout %q", r.stdout)
	}
}

// A projected read's records raise for a property the fields option left
// out, also through the tables helpers (at the script's line), while
// pretty, json and csv print them without tripping.
func TestProjectedRecordsRaiseForLeftOutProperties(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 20, Users: 2, Seed: 5})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("p.lua", `local reader = require "reader"
local tables = require "tables"
local pretty = require "pretty"
local json = require "json"
local csv = require "csv"
local c = assert(reader.customers { fields = { "code", "custom.Sales Area" } })
print(pretty.format(c, { rows = 2 }))
print(#json.encode(c) > 0, #csv.encode(c) > 0, #tables.filter(c, "code"))
print(#tables.sort_by(c, "custom.Sales Area"), #tables.aggregate(c, "custom.Sales Area", { n = "count" }))
for _, try in ipairs {
  function() return c[1].name end,
  function() return tables.sort_by(c, "name") end,
  function() return tables.map(c, "custom.Notes") end,
} do
  print(select(2, pcall(try)))
end
tables.filter(c, "active")
`)
	r := w.run("run", "-q", "p.lua")
	expectCode(t, r, 1)
	for _, want := range []string{
		"custom.Sales Area", "… 18 more rows",
		"true\ttrue\t20\n20\t",
		`p.lua:11: property "name" was not loaded: add "name" to the fields option`,
		`bad argument #2 to 'sort_by' (property "name" was not loaded: add "name" to the fields option)`,
		`bad argument #2 to 'map' (custom field "Notes" was not loaded: add "custom.Notes" to the fields option)`,
	} {
		contains(t, r.stdout, want)
	}
	contains(t, r.stderr, `skynamo: p.lua:17: bad argument #2 to 'filter' (property "active" was not loaded: add "active" to the fields option)`)
}

// Records read whole catch a slip of a property's name, also through the
// tables helpers (at the script's line), while nulls, a script's own keys,
// pretty, json and csv behave as for plain tables.
func TestWholeRecordsCatchSlipsInHelpers(t *testing.T) {
	_, base := startSim(t, sim.Options{Customers: 20, Users: 2, Seed: 5})
	w := newWorkdir(t)
	w.useSim(base)
	w.write("s.lua", `local reader = require "reader"
local tables = require "tables"
local pretty = require "pretty"
local json = require "json"
local csv = require "csv"
local o = assert(reader.orders())
for _, r in ipairs(o) do r.week = 1 end
print(#pretty.format(o, { rows = 2 }) > 0, #json.encode(o) > 0, #csv.encode(o) > 0)
print(tables.sum(o, "week") == #o, #tables.filter(o, "total_amount") == #o)
for _, try in ipairs {
  function() return tables.count(o, "currency_cod", "ZAR") end,
  function() return tables.group_by(o, "customer_nmae") end,
} do
  print(select(2, pcall(try)))
end
print(tables.sum(o, "totl_amount"))
`)
	r := w.run("run", "-q", "s.lua")
	expectCode(t, r, 1)
	for _, want := range []string{
		"true\ttrue\ttrue\ntrue\ttrue\n",
		`bad argument #2 to 'count' (orders have no property "currency_cod"; did you mean "currency_code"?)`,
		`bad argument #2 to 'group_by' (orders have no property "customer_nmae"; did you mean "customer_name"?)`,
	} {
		contains(t, r.stdout, want)
	}
	contains(t, r.stderr, `skynamo: s.lua:16: bad argument #2 to 'sum' (orders have no property "totl_amount"; did you mean "total_amount"?)`)
}
