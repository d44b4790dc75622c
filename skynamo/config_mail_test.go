package skynamo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"skynamo/skynamo/mail"
)

func TestLoadMailConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want mail.Settings
		conf bool
		err  string
	}{
		{name: "nothing set", env: nil},
		{name: "gmail", conf: true,
			env:  map[string]string{KeyGmailSender: "me@gmail.com", KeyGmailPassword: "pw"},
			want: mail.Settings{Host: "smtp.gmail.com", Port: 587, Security: mail.StartTLS, Username: "me@gmail.com", Password: "pw", From: "me@gmail.com", Gmail: true}},
		{name: "gmail without password", env: map[string]string{KeyGmailSender: "me@gmail.com"},
			err: "SKYNAMO_GMAIL_PASSWORD is not: set it to a Gmail app password"},
		{name: "own server, defaults", conf: true, env: map[string]string{KeySMTPHost: "mail.local"},
			want: mail.Settings{Host: "mail.local", Port: 587, Security: mail.StartTLS}},
		{name: "port 465 means tls", conf: true,
			env:  map[string]string{KeySMTPHost: "mail.local", KeySMTPPort: "465", KeySMTPUsername: "bot@corp.com", KeySMTPPassword: "pw"},
			want: mail.Settings{Host: "mail.local", Port: 465, Security: mail.TLS, Username: "bot@corp.com", Password: "pw", From: "bot@corp.com"}},
		{name: "smtp keys win over gmail", conf: true,
			env:  map[string]string{KeyGmailSender: "me@gmail.com", KeyGmailPassword: "pw", KeySMTPHost: "127.0.0.1", KeySMTPSecurity: "none", KeySMTPFrom: "R <r@x.com>"},
			want: mail.Settings{Host: "127.0.0.1", Port: 25, Security: mail.None, From: "R <r@x.com>"}},
		{name: "port without host", env: map[string]string{KeySMTPPort: "2525"},
			err: "SKYNAMO_SMTP_HOST is not set, but environment variable SKYNAMO_SMTP_PORT is"},
		{name: "bad security", env: map[string]string{KeySMTPHost: "h", KeySMTPSecurity: "ssl3"},
			err: `environment variable SKYNAMO_SMTP_SECURITY: expected starttls, tls or none, got "ssl3"`},
		{name: "bad port", env: map[string]string{KeySMTPHost: "h", KeySMTPPort: "smtp"},
			err: `environment variable SKYNAMO_SMTP_PORT: expected a port number such as 587, got "smtp"`},
		{name: "username without password", env: map[string]string{KeySMTPHost: "h", KeySMTPUsername: "u"},
			err: "SKYNAMO_SMTP_USERNAME is set but SKYNAMO_SMTP_PASSWORD is not"},
		{name: "password in clear to another host", env: map[string]string{KeySMTPHost: "mail.corp", KeySMTPSecurity: "none", KeySMTPUsername: "u", KeySMTPPassword: "secret-pw"},
			err: "SKYNAMO_SMTP_SECURITY=none would send the password to mail.corp unencrypted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mc, err := LoadMailConfig(ConfigInput{Dir: t.TempDir(), Getenv: EnvMap(tc.env)})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), " in environment variable") {
					t.Errorf("the key is named twice: %v", err)
				}
				if strings.Contains(err.Error(), "secret-pw") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if mc.Settings != tc.want || mc.Configured != tc.conf {
				t.Errorf("got %s configured=%t\nwant %s configured=%t", mc.Settings, mc.Configured, tc.want, tc.conf)
			}
		})
	}
}

// TestMailConfigErrorsSayWhereOnce: a bad value from the file names the key
// and the file; from the environment, the variable (once).
func TestMailConfigErrorsSayWhereOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	if err := os.WriteFile(path, []byte(`{"SKYNAMO_SMTP_HOST": "h", "SKYNAMO_SMTP_PORT": "smtp"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadMailConfig(ConfigInput{Dir: dir})
	if want := `SKYNAMO_SMTP_PORT in ` + path + `: expected a port number such as 587, got "smtp"`; err == nil || err.Error() != want {
		t.Errorf("from the file: %v\nwant %s", err, want)
	}
	_, err = LoadMailConfig(ConfigInput{Dir: dir, Getenv: EnvMap(map[string]string{KeySMTPPort: "0"})})
	if want := `environment variable SKYNAMO_SMTP_PORT: expected a port number such as 587, got "0"`; err == nil || err.Error() != want {
		t.Errorf("from the environment: %v\nwant %s", err, want)
	}
	if err := os.WriteFile(path, []byte(`{"SKYNAMO_SMTP_PORT": 2525}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadMailConfig(ConfigInput{Dir: dir})
	if want := `SKYNAMO_SMTP_HOST is not set, but SKYNAMO_SMTP_PORT in ` + path + ` is`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("port without host: %v\nwant %s…", err, want)
	}
	_, err = LoadMailConfig(ConfigInput{Dir: t.TempDir(), Getenv: EnvMap(map[string]string{KeyGmailPassword: "pw"})})
	if want := "environment variable SKYNAMO_GMAIL_PASSWORD is set but SKYNAMO_GMAIL_SENDER is not"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("gmail: %v\nwant %s…", err, want)
	}
}

// TestLoadMailConfigFile: the file's keys, overridden by the environment;
// a relative CA file is the config file's neighbour; no API key needed;
// LoadConfig does not call the mail keys unknown.
func TestLoadMailConfigFile(t *testing.T) {
	dir := t.TempDir()
	file := `{"SKYNAMO_SMTP_HOST": "mail.corp", "SKYNAMO_SMTP_PORT": 2525, "SKYNAMO_SMTP_CA_FILE": "corp-ca.pem",
		"SKYNAMO_MAIL_OUTBOX": "out", "SKYNAMO_DATA_DIR": "data", "SKYNAMO_INSTANCE_NAME": "i", "SKYNAMO_API_KEY": "k"}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := EnvMap(map[string]string{KeySMTPPort: "587"})
	mc, err := LoadMailConfig(ConfigInput{Dir: dir, Getenv: env})
	if err != nil {
		t.Fatal(err)
	}
	if mc.Host != "mail.corp" || mc.Port != 587 || mc.CAFile != filepath.Join(dir, "corp-ca.pem") || mc.Outbox != "out" || mc.DataDir != "data" {
		t.Errorf("got %s outbox=%q data=%q", mc.Settings, mc.Outbox, mc.DataDir)
	}
	if d, err := LoadDataDir(ConfigInput{Dir: dir}); err != nil || d != "data" {
		t.Errorf("LoadDataDir = %q, %v", d, err)
	}
	_, warnings, err := LoadConfig(ConfigInput{Dir: dir})
	if err != nil || len(warnings) != 0 {
		t.Errorf("LoadConfig: %v, warnings %q", err, warnings)
	}
}
