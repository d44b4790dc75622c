package runtime

import (
	"errors"
	"path/filepath"
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
