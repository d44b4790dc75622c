package skynamo

import (
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"skynamo/skynamo/mail"
)

// Mail config keys. The Gmail pair (KeyGmailSender, KeyGmailPassword) is the
// older SDK's; any of the SMTP server keys below selects another server.
const (
	KeySMTPHost     = "SKYNAMO_SMTP_HOST"
	KeySMTPPort     = "SKYNAMO_SMTP_PORT"
	KeySMTPSecurity = "SKYNAMO_SMTP_SECURITY" // starttls | tls | none
	KeySMTPUsername = "SKYNAMO_SMTP_USERNAME"
	KeySMTPPassword = "SKYNAMO_SMTP_PASSWORD"
	KeySMTPFrom     = "SKYNAMO_SMTP_FROM"
	KeySMTPCAFile   = "SKYNAMO_SMTP_CA_FILE"
	// KeyMailOutbox names a folder: messages are written there, not sent.
	KeyMailOutbox = "SKYNAMO_MAIL_OUTBOX"
)

func mailKeys() []string {
	return []string{KeySMTPHost, KeySMTPPort, KeySMTPSecurity, KeySMTPUsername, KeySMTPPassword,
		KeySMTPFrom, KeySMTPCAFile, KeyMailOutbox}
}

// smtpServerKeys are the keys that say "not Gmail". SKYNAMO_SMTP_FROM and
// SKYNAMO_SMTP_CA_FILE apply to Gmail too (a proxy that re-signs TLS).
var smtpServerKeys = []string{KeySMTPHost, KeySMTPPort, KeySMTPSecurity, KeySMTPUsername, KeySMTPPassword}

// MailConfig is how email is sent: Settings for the server, or Outbox.
type MailConfig struct {
	mail.Settings
	// Configured is false when no server is set (neither the Gmail keys
	// nor SKYNAMO_SMTP_HOST): sending then fails with what to set, while
	// an outbox run needs nothing.
	Configured bool
	// Outbox, when set (SKYNAMO_MAIL_OUTBOX), is the folder messages are
	// written to instead of being sent.
	Outbox string
	// DataDir is the data folder the same sources name ("" = not set).
	DataDir string
}

// LoadMailConfig reads the mail settings from the sources LoadConfig uses
// (the file, then the environment, then Overrides), without needing an API
// key or instance: a script that only mails a CSV works without them.
// Errors are one line naming the key, where it was set and what to set.
func LoadMailConfig(in ConfigInput) (MailConfig, error) {
	lv, err := loadLayered(in)
	if err != nil {
		return MailConfig{}, err
	}
	for _, k := range append(mailKeys(), KeyGmailSender, KeyGmailPassword, KeyDataDir) {
		if v := lv.values[k]; v.err != nil {
			return MailConfig{}, v.err
		}
	}
	mc := MailConfig{DataDir: lv.values[KeyDataDir].text, Outbox: lv.values[KeyMailOutbox].text}
	mc.Settings, mc.Configured, err = lv.mailSettings(filepath.Dir(lv.file.path))
	return mc, err
}

// LoadDataDir returns the data folder the file, environment and overrides
// name ("" when none does), needing no API key.
func LoadDataDir(in ConfigInput) (string, error) {
	lv, err := loadLayered(in)
	if err != nil {
		return "", err
	}
	v := lv.values[KeyDataDir]
	return v.text, v.err
}

func loadLayered(in ConfigInput) (*layeredValues, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	path, err := configPath(in)
	if err != nil {
		return nil, err
	}
	file, err := readConfigFile(path, in.File != "")
	if err != nil {
		return nil, err
	}
	lv := newLayeredValues(file)
	lv.addEnv(getenv)
	lv.addOverrides(in.Overrides)
	return lv, nil
}

func (lv *layeredValues) mailSettings(configDir string) (mail.Settings, bool, error) {
	var s mail.Settings
	text := func(k string) string { return lv.values[k].text }
	s.From = text(KeySMTPFrom)
	if ca := text(KeySMTPCAFile); ca != "" {
		if !filepath.IsAbs(ca) {
			ca = filepath.Join(configDir, ca)
		}
		s.CAFile = ca
	}
	custom := slices.ContainsFunc(smtpServerKeys, func(k string) bool { return text(k) != "" })
	if !custom {
		sender, password := text(KeyGmailSender), text(KeyGmailPassword)
		if sender == "" && password == "" {
			return s, false, nil
		}
		if sender == "" {
			return s, true, fmt.Errorf("%s is set but %s is not: set it to the Gmail address that sends, or set %s for another server",
				lv.values[KeyGmailPassword].named(KeyGmailPassword), KeyGmailSender, KeySMTPHost)
		}
		if password == "" {
			return s, true, fmt.Errorf("%s is set but %s is not: set it to a Gmail app password for %s",
				lv.values[KeyGmailSender].named(KeyGmailSender), KeyGmailPassword, sender)
		}
		s.Host, s.Port, s.Security, s.Gmail = mail.GmailHost, 587, mail.StartTLS, true
		s.Username, s.Password = sender, password
		if s.From == "" {
			s.From = sender
		}
		return s, true, nil
	}

	if s.Host = text(KeySMTPHost); s.Host == "" {
		var set []string
		for _, k := range smtpServerKeys {
			if text(k) != "" {
				set = append(set, lv.values[k].named(k))
			}
		}
		return s, true, fmt.Errorf("%s is not set, but %s is: set %s to your mail server's name (or remove the SMTP keys to send through Gmail)",
			KeySMTPHost, strings.Join(set, " and "), KeySMTPHost)
	}
	var err error
	if s.Security, err = lv.mailSecurity(); err != nil {
		return s, true, err
	}
	if s.Port, err = lv.mailPort(&s.Security); err != nil {
		return s, true, err
	}
	s.Username, s.Password = text(KeySMTPUsername), text(KeySMTPPassword)
	switch {
	case s.Username != "" && s.Password == "":
		return s, true, fmt.Errorf("%s is set but %s is not: set the password, or remove the username to send without logging in", KeySMTPUsername, KeySMTPPassword)
	case s.Username == "" && s.Password != "":
		return s, true, fmt.Errorf("%s is set but %s is not: set the user name to log in with", KeySMTPPassword, KeySMTPUsername)
	case s.Password != "" && s.Security == mail.None && !isLoopback(s.Host):
		return s, true, fmt.Errorf("%s=none would send the password to %s unencrypted: use starttls or tls", KeySMTPSecurity, s.Host)
	}
	if s.From == "" && strings.Contains(s.Username, "@") {
		s.From = s.Username
	}
	return s, true, nil
}

func (lv *layeredValues) mailSecurity() (mail.Security, error) {
	v := lv.values[KeySMTPSecurity]
	switch strings.ToLower(v.text) {
	case "":
		if lv.values[KeySMTPPort].text == "465" {
			return mail.TLS, nil
		}
		return mail.StartTLS, nil
	case "starttls":
		return mail.StartTLS, nil
	case "tls", "ssl":
		return mail.TLS, nil
	case "none":
		return mail.None, nil
	}
	return "", fmt.Errorf("%s: expected starttls, tls or none, got %q", v.named(KeySMTPSecurity), v.text)
}

// mailPort defaults by security: 587 STARTTLS, 465 TLS, 25 none.
func (lv *layeredValues) mailPort(sec *mail.Security) (int, error) {
	v := lv.values[KeySMTPPort]
	if v.text == "" {
		switch *sec {
		case mail.TLS:
			return 465, nil
		case mail.None:
			return 25, nil
		}
		return 587, nil
	}
	n, err := strconv.Atoi(v.text)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%s: expected a port number such as 587, got %q", v.named(KeySMTPPort), v.text)
	}
	return n, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
