package sim

import (
	"strings"
	"testing"
)

func TestWriteVisitFrequencies(t *testing.T) {
	s, base := startServer(t, smallOptions())
	cust := s.Records("customers")[0]["code"].(string)
	var top int64
	for _, r := range s.Records("visitfrequencies") {
		top = max(top, mustInt(t, r["row_version"]))
	}
	w := write(t, base, "POST", "visitfrequencies", `[{"customer_code":"`+cust+`","user_name":"thabo.mokoena","cycle":2,"frequency":1,"period":"month"}]`).write(t, 200)
	id := int64(w.Data[0]["id"].(float64))
	newer := pullAll(t, base, "visitfrequencies", filterQuery("greater_than(row_version,"+itoa(top)+")"))
	if len(newer) != 1 || idOf(t, newer[0]) != id || newer[0]["user_name"] != "thabo.mokoena" || newer[0]["customer_code"] != cust || newer[0]["period"] != "month" {
		t.Fatalf("row_version pull after POST: %v", newer)
	}
	// The hidden create_date is the time of the POST (the seed's clock stands at 2026-03-02T09:30+02:00).
	if got := pullAll(t, base, "visitfrequencies", filterQuery("greater_than(create_date,2026-03-02T07:29:59Z)")); len(got) != 1 || idOf(t, got[0]) != id {
		t.Errorf("create_date filter after POST: %v", got)
	}
	write(t, base, "PATCH", "visitfrequencies", `[{"id":`+itoa(id)+`,"frequency":3}]`).write(t, 200)
	body := string(get(t, base, "visitfrequencies/"+itoa(id)).body)
	if !strings.Contains(body, `"frequency":3`) || !strings.Contains(body, `"cycle":2`) {
		t.Fatalf("after PATCH: %s", body)
	}
	write(t, base, "PUT", "visitfrequencies", `[{"id":`+itoa(id)+`,"customer_code":"`+cust+`","user_id":101,"cycle":1,"frequency":1,"period":"year"}]`).write(t, 200)
	if body := string(get(t, base, "visitfrequencies/"+itoa(id)).body); !strings.Contains(body, `"period":"year"`) || !strings.Contains(body, `"frequency":1`) {
		t.Fatalf("after PUT: %s", body)
	}
	before := len(s.Records("visitfrequencies"))
	w = write(t, base, "POST", "visitfrequencies", `[{"customer_code":"`+cust+`","user_id":101,"cycle":1,"frequency":1,"period":"fortnight"},`+
		`{"customer_code":"NOPE","user_id":101,"cycle":1,"frequency":1,"period":"week"},`+
		`{"customer_code":"`+cust+`","user_name":"nobody","cycle":1,"frequency":1,"period":"week"},`+
		`{"customer_code":"`+cust+`","user_id":101,"cycle":0,"frequency":1,"period":"week"},`+
		`{"customer_code":"`+cust+`","cycle":1,"frequency":1,"period":"week"}]`).write(t, 400)
	want := []string{"must be one of week, month, year", `no customer with code "NOPE"`, `no user with user name "nobody"`,
		"cycle must be at least 1", "user_id or user_name is required"}
	for i, sub := range want {
		if i >= len(w.Errors) || w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors, sub)
		}
	}
	if len(s.Records("visitfrequencies")) != before {
		t.Fatal("rejected request saved visit frequencies")
	}
}

func TestWriteScheduledVisits(t *testing.T) {
	s, base := startServer(t, smallOptions())
	cust := s.Records("customers")[0]["code"].(string)
	w := write(t, base, "POST", "scheduledvisits", `[{"customer_code":"`+cust+`","assigned_user_name":"thabo.mokoena","due_date":"2026-03-05T09:00:00+02:00","comment":"Bring samples"},`+
		`{"customer_code":"`+cust+`","assigned_user_id":101,"due_date":"2026-03-06T09:00:00+02:00","end_time":"2026-03-06T10:00:00+02:00"}]`).write(t, 200)
	allDay, timed := itoa(int64(w.Data[0]["id"].(float64))), itoa(int64(w.Data[1]["id"].(float64)))
	body := string(get(t, base, "scheduledvisits/"+allDay).body)
	for _, want := range []string{`"all_day":true`, `"assigned_user_id":101`, `"creator_user_name":"thabo.mokoena"`, `"customer_code":"` + cust + `"`, `"comment":"Bring samples"`} {
		if !strings.Contains(body, want) {
			t.Errorf("all-day visit lacks %s: %s", want, body)
		}
	}
	if body := string(get(t, base, "scheduledvisits/"+timed).body); !strings.Contains(body, `"all_day":false`) || !strings.Contains(body, `"end_time":"2026-03-06T10:00:00`) {
		t.Errorf("timed visit: %s", body)
	}
	// PATCH: an end time ends all_day; all_day true drops the end time.
	write(t, base, "PATCH", "scheduledvisits", `[{"id":`+allDay+`,"end_time":"2026-03-05T11:00:00+02:00"},{"id":`+timed+`,"all_day":true}]`).write(t, 200)
	if body := string(get(t, base, "scheduledvisits/"+allDay).body); !strings.Contains(body, `"all_day":false`) || !strings.Contains(body, `"comment":"Bring samples"`) {
		t.Errorf("after PATCH with end_time: %s", body)
	}
	if body := string(get(t, base, "scheduledvisits/"+timed).body); !strings.Contains(body, `"all_day":true`) || strings.Contains(body, `"end_time":"`) {
		t.Errorf("after PATCH all_day: %s", body)
	}
	write(t, base, "PUT", "scheduledvisits", `[{"id":`+allDay+`,"customer_code":"`+cust+`","assigned_user_id":101,"due_date":"2026-03-07T09:00:00+02:00"}]`).write(t, 200)
	if body := string(get(t, base, "scheduledvisits/"+allDay).body); !strings.Contains(body, `"all_day":true`) || strings.Contains(body, "Bring samples") || !strings.Contains(body, `"creator_user_name":"thabo.mokoena"`) {
		t.Errorf("after PUT: %s", body)
	}
	w = write(t, base, "POST", "scheduledvisits", `[{"customer_code":"`+cust+`","assigned_user_id":101,"due_date":"2026-03-06T09:00:00+02:00","end_time":"2026-03-06T08:00:00+02:00"},`+
		`{"customer_code":"`+cust+`","assigned_user_id":101,"due_date":"2026-03-06T09:00:00+02:00","all_day":false},`+
		`{"customer_code":"`+cust+`","assigned_user_id":101,"due_date":"2026-03-06T09:00:00+02:00","end_time":"2026-03-06T10:00:00+02:00","all_day":true},`+
		`{"customer_code":"`+cust+`","due_date":"2026-03-06T09:00:00+02:00"},`+
		`{"assigned_user_id":101,"due_date":"2026-03-06T09:00:00+02:00"}]`).write(t, 400)
	want := []string{"is not after due_date", "no end_time", "all_day is true but an end_time", "assigned_user_id or assigned_user_name is required", "customer_id or customer_code is required"}
	for i, sub := range want {
		if i >= len(w.Errors) || w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors, sub)
		}
	}
	write(t, base, "DELETE", "scheduledvisits", `[`+allDay+`,`+timed+`]`).write(t, 200)
	if r := get(t, base, "scheduledvisits/"+timed); r.status != 404 {
		t.Errorf("deleted visit: %d", r.status)
	}
	if w := write(t, base, "DELETE", "scheduledvisits", `[`+timed+`]`).write(t, 400); w.Errors[0].Index != 0 {
		t.Errorf("%+v", w.Errors)
	}
}
