package skynamo

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// ConfigFileName is the file the older Python SDK read from the working
// folder; existing users have one, so it is read as is.
const ConfigFileName = "skynamo-config.json"

// Config keys, as they appear in skynamo-config.json, in the environment and
// in ConfigInput.Overrides.
const (
	KeyInstance        = "SKYNAMO_INSTANCE_NAME"
	KeyRegion          = "SKYNAMO_REGION"
	KeyAPIKey          = "SKYNAMO_API_KEY"
	KeyRefreshInterval = "SKYNAMO_CACHE_REFRESH_INTERVAL"
	KeyTimeout         = "REQUESTS_TIMEOUT"
	KeyGmailSender     = "SKYNAMO_GMAIL_SENDER"
	KeyGmailPassword   = "SKYNAMO_GMAIL_PASSWORD"
	KeyAPIBase         = "SKYNAMO_API_BASE"
	KeyDataDir         = "SKYNAMO_DATA_DIR"
	KeyConcurrency     = "SKYNAMO_CONCURRENCY"
	KeyPageSize        = "SKYNAMO_PAGE_SIZE"
)

// Defaults; the first two are the older SDK's.
const (
	DefaultRefreshInterval = 300 * time.Second
	DefaultTimeout         = 300 * time.Second
	DefaultAPIBase         = "https://api.skynamo.me/v1/"
	DefaultDataDir         = "skynamo_data"
	DefaultConcurrency     = 16
	// MaxPageSize is the largest page_size the API accepts; fewer, larger
	// pages cost fewer requests against the quota.
	MaxPageSize = 200
)

// Config is everything the client needs to reach one Skynamo instance.
// Its String, GoString, Format and MarshalJSON hide APIKey and GmailPassword,
// so printing or logging a Config never shows a secret.
type Config struct {
	Instance        string        // x-api-client header
	Region          string        // za, uk: only the web app's URL uses it
	APIKey          string        // x-api-key header; secret
	APIBase         string        // ends with "/"
	RefreshInterval time.Duration // a cache older than this is pulled again
	Timeout         time.Duration // per HTTP request
	GmailSender     string
	GmailPassword   string // Gmail app password; secret
	DataDir         string // cache/, output/ live under it
	Concurrency     int    // pages fetched at once
	PageSize        int    // list page_size, at most MaxPageSize

	// File is the absolute path of the config file looked at (read or not).
	File string
	// KeyName is the file key whose value is APIKey for this run, when the
	// token was chosen with ConfigInput.KeyName.
	KeyName string
}

// ConfigInput says where configuration comes from. Later sources win:
// the file, then the environment, then Overrides, then KeyName.
type ConfigInput struct {
	// Dir is the working folder that holds skynamo-config.json ("" = ".").
	Dir string
	// File, if set, is the config file to read instead of Dir's.
	File string
	// Getenv reads the environment (nil = an empty environment). It is
	// passed in so that nothing below main reads the process's environment.
	Getenv func(string) string
	// Overrides come from command-line flags, keyed like the file
	// (e.g. SKYNAMO_API_BASE). Empty values are ignored.
	Overrides map[string]string
	// KeyName names another key of the file whose value is this run's API
	// token (--key HEAVY_JOBS_TOKEN): a second token for heavy jobs.
	KeyName string
}

// EnvMap adapts a map to ConfigInput.Getenv.
func EnvMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// knownKeys lists every key LoadConfig understands, in the order users meet
// them in the older SDK's README.
func knownKeys() []string {
	keys := []string{KeyInstance, KeyRegion, KeyAPIKey, KeyRefreshInterval, KeyTimeout,
		KeyGmailSender, KeyGmailPassword, KeyAPIBase, KeyDataDir, KeyConcurrency, KeyPageSize}
	return append(append(keys, mailKeys()...), KeyScriptsDir)
}

// looksLikeToken says whether an unknown file key is probably a second API
// token (HEAVY_JOBS_TOKEN, SKYNAMO_API_KEY_2): such keys are the point of
// KeyName, so they are not reported as typos.
func looksLikeToken(key string) bool {
	up := strings.ToUpper(key)
	return strings.Contains(up, "TOKEN") || strings.Contains(up, "KEY") || strings.Contains(up, "SECRET")
}

// LoadConfig reads skynamo-config.json, the environment and the overrides
// into a Config. Warnings are one line each (unknown keys); errors are one
// line, name the key and where it was looked for, and never show a secret.
func LoadConfig(in ConfigInput) (Config, []string, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	path, err := configPath(in)
	if err != nil {
		return Config{}, nil, err
	}
	file, err := readConfigFile(path, in.File != "")
	if err != nil {
		return Config{}, nil, err
	}

	warnings := file.unknownKeyWarnings(in.KeyName)
	values := newLayeredValues(file)
	values.addEnv(getenv)
	values.addOverrides(in.Overrides)
	if in.KeyName != "" {
		if err := values.useTokenKey(in.KeyName, file); err != nil {
			return Config{}, warnings, err
		}
	}

	cfg, err := values.build()
	if err != nil {
		return Config{}, warnings, err
	}
	cfg.File = path
	cfg.KeyName = in.KeyName
	return cfg, warnings, nil
}

func configPath(in ConfigInput) (string, error) {
	path := in.File
	if path == "" {
		dir := in.Dir
		if dir == "" {
			dir = "."
		}
		path = filepath.Join(dir, ConfigFileName)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("config file %s: %w", path, err)
	}
	return abs, nil
}

// Redacted returns the config as one line with secrets replaced by a note of
// whether they are set.
func (c Config) Redacted() string {
	return fmt.Sprintf("Config{Instance:%q Region:%q APIKey:%s APIBase:%q RefreshInterval:%s Timeout:%s GmailSender:%q GmailPassword:%s DataDir:%q Concurrency:%d PageSize:%d File:%q KeyName:%q}",
		c.Instance, c.Region, redact(c.APIKey), c.APIBase, c.RefreshInterval, c.Timeout,
		c.GmailSender, redact(c.GmailPassword), c.DataDir, c.Concurrency, c.PageSize, c.File, c.KeyName)
}

func redact(secret string) string {
	if secret == "" {
		return "(unset)"
	}
	return "(set, redacted)"
}

// String implements fmt.Stringer without secrets.
func (c Config) String() string { return c.Redacted() }

// GoString covers %#v, which would otherwise print every field.
func (c Config) GoString() string { return "skynamo." + c.Redacted() }

// Format covers every other verb (%d, %x, %+v ...): without it, fmt would
// fall back to printing the struct's fields, secrets included.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, c.Redacted())
}

// MarshalJSON keeps secrets out of JSON dumps of a Config.
func (c Config) MarshalJSON() ([]byte, error) {
	type shown struct {
		Instance, Region, APIKey, APIBase string
		RefreshInterval, Timeout          string
		GmailSender, GmailPassword        string
		DataDir                           string
		Concurrency, PageSize             int
		File, KeyName                     string
	}
	return json.Marshal(shown{c.Instance, c.Region, redact(c.APIKey), c.APIBase,
		c.RefreshInterval.String(), c.Timeout.String(), c.GmailSender, redact(c.GmailPassword),
		c.DataDir, c.Concurrency, c.PageSize, c.File, c.KeyName})
}
