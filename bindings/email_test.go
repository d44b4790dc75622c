package bindings

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo/mail"
	"skynamo/skynamo/mail/mailtest"
)

const emailSecret = "gmail-app-pw-z8q"

// emailState is a Lua state with the email module over cfg, working in
// dir; notes collects what the module tells the user.
func emailState(t *testing.T, dir string, cfg EmailConfig, cfgErr error) (*lua.LState, *[]string) {
	t.Helper()
	var notes []string
	m := NewEmail(EmailOptions{
		Config:    func() (EmailConfig, error) { return cfg, cfgErr },
		Path:      func(p string) string { return filepath.Join(dir, p) },
		OutputDir: func() string { return filepath.Join(dir, "skynamo_data", "output") },
		Notef:     func(f string, a ...any) { notes = append(notes, fmt.Sprintf(f, a...)) },
		Now:       func() time.Time { return time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC) },
		MessageID: func(*netmail.Address) string { return "<fixed@example.com>" },
	})
	L := lua.NewState()
	t.Cleanup(L.Close)
	L.SetContext(context.Background())
	L.PreloadModule("email", m.Loader)
	return L, &notes
}

// runLua runs code and returns its results as strings ("nil" for nil).
func runLua(t *testing.T, L *lua.LState, code string) ([]string, error) {
	t.Helper()
	top := L.GetTop()
	if err := L.DoString(code); err != nil {
		return nil, err
	}
	var out []string
	for i := top + 1; i <= L.GetTop(); i++ {
		out = append(out, L.Get(i).String())
	}
	L.SetTop(top)
	return out, nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEmailSendThroughSMTP(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Security: mail.StartTLS, Username: "reports@example.com", Password: emailSecret})
	dir := t.TempDir()
	// A bare name is found in <data dir>/output/, as the older SDK did.
	writeFile(t, filepath.Join(dir, "skynamo_data", "output", "Kunden.csv"), "code,name\r\nC1,Müller\r\n")
	writeFile(t, filepath.Join(dir, "extra.txt"), "x")
	L, _ := emailState(t, dir, EmailConfig{Settings: srv.Settings(), Configured: true}, nil)
	got, err := runLua(t, L, `
		local email = require "email"
		return email.send{
			to = {"Märta <m@example.com>", "b@example.com"}, cc = "c@example.com", bcc = {"audit@example.com"},
			subject = "Kunden – Woche 48", text = "see attached", html = "<p>see <b>attached</b></p>",
			attachments = {"Kunden.csv", {path = "extra.txt", name = "Übersicht.txt", content_type = "text/plain"}},
		}`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "true" {
		t.Fatalf("email.send returned %v", got)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("the server received %d messages", len(msgs))
	}
	if strings.Join(msgs[0].To, " ") != "m@example.com b@example.com c@example.com audit@example.com" {
		t.Errorf("envelope recipients %v", msgs[0].To)
	}
	data := string(msgs[0].Data)
	for _, want := range []string{
		"Date: Thu, 03 Dec 2026 07:00:00 +0000\r\n",
		"From: reports@example.com\r\n",
		"To: =?UTF-8?q?M=C3=A4rta?= <m@example.com>, b@example.com\r\n",
		"Cc: c@example.com\r\n",
		"Subject: =?UTF-8?q?Kunden_=E2=80=93_Woche_48?=\r\n",
		"Message-ID: <fixed@example.com>\r\n",
		"Content-Type: multipart/alternative;",
		"Content-Type: text/csv; charset=UTF-8; name=\"Kunden.csv\"\r\nContent-Disposition: attachment; filename=\"Kunden.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\nY29kZSxuYW1lDQpDMSxNw7xsbGVyDQo=\r\n",
		"Content-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht.txt\r\n",
	} {
		if !strings.Contains(data, want) {
			t.Errorf("received message lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(data, "audit@example.com") {
		t.Error("Bcc shows in the message")
	}
}

func TestEmailServerRefusalIsAnError(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Security: mail.TLS, Username: "me@gmail.com", Password: "right-" + emailSecret})
	s := srv.Settings()
	s.Password, s.Gmail = emailSecret, true
	L, _ := emailState(t, t.TempDir(), EmailConfig{Settings: s, Configured: true}, nil)
	got, err := runLua(t, L, `return require("email").send{to = "a@x.com", subject = "s", text = "t"}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "nil" || !strings.Contains(got[1], "535") || !strings.Contains(got[1], "app password") {
		t.Errorf("got %q", got)
	}
	if strings.Contains(strings.Join(got, " "), emailSecret) {
		t.Errorf("the error shows the password: %q", got)
	}
}

func TestEmailOutbox(t *testing.T) {
	dir := t.TempDir()
	outbox := filepath.Join(dir, "skynamo_data", "outbox")
	L, notes := emailState(t, dir, EmailConfig{Outbox: outbox, OutboxReason: "--sim"}, nil)
	got, err := runLua(t, L, `
		local email = require "email"
		assert(email.send{to = {"a@x.com", "B <b@y.com>"}, cc = {}, subject = "Stock below level", text = "t", attachments = {}})
		return email.config().mode, email.config().outbox`)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "outbox" || got[1] != outbox {
		t.Errorf("email.config() = %v", got)
	}
	path := filepath.Join(outbox, "20261203T070000Z-1-stock-below-level.eml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "From: skynamo@localhost\r\nTo: a@x.com, B <b@y.com>\r\nSubject: Stock below level\r\n") {
		t.Errorf("outbox file:\n%s", data)
	}
	want := `email "Stock below level" to a@x.com, b@y.com not sent (--sim): written to ` + path
	if len(*notes) != 1 || (*notes)[0] != want {
		t.Errorf("notes %q\nwant %q", *notes, want)
	}

	// Copies are named as such: a blind copy read as "to" would mislead
	// the user checking who a run would have mailed.
	if _, err := runLua(t, L, `assert(require("email").send{to = "a@x.com", cc = {"c@z.com", "A@x.com"}, bcc = "Audit <audit@z.com>", subject = "Copies", text = "t"})`); err != nil {
		t.Fatal(err)
	}
	want = `email "Copies" to a@x.com; cc c@z.com; bcc audit@z.com not sent (--sim): written to `
	if len(*notes) != 2 || !strings.HasPrefix((*notes)[1], want) {
		t.Errorf("notes %q\nwant %q...", *notes, want)
	}
}

func TestEmailExpectedFailures(t *testing.T) {
	dir := t.TempDir()
	L, _ := emailState(t, dir, EmailConfig{Outbox: filepath.Join(dir, "outbox"), OutboxReason: "--dry-run"}, nil)
	for code, want := range map[string]string{
		`{to = "not an address", subject = "s", text = "t"}`:                      `email.send: to: "not an address" is not an e-mail address (write it as name@example.com or "Name <name@example.com>")`,
		`{to = "a@x.com", from = "nobody", subject = "s", text = "t"}`:            `email.send: from: "nobody" is not an e-mail address (write it as`,
		`{to = "a@x.com", subject = "s", text = "t", attachments = {"gone.csv"}}`: `attachment "gone.csv" not found: looked for ` + filepath.Join(dir, "gone.csv") + " and " + filepath.Join(dir, "skynamo_data", "output", "gone.csv"),
	} {
		got, err := runLua(t, L, `return require("email").send`+code)
		if err != nil {
			t.Fatalf("%s raised: %v", code, err)
		}
		if len(got) != 2 || got[0] != "nil" || !strings.Contains(got[1], want) {
			t.Errorf("%s -> %q, want nil and %q", code, got, want)
		}
	}
}

func TestEmailArgumentErrorsRaise(t *testing.T) {
	L, _ := emailState(t, t.TempDir(), EmailConfig{Outbox: t.TempDir()}, nil)
	for code, want := range map[string]string{
		`"a@x.com"`:                       "table expected",
		`{subject = "s", text = "t"}`:     "to is required",
		`{to = "a@x.com", text = "t"}`:    "subject is required",
		`{to = "a@x.com", subject = "s"}`: "give text, html or both",
		`{to = "a@x.com", subject = "s", text = "t", attachment = {"x"}}`:                                 `unknown option "attachment"; did you mean "attachments"?`,
		`{to = {1}, subject = "s", text = "t"}`:                                                           "to[1] must be a string, not a number",
		`{to = "a@x.com", subject = "s", text = 5}`:                                                       "text must be a string",
		`{to = "a@x.com", subject = "s", text = "t", attachments = "x.csv"}`:                              "attachments must be a list",
		`{to = "a@x.com", subject = "s", text = "t", attachments = {{nam = "x"}}}`:                        `attachments[1]: unknown option "nam"`,
		`{to = "a@x.com", subject = "s", text = "t", attachments = {{path = "x", content_type = "csv"}}}`: "is not a media type",
	} {
		_, err := runLua(t, L, `return require("email").send(`+code+`)`)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", code, err, want)
		}
	}
}

func TestEmailConfigErrorsRaiseTheGoError(t *testing.T) {
	setup := errors.New("email is not set up")
	L, _ := emailState(t, t.TempDir(), EmailConfig{NotConfigured: setup}, nil)
	err := L.DoString(`require("email").send{to = "a@x.com", subject = "s", text = "t"}`)
	var apiErr *lua.ApiError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	ud, ok := apiErr.Object.(*lua.LUserData)
	if !ok || ud.Value != setup {
		t.Errorf("raised %v, want the Go error itself", apiErr.Object)
	}

	bad := errors.New("SKYNAMO_SMTP_PORT in x: expected a port number")
	L2, _ := emailState(t, t.TempDir(), EmailConfig{}, bad)
	if err := L2.DoString(`require("email").config()`); err == nil || !errors.As(err, &apiErr) {
		t.Errorf("config() with a bad config: %v", err)
	}
}

func TestEmailConfigHidesThePassword(t *testing.T) {
	s := mail.Settings{Host: "smtp.gmail.com", Port: 587, Security: mail.StartTLS, Username: "me@gmail.com", Password: emailSecret, From: "me@gmail.com"}
	L, _ := emailState(t, t.TempDir(), EmailConfig{Settings: s, Configured: true}, nil)
	got, err := runLua(t, L, `
		local c = require("email").config()
		local keys = {}
		for k, v in pairs(c) do keys[#keys + 1] = k .. "=" .. tostring(v) end
		table.sort(keys)
		return table.concat(keys, " ")`)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "from=me@gmail.com host=smtp.gmail.com mode=smtp port=587 security=starttls username=me@gmail.com" {
		t.Errorf("email.config() = %s", got[0])
	}
}
