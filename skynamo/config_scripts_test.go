package skynamo

import (
	"os"
	"path/filepath"
	"testing"
)

// The scripts folder comes from the file, the environment or an override,
// later ones winning, and the file's key is not reported as unknown.
func TestLoadScriptsDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "skynamo-config.json"), []byte(`{"SKYNAMO_SCRIPTS_DIR": "from-file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		env, override, want string
	}{
		{"", "", "from-file"},
		{"from-env", "", "from-env"},
		{"from-env", "from-flag", "from-flag"},
	} {
		in := ConfigInput{Dir: dir, Getenv: EnvMap(map[string]string{KeyScriptsDir: tt.env}),
			Overrides: map[string]string{KeyScriptsDir: tt.override}}
		got, err := LoadScriptsDir(in)
		if err != nil || got != tt.want {
			t.Errorf("env %q override %q: %q, %v; want %q", tt.env, tt.override, got, err, tt.want)
		}
	}
	got, err := LoadScriptsDir(ConfigInput{Dir: t.TempDir()})
	if err != nil || got != "" {
		t.Errorf("no file: %q, %v", got, err)
	}
	_, warnings, _ := LoadConfig(ConfigInput{Dir: dir})
	for _, w := range warnings {
		t.Errorf("warning: %s", w)
	}
}
