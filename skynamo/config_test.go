package skynamo

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Secrets used throughout; no error, warning or printed Config may hold them.
const (
	testKey      = "sk-live-0123456789abcdef"
	testHeavyKey = "sk-heavy-fedcba9876543210"
	testPassword = "gmail-app-password-xyz"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if content != "" {
		if err := os.WriteFile(filepath.Join(dir, ConfigFileName), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func assertNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, secret := range []string{testKey, testHeavyKey, testPassword} {
			if strings.Contains(text, secret) {
				t.Errorf("secret %q leaked into %q", secret, text)
			}
		}
	}
}

func TestLoadConfig(t *testing.T) {
	fullFile := fmt.Sprintf(`{
  "SKYNAMO_INSTANCE_NAME": "acme",
  "SKYNAMO_REGION": "za",
  "SKYNAMO_API_KEY": %q,
  "SKYNAMO_CACHE_REFRESH_INTERVAL": 60,
  "REQUESTS_TIMEOUT": "30",
  "SKYNAMO_GMAIL_SENDER": "reports@acme.test",
  "SKYNAMO_GMAIL_PASSWORD": %q,
  "HEAVY_JOBS_TOKEN": %q
}`, testKey, testPassword, testHeavyKey)

	tests := []struct {
		name      string
		file      string
		env       map[string]string
		overrides map[string]string
		keyName   string
		check     func(t *testing.T, cfg Config)
		warnings  []string // substrings, one per expected warning
		wantErr   []string // substrings of the error
	}{
		{
			name: "file with strings and numbers",
			file: fullFile,
			check: func(t *testing.T, cfg Config) {
				want := Config{Instance: "acme", Region: "za", APIKey: testKey, APIBase: DefaultAPIBase,
					RefreshInterval: time.Minute, Timeout: 30 * time.Second, GmailSender: "reports@acme.test",
					GmailPassword: testPassword, DataDir: DefaultDataDir, Concurrency: DefaultConcurrency, PageSize: MaxPageSize}
				cfg.File = ""
				if cfg != want {
					t.Errorf("got  %s\nwant %s", cfg, want)
				}
			},
		},
		{
			name: "defaults",
			file: fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KEY":%q}`, testKey),
			check: func(t *testing.T, cfg Config) {
				if cfg.RefreshInterval != 300*time.Second || cfg.Timeout != 300*time.Second {
					t.Errorf("refresh %s timeout %s, want 300s each", cfg.RefreshInterval, cfg.Timeout)
				}
			},
		},
		{
			name: "environment overrides the file",
			file: fullFile,
			env: map[string]string{"SKYNAMO_INSTANCE_NAME": "other", "SKYNAMO_API_BASE": "http://127.0.0.1:9/v1",
				"SKYNAMO_DATA_DIR": "/data", "SKYNAMO_CACHE_REFRESH_INTERVAL": "5m"},
			check: func(t *testing.T, cfg Config) {
				if cfg.Instance != "other" || cfg.APIBase != "http://127.0.0.1:9/v1/" || cfg.DataDir != "/data" || cfg.RefreshInterval != 5*time.Minute {
					t.Errorf("env not applied: %s", cfg)
				}
				if cfg.APIKey != testKey {
					t.Error("the file's key was lost")
				}
			},
		},
		{
			name:      "flags override the environment",
			file:      fullFile,
			env:       map[string]string{"SKYNAMO_INSTANCE_NAME": "from-env", "SKYNAMO_CONCURRENCY": "4"},
			overrides: map[string]string{"SKYNAMO_INSTANCE_NAME": "from-flag", "SKYNAMO_PAGE_SIZE": "50"},
			check: func(t *testing.T, cfg Config) {
				if cfg.Instance != "from-flag" || cfg.Concurrency != 4 || cfg.PageSize != 50 {
					t.Errorf("got %s", cfg)
				}
			},
		},
		{
			name: "environment alone, no file",
			env:  map[string]string{"SKYNAMO_INSTANCE_NAME": "acme", "SKYNAMO_API_KEY": testKey},
			check: func(t *testing.T, cfg Config) {
				if cfg.Instance != "acme" || cfg.APIKey != testKey {
					t.Errorf("got %s", cfg)
				}
			},
		},
		{
			name:    "--key picks another token of the file",
			file:    fullFile,
			keyName: "HEAVY_JOBS_TOKEN",
			env:     map[string]string{"SKYNAMO_API_KEY": "env-key-loses"},
			check: func(t *testing.T, cfg Config) {
				if cfg.APIKey != testHeavyKey || cfg.KeyName != "HEAVY_JOBS_TOKEN" {
					t.Errorf("APIKey is not HEAVY_JOBS_TOKEN's value; KeyName %q", cfg.KeyName)
				}
			},
		},
		{
			name:    "--key naming a key not in the file",
			file:    fullFile,
			keyName: "HEAVY_JOB_TOKEN",
			wantErr: []string{"--key HEAVY_JOB_TOKEN", "no such key", "HEAVY_JOBS_TOKEN", "SKYNAMO_API_KEY"},
		},
		{
			name: "unknown keys warn with the closest known key; token-like keys do not",
			file: fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KEY":%q,"SKYNAMO_REGON":"za",
				"SKYNAMO_CACHE_REFRESH":10,"HEAVY_JOBS_TOKEN":%q,"SKYNAMO_API_KEY_2":"x"}`, testKey, testHeavyKey),
			warnings: []string{
				`unknown key "SKYNAMO_CACHE_REFRESH" is ignored; did you mean "SKYNAMO_CACHE_REFRESH_INTERVAL"?`,
				`unknown key "SKYNAMO_REGON" is ignored; did you mean "SKYNAMO_REGION"?`,
			},
		},
		{
			name:    "missing file and no environment",
			wantErr: []string{"SKYNAMO_INSTANCE_NAME is not set", ConfigFileName + " (no such file)", "environment variable SKYNAMO_INSTANCE_NAME"},
		},
		{
			name:    "file without the API key",
			file:    `{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KY":"abc"}`,
			wantErr: []string{"SKYNAMO_API_KEY is not set", "(no such key)", "environment variable SKYNAMO_API_KEY", `"SKYNAMO_API_KY", is that a typo?`},
		},
		{
			name:    "malformed JSON gives line and column",
			file:    "{\n  \"SKYNAMO_INSTANCE_NAME\": \"acme\",\n  \"SKYNAMO_API_KEY\": \"" + testKey + "\"\n  \"REQUESTS_TIMEOUT\": 5\n}",
			wantErr: []string{ConfigFileName + ":4:3: malformed JSON"},
		},
		{
			name:    "not an object",
			file:    `["SKYNAMO_INSTANCE_NAME"]`,
			wantErr: []string{"must be a JSON object"},
		},
		{
			name:    "refresh interval of the wrong type",
			file:    fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KEY":%q,"SKYNAMO_CACHE_REFRESH_INTERVAL":"abc"}`, testKey),
			wantErr: []string{"SKYNAMO_CACHE_REFRESH_INTERVAL", "expected a number of seconds", `"abc"`},
		},
		{
			name:    "secret of the wrong type is not echoed",
			file:    fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KEY":{"v":%q}}`, testKey),
			wantErr: []string{"SKYNAMO_API_KEY", "expected a string or number, got an object"},
		},
		{
			name:    "bad API base",
			file:    fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME":"acme","SKYNAMO_API_KEY":%q}`, testKey),
			env:     map[string]string{"SKYNAMO_API_BASE": "api.skynamo.me"},
			wantErr: []string{"environment variable SKYNAMO_API_BASE: expected an http(s) URL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeConfig(t, tt.file)
			cfg, warnings, err := LoadConfig(ConfigInput{Dir: dir, Getenv: EnvMap(tt.env), Overrides: tt.overrides, KeyName: tt.keyName})
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			assertNoSecret(t, append(warnings, errText, cfg.String(), fmt.Sprintf("%v %+v %#v %s %d %x %q", cfg, cfg, cfg, cfg, cfg, cfg, &cfg))...)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error; want one containing %q", tt.wantErr)
				}
				if strings.Contains(errText, "\n") {
					t.Errorf("error is not one line: %q", errText)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(errText, want) {
						t.Errorf("error %q does not contain %q", errText, want)
					}
				}
				if strings.Contains(tt.wantErr[0], "not set") && !strings.Contains(errText, dir) {
					t.Errorf("error %q does not name the absolute file path", errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.warnings))
			}
			for i, want := range tt.warnings {
				if !strings.Contains(warnings[i], want) {
					t.Errorf("warning %q does not contain %q", warnings[i], want)
				}
			}
			if tt.check != nil {
				tt.check(t, cfg)
			}
		})
	}
}

func TestConfigPrintsNoSecret(t *testing.T) {
	cfg := Config{Instance: "acme", APIKey: testKey, GmailPassword: testPassword}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	printed := []string{cfg.String(), cfg.GoString(), string(data),
		fmt.Sprint(cfg), fmt.Sprintf("%v|%+v|%#v|%s|%d|%x|%X|%q|%10.3v", cfg, cfg, cfg, cfg, cfg, cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v %+v %#v", &cfg, &cfg, []Config{cfg}), fmt.Sprintf("%+v", struct{ C Config }{cfg})}
	assertNoSecret(t, printed...)
	if !strings.Contains(cfg.String(), `Instance:"acme"`) || !strings.Contains(cfg.String(), "APIKey:(set, redacted)") {
		t.Errorf("String() should still show what is set: %s", cfg)
	}
}

// A config file named on the command line must exist; only the default one
// may be missing.
func TestLoadConfigNamedFileMissing(t *testing.T) {
	dir := t.TempDir()
	env := EnvMap(map[string]string{KeyInstance: "acme", KeyAPIKey: "k"})
	if _, _, err := LoadConfig(ConfigInput{Dir: dir, Getenv: env}); err != nil {
		t.Fatalf("default file missing, environment complete: %v", err)
	}
	named := filepath.Join(dir, "nope.json")
	_, _, err := LoadConfig(ConfigInput{Dir: dir, File: named, Getenv: env})
	if err == nil || !strings.Contains(err.Error(), named+": no such file") {
		t.Fatalf("err = %v, want it to name %s as missing", err, named)
	}
}
