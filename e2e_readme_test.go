package main

import (
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeWeeklyReport runs the README's "A weekly report, mailed"
// example exactly as the README prints it, so the first example a user
// copies keeps working as the modules change.
func TestReadmeWeeklyReport(t *testing.T) {
	t.Parallel()
	w := newWorkdir(t)
	readme, err := os.ReadFile(filepath.Join(w.repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	src := readmeBlock(t, string(readme), "```lua\n-- monday.lua")
	w.write("monday.lua", src)

	r := w.run("run", "--sim", "monday.lua")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	rows := w.readCSV("skynamo_data/output/orders_by_rep.csv")
	if len(rows) == 0 {
		t.Fatal("the report has no rows: the demo data has orders every week")
	}
	for _, row := range rows {
		if row["rep"] == "" || row["rep"] == "?" {
			t.Errorf("row without a rep's name: %v", row)
		}
		if _, err := strconv.ParseFloat(row["total"], 64); err != nil {
			t.Errorf("total %q is not a number", row["total"])
		}
	}

	outbox, err := filepath.Glob(filepath.Join(w.dir, "skynamo_data", "outbox", "*.eml"))
	if err != nil || len(outbox) != 1 {
		t.Fatalf("want one message in the outbox, got %v (%v)", outbox, err)
	}
	f, err := os.Open(outbox[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("the outbox message does not parse: %v", err)
	}
	if got := msg.Header.Get("To"); got != "manager@example.com" {
		t.Errorf("To = %q", got)
	}
	if !strings.HasPrefix(msg.Header.Get("Subject"), "Orders per rep, week of ") {
		t.Errorf("Subject = %q", msg.Header.Get("Subject"))
	}
	if !strings.Contains(r.stderr, "not sent (--sim)") {
		t.Errorf("stderr does not say the mail was kept back:\n%s", r.stderr)
	}
}

// readmeBlock returns the fenced code block that starts with start.
func readmeBlock(t *testing.T, readme, start string) string {
	t.Helper()
	i := strings.Index(readme, start)
	if i < 0 {
		t.Fatalf("README has no block starting %q", start)
	}
	body := readme[i+strings.Index(start, "\n")+1:]
	end := strings.Index(body, "\n```")
	if end < 0 {
		t.Fatalf("README block %q is not closed", start)
	}
	return body[:end+1]
}
