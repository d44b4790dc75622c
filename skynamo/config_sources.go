package skynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// configFile is skynamo-config.json as read: each key's raw JSON value.
type configFile struct {
	path   string
	exists bool
	raw    map[string]json.RawMessage
}

// readConfigFile reads the config at path. The default file may be
// missing (the environment can hold everything), but a file the user named
// (--config) must exist: a typo in its path would otherwise surface as
// "SKYNAMO_INSTANCE_NAME is not set", which sends them looking elsewhere.
func readConfigFile(path string, named bool) (configFile, error) {
	f := configFile{path: path, raw: map[string]json.RawMessage{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if named {
			return f, fmt.Errorf("config file %s: no such file (check the --config path)", path)
		}
		return f, nil
	}
	if err != nil {
		return f, fmt.Errorf("config file %s: %w", path, err)
	}
	f.exists = true
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	if err := json.Unmarshal(data, &f.raw); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			line, col := lineColumn(data, syntax.Offset)
			return f, fmt.Errorf("config file %s:%d:%d: malformed JSON: %s", path, line, col, syntax.Error())
		}
		return f, fmt.Errorf("config file %s: must be a JSON object of \"KEY\": value pairs", path)
	}
	return f, nil
}

// lineColumn turns a byte offset of a JSON error into 1-based line:column,
// which editors jump to.
func lineColumn(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

func (f configFile) keys() []string {
	keys := make([]string, 0, len(f.raw))
	for k := range f.raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// unknownKeyWarnings reports keys LoadConfig does not understand, except
// the token chosen for this run and keys that look like other tokens.
func (f configFile) unknownKeyWarnings(keyName string) []string {
	known := knownKeys()
	var warnings []string
	for _, k := range f.keys() {
		if k == keyName || looksLikeToken(k) || slices.Contains(known, k) {
			continue
		}
		w := fmt.Sprintf("%s: unknown key %q is ignored", f.path, k)
		if near := SuggestNames(k, known, 1); len(near) > 0 {
			w += fmt.Sprintf("; did you mean %q?", near[0])
		}
		warnings = append(warnings, w)
	}
	return warnings
}

// configValue is one key's value and where it came from, for messages.
type configValue struct {
	text   string
	source string // "/abs/skynamo-config.json", "environment variable X", ...
	err    error  // the file held a value of the wrong JSON type
}

// named says which key a message is about and where its value came from,
// naming the key once: "SKYNAMO_SMTP_PORT in /x/skynamo-config.json",
// "environment variable SKYNAMO_SMTP_PORT", "SKYNAMO_SMTP_PORT on the
// command line".
func (v configValue) named(key string) string {
	switch v.source {
	case "environment variable " + key:
		return v.source
	case "the command line":
		return key + " on the command line"
	}
	return key + " in " + v.source
}

// layeredValues holds, per key, the value of the latest source that set it.
type layeredValues struct {
	file   configFile
	values map[string]configValue
}

func newLayeredValues(file configFile) *layeredValues {
	path := file.path
	lv := &layeredValues{file: file, values: map[string]configValue{}}
	for _, k := range knownKeys() {
		raw, ok := file.raw[k]
		if !ok {
			continue
		}
		text, set, err := jsonScalar(raw)
		if err != nil {
			lv.values[k] = configValue{source: path, err: fmt.Errorf("%s in %s: %w", k, path, err)}
		} else if set {
			lv.values[k] = configValue{text: text, source: path}
		}
	}
	return lv
}

// jsonScalar accepts strings and numbers (the older SDK's files hold both);
// null means unset. The value itself is never put in the error: it may be a
// secret.
func jsonScalar(raw json.RawMessage) (text string, set bool, err error) {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case len(trimmed) == 0 || string(trimmed) == "null":
		return "", false, nil
	case trimmed[0] == '"':
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return "", false, err
		}
		return s, s != "", nil
	case trimmed[0] == '-' || (trimmed[0] >= '0' && trimmed[0] <= '9'):
		return string(trimmed), true, nil
	case trimmed[0] == '{':
		return "", false, errors.New("expected a string or number, got an object")
	case trimmed[0] == '[':
		return "", false, errors.New("expected a string or number, got a list")
	default:
		return "", false, errors.New("expected a string or number, got a boolean")
	}
}

func (lv *layeredValues) addEnv(getenv func(string) string) {
	for _, k := range knownKeys() {
		if v := getenv(k); v != "" {
			lv.values[k] = configValue{text: v, source: "environment variable " + k}
		}
	}
}

func (lv *layeredValues) addOverrides(overrides map[string]string) {
	for _, k := range knownKeys() {
		if v := overrides[k]; v != "" {
			lv.values[k] = configValue{text: v, source: "the command line"}
		}
	}
}

// useTokenKey makes the file's keyName the API token of this run.
func (lv *layeredValues) useTokenKey(keyName string, file configFile) error {
	if !file.exists {
		return fmt.Errorf("--key %s: there is no config file %s to read it from", keyName, file.path)
	}
	raw, ok := file.raw[keyName]
	if !ok {
		var candidates []string
		for _, k := range file.keys() {
			if k == KeyAPIKey || !slices.Contains(knownKeys(), k) {
				candidates = append(candidates, k)
			}
		}
		if len(candidates) == 0 {
			return fmt.Errorf("--key %s: %s has no such key, and no key that could hold a token", keyName, file.path)
		}
		return fmt.Errorf("--key %s: %s has no such key; its token keys are %s", keyName, file.path, strings.Join(candidates, ", "))
	}
	text, set, err := jsonScalar(raw)
	if err != nil {
		return fmt.Errorf("--key %s in %s: %w", keyName, file.path, err)
	}
	if !set {
		return fmt.Errorf("--key %s in %s: the value is empty", keyName, file.path)
	}
	lv.values[KeyAPIKey] = configValue{text: text, source: fmt.Sprintf("key %s of %s", keyName, file.path)}
	return nil
}

func (lv *layeredValues) build() (Config, error) {
	for _, v := range lv.values {
		if v.err != nil {
			return Config{}, v.err
		}
	}
	cfg := Config{
		Region:        lv.values[KeyRegion].text,
		GmailSender:   lv.values[KeyGmailSender].text,
		GmailPassword: lv.values[KeyGmailPassword].text,
	}
	var err error
	if cfg.Instance, err = lv.required(KeyInstance); err != nil {
		return Config{}, err
	}
	if cfg.APIKey, err = lv.required(KeyAPIKey); err != nil {
		return Config{}, err
	}
	if cfg.APIBase, err = lv.apiBase(); err != nil {
		return Config{}, err
	}
	if cfg.RefreshInterval, err = lv.seconds(KeyRefreshInterval, DefaultRefreshInterval); err != nil {
		return Config{}, err
	}
	if cfg.Timeout, err = lv.seconds(KeyTimeout, DefaultTimeout); err != nil {
		return Config{}, err
	}
	if cfg.Concurrency, err = lv.integer(KeyConcurrency, DefaultConcurrency, 1, 64); err != nil {
		return Config{}, err
	}
	if cfg.PageSize, err = lv.integer(KeyPageSize, MaxPageSize, 1, MaxPageSize); err != nil {
		return Config{}, err
	}
	cfg.DataDir = lv.values[KeyDataDir].text
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	return cfg, nil
}

func (lv *layeredValues) required(key string) (string, error) {
	if v := lv.values[key]; v.text != "" {
		return v.text, nil
	}
	where := lv.file.path + " (no such file)"
	if lv.file.exists {
		where = lv.file.path + " (no such key)"
	}
	msg := fmt.Sprintf("%s is not set: looked in %s and environment variable %s", key, where, key)
	if near := SuggestNames(key, lv.file.keys(), 1); len(near) > 0 && near[0] != key {
		msg += fmt.Sprintf("; the file has %q, is that a typo?", near[0])
	}
	return "", errors.New(msg)
}

func (lv *layeredValues) apiBase() (string, error) {
	v := lv.values[KeyAPIBase]
	if v.text == "" {
		return DefaultAPIBase, nil
	}
	u, err := url.Parse(v.text)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s: expected an http(s) URL like %s, got %q", v.named(KeyAPIBase), DefaultAPIBase, v.text)
	}
	if !strings.HasSuffix(v.text, "/") {
		return v.text + "/", nil
	}
	return v.text, nil
}

// seconds reads a number of seconds (the older SDK's unit); a Go duration
// such as "5m" is accepted too, as it reads better in an environment
// variable.
func (lv *layeredValues) seconds(key string, def time.Duration) (time.Duration, error) {
	v := lv.values[key]
	if v.text == "" {
		return def, nil
	}
	if f, err := strconv.ParseFloat(v.text, 64); err == nil && f >= 0 {
		return time.Duration(f * float64(time.Second)), nil
	}
	if d, err := time.ParseDuration(v.text); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%s: expected a number of seconds (or a duration like 5m), got %q", v.named(key), v.text)
}

func (lv *layeredValues) integer(key string, def, lo, hi int) (int, error) {
	v := lv.values[key]
	if v.text == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v.text)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: expected a whole number from %d to %d, got %q", v.named(key), lo, hi, v.text)
	}
	return n, nil
}
