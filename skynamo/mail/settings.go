// Package mail builds MIME messages, sends them over SMTP and writes them
// to an outbox folder instead when nothing may be sent (--sim, --dry-run).
// It knows nothing of Lua or of Skynamo's API: bindings/email.go turns a
// script's table into a Message, and skynamo.LoadMailConfig fills Settings
// from the config file and the environment.
package mail

import (
	"fmt"
	"net"
	"strconv"
	"time"
)

// Security is how the connection to the SMTP server is protected.
type Security string

const (
	StartTLS Security = "starttls" // plain connect, then STARTTLS (port 587); required, never skipped
	TLS      Security = "tls"      // TLS from the first byte (port 465)
	None     Security = "none"     // no encryption: a local relay or a test sink
)

// DefaultTimeout bounds a whole send when Settings.Timeout is zero: a mail
// server that stops answering must not hang a nightly report for ever.
const DefaultTimeout = 2 * time.Minute

// GmailHost is the server the older SDK sent through.
const GmailHost = "smtp.gmail.com"

// Settings say which SMTP server to use and how. String, GoString and
// Format hide Password, so printing Settings never shows it.
type Settings struct {
	Host     string
	Port     int
	Security Security
	Username string // "" = no AUTH
	Password string // secret
	From     string // default sender address
	CAFile   string // PEM file of extra trusted CAs, for private servers
	Gmail    bool   // set from the Gmail keys: failures get Gmail's hints
	Timeout  time.Duration
}

// Addr is host:port, with an IPv6 host in brackets ([::1]:587) as
// net.Dial wants it.
func (s Settings) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

func (s Settings) redacted() string {
	pw := "(unset)"
	if s.Password != "" {
		pw = "(set, redacted)"
	}
	return fmt.Sprintf("mail.Settings{Host:%q Port:%d Security:%q Username:%q Password:%s From:%q CAFile:%q Gmail:%t Timeout:%s}",
		s.Host, s.Port, s.Security, s.Username, pw, s.From, s.CAFile, s.Gmail, s.Timeout)
}

// String implements fmt.Stringer without the password.
func (s Settings) String() string { return s.redacted() }

// GoString covers %#v.
func (s Settings) GoString() string { return s.redacted() }

// Format covers every other verb, which would otherwise print the fields.
func (s Settings) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.redacted()) }
