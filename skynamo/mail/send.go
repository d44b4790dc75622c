package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Send delivers data (a message from Message.Bytes) from the envelope
// sender from to rcpts through the server s names. Cancelling ctx (Ctrl-C)
// aborts the conversation at once by closing the connection. Errors say
// which step failed with the server's code and reason, and give a hint
// where one helps; they never contain the password.
func Send(ctx context.Context, s Settings, from string, rcpts []string, data []byte) error {
	err := send(ctx, s, from, rcpts, data)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("email not sent: %w", ctx.Err())
	}
	return explain(s, err)
}

// stepError names the step of the conversation that failed.
type stepError struct {
	step string // "connecting", "the login", "the sender", ...
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

func at(step string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{step: step, err: err}
}

func send(ctx context.Context, s Settings, from string, rcpts []string, data []byte) error {
	tlsConfig, err := s.TLSConfig()
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return at("connecting", err)
	}
	// Closing the connection is what unblocks a read stuck on a silent
	// server when the user presses Ctrl-C or the timeout passes. The
	// closure has its own variable: conn below is reassigned to the TLS
	// connection while this may already run on another goroutine.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	defer raw.Close()

	conn := raw
	if s.Security == TLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return at("the TLS handshake", err)
		}
		conn = tc
	}
	var c *smtp.Client
	if s.Security == StartTLS {
		if c, err = smtp.NewClientStartTLS(conn, tlsConfig); err != nil {
			return at("STARTTLS", err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout = timeout
	c.SubmissionTimeout = timeout

	if s.Username != "" {
		if err := c.Auth(authClient(c, s)); err != nil {
			return at("the login", err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return at("the sender "+from, err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return at("the recipient "+r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return at("the message", err)
	}
	if _, err := w.Write(data); err != nil {
		return at("the message", err)
	}
	if err := w.Close(); err != nil {
		return at("the message", err)
	}
	// The message is accepted; a failed QUIT changes nothing for the user.
	_ = c.Quit()
	return nil
}

// authClient prefers PLAIN and falls back to LOGIN, which some older
// servers (Exchange) offer alone.
func authClient(c *smtp.Client, s Settings) sasl.Client {
	if !c.SupportsAuth(sasl.Plain) && c.SupportsAuth(sasl.Login) {
		return sasl.NewLoginClient(s.Username, s.Password)
	}
	return sasl.NewPlainClient("", s.Username, s.Password)
}

// TLSConfig verifies the server against the system's CAs plus CAFile.
func (s Settings) TLSConfig() (*tls.Config, error) {
	cfg := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.CAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA file %s holds no PEM certificate", s.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// explain turns a send error into one line for a script author.
func explain(s Settings, err error) error {
	var step *stepError
	where := "sending"
	if errors.As(err, &step) {
		where = step.step
		err = step.err
	}
	msg := fmt.Sprintf("email not sent: %s (%s): %s", where, s.Addr(), describe(err))
	if hint := hintFor(s, err); hint != "" {
		msg += "; " + hint
	}
	return errors.New(msg)
}

// describe is the failure in one line: a server's reply may span several
// ("535-5.7.8 Username and Password not accepted. For more information,
// go to" / "535 5.7.8  https://support.google.com/..."), and an error that
// breaks across lines is hard to read in a log and to grep.
func describe(err error) string {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		text := fmt.Sprintf("the server answered %d", se.Code)
		if se.EnhancedCode != smtp.NoEnhancedCode && se.EnhancedCode != (smtp.EnhancedCode{}) {
			text += fmt.Sprintf(" %d.%d.%d", se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2])
		}
		if msg := oneLine(se.Message); msg != "" {
			text += " " + msg
		}
		return text
	}
	return oneLine(err.Error())
}

// oneLine joins a multi-line reply: each continuation line loses the
// enhanced status code it repeats (go-smtp strips it only when it is
// followed by exactly one space), and runs of white space become one.
func oneLine(msg string) string {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		line := strings.TrimLeft(lines[i], " \t")
		if code, rest, ok := strings.Cut(line, " "); ok && isEnhancedCode(code) {
			line = rest
		} else if isEnhancedCode(line) {
			line = ""
		}
		lines[i] = line
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

// isEnhancedCode matches RFC 3463's class.subject.detail, e.g. 5.7.8.
func isEnhancedCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || strings.IndexByte("245", parts[0][0]) < 0 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// hintFor suggests a fix for err. 530 is "authentication required" (or,
// from Postfix, "issue STARTTLS first"); 5.7.0 alone is any security
// policy, such as a refused recipient, and gets no login hint.
func hintFor(s Settings, err error) string {
	var se *smtp.SMTPError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	switch {
	case errors.As(err, &se) && se.Code == 535 && s.Gmail:
		return "Gmail takes an app password (Google account > Security > App passwords), not the account's password: put it in SKYNAMO_GMAIL_PASSWORD"
	case errors.As(err, &se) && se.Code == 535:
		return "check SKYNAMO_SMTP_USERNAME and SKYNAMO_SMTP_PASSWORD"
	case errors.As(err, &se) && se.Code == 530 && strings.Contains(strings.ToUpper(se.Message), "STARTTLS"):
		return "the server wants an encrypted connection: set SKYNAMO_SMTP_SECURITY=starttls"
	case errors.As(err, &se) && se.Code == 530 && s.Username == "":
		return "the server wants a login: set SKYNAMO_SMTP_USERNAME and SKYNAMO_SMTP_PASSWORD"
	case errors.As(err, &unknownCA):
		return "the server's certificate is signed by an authority this machine does not trust; for a private server set SKYNAMO_SMTP_CA_FILE to its CA certificate (PEM)"
	case errors.As(err, &hostErr):
		return "the certificate is for another name: set SKYNAMO_SMTP_HOST to the name on it"
	case errors.As(err, &recordErr):
		return "the server does not speak TLS on this port: use SKYNAMO_SMTP_SECURITY=starttls (port 587) or tls (port 465) to match it"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "nothing answers there: check SKYNAMO_SMTP_HOST and SKYNAMO_SMTP_PORT"
	case errors.As(err, &dnsErr):
		return "check SKYNAMO_SMTP_HOST"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "the server did not answer in time: check SKYNAMO_SMTP_HOST and SKYNAMO_SMTP_PORT, and that a firewall lets SMTP out"
	}
	return ""
}
