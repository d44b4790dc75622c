package runtime

import (
	"net/url"
	"sort"
	"strings"
)

// minSecretLen is the shortest value treated as a secret: replacing a
// two-letter "password" everywhere would garble messages without protecting
// anything real.
const minSecretLen = 4

// AddSecret registers a value that must never be printed, such as the API
// key or the SMTP password. Every message the runtime formats passes through
// Redact. The module factory calls this as soon as it has read the config.
func (h *Host) AddSecret(s string) {
	if len(s) < minSecretLen {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// URL-escaped forms show up in error messages that quote a request URL.
	for _, v := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
		if !contains(h.secrets, v) {
			h.secrets = append(h.secrets, v)
		}
	}
	shown := append([]string(nil), h.secrets...)
	h.shown.Store(&shown)
}

// redactOutput is Redact for what a script prints (print, io.write to
// stdout and stderr): a report may print 100,000 lines, so with no secret
// registered it costs one atomic load, and otherwise one strings.Contains
// per secret; only a text that holds one pays for the replacement. It sees
// one write at a time: a secret a script writes in two pieces, with two
// io.write calls, is not caught (one io.write with several arguments is
// checked whole).
func (h *Host) redactOutput(s string) string {
	shown := h.shown.Load()
	if shown == nil {
		return s
	}
	for _, sec := range *shown {
		if strings.Contains(s, sec) {
			return h.Redact(s)
		}
	}
	return s
}

// Redact replaces every registered secret in s with "***".
func (h *Host) Redact(s string) string {
	h.mu.Lock()
	secrets := append([]string(nil), h.secrets...)
	h.mu.Unlock()
	if len(secrets) == 0 {
		return s
	}
	// Longest first, so a secret that contains another is hidden whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, sec := range secrets {
		pairs = append(pairs, sec, "***")
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
