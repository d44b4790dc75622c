package runtime

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestEmailConfigModes(t *testing.T) {
	dir := t.TempDir()
	h := NewHost(IO{}, MapEnv(map[string]string{"SKYNAMO_SMTP_HOST": "mail.corp", "SKYNAMO_SMTP_PASSWORD": "pw-secret-1", "SKYNAMO_SMTP_USERNAME": "u"}))
	h.Dir = dir
	cfg, err := emailConfig(h, &HostOptions{Config: DefaultConfigPath, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Outbox != filepath.Join(dir, "skynamo_data", "outbox") || cfg.OutboxReason != "--dry-run" || cfg.Settings.Host != "mail.corp" {
		t.Errorf("--dry-run: %+v", cfg)
	}
	if h.Redact("pw-secret-1") == "pw-secret-1" {
		t.Error("the SMTP password is not registered as a secret")
	}
	cfg, err = emailConfig(h, &HostOptions{Config: DefaultConfigPath, Sim: true})
	if err != nil || cfg.OutboxReason != "--sim" || cfg.Settings.Host != "" {
		t.Errorf("--sim must read no mail config: %+v, %v", cfg, err)
	}
	bad := NewHost(IO{}, MapEnv(map[string]string{"SKYNAMO_SMTP_HOST": "h", "SKYNAMO_SMTP_SECURITY": "maybe"}))
	bad.Dir = dir
	var ec ExitCoder
	if _, err := emailConfig(bad, &HostOptions{Config: DefaultConfigPath}); !errors.As(err, &ec) || ec.ExitCode() != ExitUsage {
		t.Errorf("a bad mail config: %v", err)
	}
}

// TestEmailNotSetUpNamesTheRealOutbox: the hint tells the user where
// --dry-run will write, which moves with --data-dir and SKYNAMO_DATA_DIR.
func TestEmailNotSetUpNamesTheRealOutbox(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		env  map[string]string
		opts HostOptions
		want string
	}{
		{"default", nil, HostOptions{Config: DefaultConfigPath}, filepath.Join(dir, "skynamo_data", "outbox")},
		{"--data-dir", nil, HostOptions{Config: DefaultConfigPath, DataDir: "reports"}, filepath.Join(dir, "reports", "outbox")},
		{"SKYNAMO_DATA_DIR", map[string]string{"SKYNAMO_DATA_DIR": "/srv/skynamo"}, HostOptions{Config: DefaultConfigPath}, filepath.Join("/srv/skynamo", "outbox")},
		{"--sim --data-dir", nil, HostOptions{Config: DefaultConfigPath, DataDir: "reports", Sim: true}, filepath.Join(dir, "reports", "outbox")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHost(IO{}, MapEnv(tc.env))
			h.Dir = dir
			cfg, err := emailConfig(h, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var hinted interface{ Hint() string }
			if !errors.As(cfg.NotConfigured, &hinted) || !strings.Contains(hinted.Hint(), "--dry-run writes the messages to "+tc.want+" instead") {
				t.Errorf("hint %v does not name %s", cfg.NotConfigured, tc.want)
			}
			if !strings.Contains(tc.want, "skynamo_data") && strings.Contains(hinted.Hint(), "skynamo_data") {
				t.Errorf("hint still names skynamo_data: %s", hinted.Hint())
			}
		})
	}
}

// TestEmailWithoutSenderIsAConfigError: a server whose user name is not an
// address and no SKYNAMO_SMTP_FROM is the user's setup, like every other
// mail config mistake (exit 2, one line, the hint names the key), unless
// the script says who sends.
func TestEmailWithoutSenderIsAConfigError(t *testing.T) {
	// A port nothing listens on: with from = the send goes on, fails to
	// connect and returns nil, err; nothing is ever delivered.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	env := map[string]string{"SKYNAMO_SMTP_HOST": "127.0.0.1", "SKYNAMO_SMTP_PORT": port, "SKYNAMO_SMTP_SECURITY": "none",
		"SKYNAMO_SMTP_USERNAME": "reportbot", "SKYNAMO_SMTP_PASSWORD": "pw-secret-2"}

	c := newCLI(t)
	c.env = env
	r := c.lua("local email = require 'email'\nemail.send{to = 'a@x.com', subject = 's', text = 't'}\n")
	r.expect(t, ExitUsage)
	want := "skynamo: s.lua:2: email: no sender address: SKYNAMO_SMTP_FROM is not set and SKYNAMO_SMTP_USERNAME \"reportbot\" is not an address\n" +
		"hint: set SKYNAMO_SMTP_FROM to the address mail comes from"
	if got := beforeSummary(t, r.stderr); !strings.HasPrefix(got, want) {
		t.Errorf("stderr %q\nwant %q…", got, want)
	}

	c = newCLI(t)
	c.env = env
	r = c.lua("local email = require 'email'\nlocal ok, err = email.send{to = 'a@x.com', subject = 's', text = 't', from = 'me@x.com'}\nprint(ok, err ~= nil)\n")
	r.expect(t, ExitOK)
	if r.stdout != "nil\ttrue\n" {
		t.Errorf("with from =, stdout %q (want a connection failure as nil, err)", r.stdout)
	}
}
