package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"skynamo/skynamo"
)

// registerAPISecrets hides the API key from everything the run prints from
// the start, not only once the reader connects: a script that never
// connects may still print os.getenv("SKYNAMO_API_KEY") or fail with it in
// a message, and a REPL line holding it must not reach the history. The
// key comes from the environment, the config file's SKYNAMO_API_KEY and the
// file key --key names. Best effort: a config that cannot be read here is
// reported by the connection that needs it, not by this.
func registerAPISecrets(h *Host, opts *HostOptions) {
	if v, _ := h.Getenv(skynamo.KeyAPIKey); v != "" {
		h.AddSecret(v)
	}
	if opts.Sim {
		return // the user's config file is not read under --sim
	}
	in := userConfigInput(h, opts)
	path := in.File
	if path == "" {
		path = filepath.Join(h.Path("."), skynamo.ConfigFileName)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var file map[string]any
	if dec.Decode(&file) != nil {
		return
	}
	for _, k := range []string{skynamo.KeyAPIKey, opts.Key} {
		switch v := file[k].(type) {
		case string:
			h.AddSecret(v)
		case json.Number:
			h.AddSecret(fmt.Sprint(v))
		}
	}
}
