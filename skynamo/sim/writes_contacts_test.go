package sim

import (
	"strings"
	"testing"
)

func TestWriteContacts(t *testing.T) {
	s, base := startServer(t, smallOptions())
	custs := s.Records("customers")
	c1, c2 := custs[0]["code"].(string), custs[1]["code"].(string)
	var top int64
	for _, r := range s.Records("contacts") {
		top = max(top, mustInt(t, r["row_version"]))
	}
	w := write(t, base, "POST", "contacts", `[{"name":"Lindiwe","surname":"Dlamini","customer_code":"`+c1+`","email":"l@x.example","active":true}]`).write(t, 200)
	id := int64(w.Data[0]["id"].(float64))
	newer := pullAll(t, base, "contacts", filterQuery("greater_than(row_version,"+itoa(top)+")"))
	if len(newer) != 1 || idOf(t, newer[0]) != id || newer[0]["customer_code"] != c1 || newer[0]["customer_id"] == nil || newer[0]["create_date"] == "" {
		t.Fatalf("row_version pull after POST: %v", newer)
	}
	write(t, base, "PATCH", "contacts", `[{"id":`+itoa(id)+`,"customer_code":"`+c2+`","job_title":"Buyer"}]`).write(t, 200)
	body := string(get(t, base, "contacts/"+itoa(id)).body)
	for _, want := range []string{`"customer_code":"` + c2 + `"`, `"job_title":"Buyer"`, `"email":"l@x.example"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after PATCH lacks %s: %s", want, body)
		}
	}
	write(t, base, "PUT", "contacts", `[{"id":`+itoa(id)+`,"name":"Lindi","customer_code":"`+c2+`"}]`).write(t, 200)
	if body := string(get(t, base, "contacts/"+itoa(id)).body); strings.Contains(body, "Buyer") || !strings.Contains(body, `"name":"Lindi"`) {
		t.Errorf("after PUT: %s", body)
	}
	w = write(t, base, "POST", "contacts", `[{"name":"A","customer_code":"NOPE"},{"name":"B"},{"name":"C","customer_code":"`+c1+`","customer_id":1},{"id":5,"name":"D","customer_code":"`+c1+`"}]`).write(t, 400)
	want := []string{`no customer with code "NOPE"`, "customer_code is required", `unknown property "customer_id"`, `unknown property "id"`}
	for i, sub := range want {
		if i >= len(w.Errors) || w.Errors[i].Index != i || !strings.Contains(strings.Join(w.Errors[i].Detail, ";"), sub) {
			t.Errorf("error %d: %+v, want %q", i, w.Errors, sub)
		}
	}
}
