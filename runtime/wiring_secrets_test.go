package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

// The API key is a secret from the start, not only once reader connects:
// a run that never requires reader still shows it as *** in messages, and
// so does the REPL in the values it prints.
func TestAPIKeyRedactedWithoutConnecting(t *testing.T) {
	const envKey, fileKey, heavyKey = "env-api-key-1234", "file-api-key-5678", "heavy-token-9012"
	c := newCLI(t)
	c.env["SKYNAMO_API_KEY"] = envKey
	config := `{"SKYNAMO_API_KEY": "` + fileKey + `", "HEAVY_JOBS_TOKEN": "` + heavyKey + `"}`
	if err := os.WriteFile(filepath.Join(c.dir, "skynamo-config.json"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}

	r := c.run("run", "--key", "HEAVY_JOBS_TOKEN", c.script("s.lua",
		`error("keys: "..os.getenv("SKYNAMO_API_KEY").." `+fileKey+` `+heavyKey+`")`))
	r.expect(t, ExitScriptError)
	mustContain(t, "stderr", r.stderr, "keys: *** *** ***")
	mustNotContain(t, "stderr", r.stderr, envKey, fileKey, heavyKey)

	c.stdin = `os.getenv("SKYNAMO_API_KEY")` + "\n"
	r = c.run("repl")
	r.expect(t, ExitOK)
	if r.stdout != "***\n" {
		t.Errorf("repl stdout %q", r.stdout)
	}
}
