package runtime

import (
	"skynamo/skynamo"
)

// userDataDir is the folder for what a run leaves for the user to open:
// the email outbox, output files, the REPL's history. It is the user's
// data folder even under --sim (whose cache alone is temporary), so a demo
// run's outputs are where the user looks for them. Precedence: --data-dir,
// SKYNAMO_DATA_DIR, the config file's SKYNAMO_DATA_DIR (not under --sim,
// which reads no config), then ./skynamo_data; resolved against h.Dir.
// It needs no API key and never fails: an unreadable config file only
// means its setting is not used (the commands that need the config report
// that file's problems themselves).
func userDataDir(h *Host, opts *HostOptions) string {
	if opts.DataDir != "" {
		return h.Path(opts.DataDir)
	}
	if v, _ := h.Getenv(skynamo.KeyDataDir); v != "" {
		return h.Path(v)
	}
	if !opts.Sim {
		if dir, err := skynamo.LoadDataDir(userConfigInput(h, opts)); err == nil && dir != "" {
			return h.Path(dir)
		}
	}
	return h.Path(skynamo.DefaultDataDir)
}

// userConfigInput reads the user's config file and environment, the
// sources the API config uses, for settings that need no API key (the
// data folder, mail).
func userConfigInput(h *Host, opts *HostOptions) skynamo.ConfigInput {
	getenv := func(k string) string { v, _ := h.Getenv(k); return v }
	in := skynamo.ConfigInput{Dir: h.Dir, Getenv: getenv, Overrides: map[string]string{skynamo.KeyDataDir: opts.DataDir}}
	if opts.Config != "" && opts.Config != DefaultConfigPath {
		in.File = h.Path(opts.Config)
	}
	return in
}
