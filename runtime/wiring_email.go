package runtime

import (
	"fmt"
	"path/filepath"

	"skynamo/bindings"
	"skynamo/skynamo"
	"skynamo/skynamo/mail"
)

// emailModule builds the email module for one run. Nothing is read until
// the script first sends (or asks email.config()): the mail settings come
// from the same file and SKYNAMO_* variables as the API's, but need no API
// key, so a script that only mails a CSV runs without one. Under --sim and
// --dry-run, or with SKYNAMO_MAIL_OUTBOX=DIR, messages are written to an
// outbox folder instead of being sent.
func emailModule(h *Host, opts *HostOptions) *bindings.Email {
	registerMailSecrets(h, opts)
	return bindings.NewEmail(bindings.EmailOptions{
		Config:    func() (bindings.EmailConfig, error) { return emailConfig(h, opts) },
		Path:      h.Path,
		OutputDir: func() string { return filepath.Join(userDataDir(h, opts), "output") },
		Notef:     h.Progressf,
	})
}

// registerMailSecrets hides the mail passwords from everything the run
// prints, from the start: a script may read them with os.getenv, and a
// bad config must not echo them.
func registerMailSecrets(h *Host, opts *HostOptions) {
	for _, k := range []string{skynamo.KeySMTPPassword, skynamo.KeyGmailPassword} {
		if v, _ := h.Getenv(k); v != "" {
			h.AddSecret(v)
		}
	}
	if opts.Sim {
		return
	}
	if mc, err := skynamo.LoadMailConfig(userConfigInput(h, opts)); err == nil {
		h.AddSecret(mc.Password)
	}
}

// errMailNotSetUp is what sending without any mail config raises. It
// names the outbox --dry-run would really use (--data-dir,
// SKYNAMO_DATA_DIR and SKYNAMO_MAIL_OUTBOX move it).
func errMailNotSetUp(outbox string) error {
	return UsageError(
		"set SKYNAMO_GMAIL_SENDER and SKYNAMO_GMAIL_PASSWORD (a Gmail app password), or SKYNAMO_SMTP_HOST (with _PORT, _SECURITY, _USERNAME, _PASSWORD, _FROM) for another server, in skynamo-config.json or the environment; --dry-run writes the messages to "+outbox+" instead",
		"email is not set up: no mail server is configured")
}

// errNoSender is what sending without from = raises when the config names
// no sender: SKYNAMO_SMTP_FROM is unset and the user name is not an address.
// Like every other mail config mistake it is the user's setup (exit 2).
func errNoSender(s mail.Settings) error {
	why := "no " + skynamo.KeySMTPUsername + " either"
	if s.Username != "" {
		why = fmt.Sprintf("%s %q is not an address", skynamo.KeySMTPUsername, s.Username)
	}
	return UsageError(
		"set "+skynamo.KeySMTPFrom+` to the address mail comes from (e.g. "Reports <reports@example.com>"), in skynamo-config.json or the environment, or pass from = "…" to email.send`,
		"email: no sender address: %s is not set and %s", skynamo.KeySMTPFrom, why)
}

// emailConfig loads the mail settings. --sim reads none of the user's
// config (like the API side) and always writes to the outbox in the
// user's data folder.
func emailConfig(h *Host, opts *HostOptions) (bindings.EmailConfig, error) {
	outbox := filepath.Join(userDataDir(h, opts), "outbox")
	if dir, _ := h.Getenv(skynamo.KeyMailOutbox); dir != "" {
		outbox = h.Path(dir)
	}
	if opts.Sim {
		return bindings.EmailConfig{Outbox: outbox, OutboxReason: "--sim", NotConfigured: errMailNotSetUp(outbox)}, nil
	}
	mc, err := skynamo.LoadMailConfig(userConfigInput(h, opts))
	if err != nil {
		return bindings.EmailConfig{}, UsageError("see the README's \"Email\" section", "email: %v", err)
	}
	h.AddSecret(mc.Password)
	if mc.Outbox != "" { // the environment's, or the config file's
		outbox = h.Path(mc.Outbox)
	}
	cfg := bindings.EmailConfig{Settings: mc.Settings, Configured: mc.Configured, NotConfigured: errMailNotSetUp(outbox)}
	if mc.Configured && mc.Settings.From == "" {
		cfg.NoSender = errNoSender(mc.Settings)
	}
	switch {
	case opts.DryRun:
		cfg.Outbox, cfg.OutboxReason = outbox, "--dry-run"
	case mc.Outbox != "":
		cfg.Outbox, cfg.OutboxReason = outbox, skynamo.KeyMailOutbox
	}
	if cfg.Settings.CAFile != "" && cfg.Outbox == "" {
		if _, err := cfg.Settings.TLSConfig(); err != nil {
			return bindings.EmailConfig{}, UsageError("set "+skynamo.KeySMTPCAFile+" to a PEM file of the CA that signed your mail server's certificate", "email: %s: %v", skynamo.KeySMTPCAFile, err)
		}
	}
	return cfg, nil
}
