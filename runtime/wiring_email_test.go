package runtime

import (
	"errors"
	"path/filepath"
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
