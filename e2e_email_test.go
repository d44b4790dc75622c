package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"skynamo/skynamo/mail"
	"skynamo/skynamo/mail/mailtest"
)

// mailScript writes a CSV where reports go and mails it by its bare name.
const mailScript = `
local email = require "email"
local f = assert(io.open("skynamo_data/output/report.csv", "w"))
f:write("code,name\n", "C1,Müller\n")
f:close()
local ok, err = email.send{
  to = {"a@x.com", "Bea <b@y.com>"},
  subject = "Weekly report",
  text = "Attached.", html = "<p>Attached.</p>",
  attachments = {"report.csv"},
}
print(ok, err)
`

func TestE2EEmailSimWritesOutbox(t *testing.T) {
	w := newWorkdir(t)
	w.write("mail.lua", mailScript)
	if err := os.MkdirAll(filepath.Join(w.dir, "skynamo_data", "output"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.run("run", "--sim", "mail.lua")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "true\tnil" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	note := regexp.MustCompile(`skynamo: email "Weekly report" to a@x\.com, b@y\.com not sent \(--sim\): written to (skynamo_data/outbox/\d{8}T\d{6}Z-1-weekly-report\.eml)\n`)
	m := note.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr lacks the outbox note:\n%s", r.stderr)
	}
	path := filepath.Join(w.dir, m[1])
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	for _, want := range []string{"To: a@x.com, Bea <b@y.com>\r\n", "Subject: Weekly report\r\n",
		"Content-Disposition: attachment; filename=\"report.csv\"\r\n", "Y29kZSxuYW1lCkMxLE3DvGxsZXIK"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", m[1], want, data)
		}
	}
	// --quiet keeps the file and drops the note.
	r = w.run("run", "--sim", "-q", "mail.lua")
	if r.code != 0 || strings.Contains(r.stderr, "not sent") {
		t.Errorf("--quiet: exit %d, stderr %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(w.dir, "skynamo_data", "outbox"))
	if len(entries) != 2 {
		t.Errorf("the outbox holds %d files, want 2", len(entries))
	}
}

// TestE2EEmailSMTPWithoutAPIConfig sends through a real SMTP server with
// STARTTLS and a private CA, with no API key or config file at all.
func TestE2EEmailSMTPWithoutAPIConfig(t *testing.T) {
	const password = "smtp-secret-4471"
	srv := mailtest.Start(t, mailtest.Options{Security: mail.StartTLS, Username: "bot@example.com", Password: password})
	w := newWorkdir(t)
	w.write("mail.lua", mailScript)
	if err := os.MkdirAll(filepath.Join(w.dir, "skynamo_data", "output"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.env = append(w.env, "SKYNAMO_SMTP_HOST=127.0.0.1", "SKYNAMO_SMTP_PORT="+strconv.Itoa(srv.Port),
		"SKYNAMO_SMTP_USERNAME=bot@example.com", "SKYNAMO_SMTP_CA_FILE="+srv.CAFile)
	base := w.env

	w.env = append(base, "SKYNAMO_SMTP_PASSWORD="+password)
	r := w.run("run", "mail.lua")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "true\tnil" {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].From != "bot@example.com" || !strings.Contains(string(msgs[0].Data), "filename=\"report.csv\"") {
		t.Fatalf("received %+v", msgs)
	}

	w.env = append(base, "SKYNAMO_SMTP_PASSWORD=wrong-"+password)
	r = w.run("run", "mail.lua")
	if r.code != 0 || !strings.Contains(r.stdout, "nil\temail.send: email not sent: the login (127.0.0.1:") || !strings.Contains(r.stdout, "535") {
		t.Errorf("wrong password: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Errorf("the password shows:\n%s\n%s", r.stdout, r.stderr)
	}
}

func TestE2EEmailNotSetUpIsAUsageError(t *testing.T) {
	w := newWorkdir(t)
	w.write("mail.lua", `require("email").send{to = "a@x.com", subject = "s", text = "t"}`)
	r := w.run("run", "mail.lua")
	if r.code != 2 || !strings.Contains(r.stderr, "email is not set up") || !strings.Contains(r.stderr, "SKYNAMO_GMAIL_SENDER") {
		t.Errorf("exit %d\nstderr %s", r.code, r.stderr)
	}
	// SKYNAMO_MAIL_OUTBOX needs no server either.
	w.env = append(w.env, "SKYNAMO_MAIL_OUTBOX=held")
	r = w.run("run", "mail.lua")
	if r.code != 0 || !strings.Contains(r.stderr, "not sent (SKYNAMO_MAIL_OUTBOX): written to held/") {
		t.Errorf("outbox: exit %d\nstderr %s", r.code, r.stderr)
	}
}
