package mail_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/mail"
	"skynamo/skynamo/mail/mailtest"
)

const secret = "app-pass-7f3k9"

func testMessage(t *testing.T) (*mail.Message, []byte) {
	t.Helper()
	to, err := mail.ParseAddresses("to", []string{"Ünal <u@example.com>", "b@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	m := &mail.Message{
		From: &netmail.Address{Address: "reports@example.com"}, To: to,
		Bcc:     []*netmail.Address{{Address: "audit@example.com"}},
		Subject: "Umsätze", Text: "hi",
		Attachments: []mail.Attachment{{Name: "r.csv", Data: []byte("a,b\r\n1,2\r\n")}},
		Date:        time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), MessageID: "<id@example.com>",
	}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return m, data
}

func TestSendEachSecurity(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts mailtest.Options
	}{
		{"starttls with auth", mailtest.Options{Security: mail.StartTLS, Username: "reports@example.com", Password: secret}},
		{"implicit tls with auth", mailtest.Options{Security: mail.TLS, Username: "reports@example.com", Password: secret}},
		{"plain without auth", mailtest.Options{Security: mail.None}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opts)
			m, data := testMessage(t)
			if err := mail.Send(context.Background(), srv.Settings(), m.From.Address, m.Recipients(), data); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("the server received %d messages", len(got))
			}
			if got[0].From != "reports@example.com" || strings.Join(got[0].To, " ") != "u@example.com b@example.com audit@example.com" {
				t.Errorf("envelope %s -> %v", got[0].From, got[0].To)
			}
			// What arrives is what was built, byte for byte.
			if !bytes.Equal(got[0].Data, data) {
				t.Errorf("received message differs:\n%s\nwant:\n%s", got[0].Data, data)
			}
		})
	}
}

func TestSendWrongPassword(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Security: mail.StartTLS, Username: "reports@example.com", Password: secret})
	s := srv.Settings()
	s.Password = "wrong-" + secret
	m, data := testMessage(t)
	err := mail.Send(context.Background(), s, m.From.Address, m.Recipients(), data)
	if err == nil {
		t.Fatal("a wrong password must fail")
	}
	msg := err.Error()
	for _, want := range []string{"the login", "535 5.7.8 Username and Password not accepted", "check SKYNAMO_SMTP_USERNAME"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, secret) {
		t.Errorf("error shows the password: %s", msg)
	}
	// Gmail's 535 gets the app password hint.
	s.Gmail = true
	err = mail.Send(context.Background(), s, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "app password") {
		t.Errorf("Gmail hint missing: %v", err)
	}
	if len(srv.Messages()) != 0 {
		t.Error("nothing may be delivered after a failed login")
	}
}

func TestSendRefusals(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Security: mail.StartTLS, Username: "u", Password: secret})
	m, data := testMessage(t)

	noAuth := srv.Settings()
	noAuth.Username, noAuth.Password = "", ""
	err := mail.Send(context.Background(), noAuth, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "530") || !strings.Contains(err.Error(), "wants a login") {
		t.Errorf("no login: %v", err)
	}

	err = mail.Send(context.Background(), srv.Settings(), m.From.Address, []string{"refused@example.com"}, data)
	if err == nil || !strings.Contains(err.Error(), "the recipient refused@example.com") || !strings.Contains(err.Error(), "550 5.1.1 No such user here") {
		t.Errorf("refused recipient: %v", err)
	}

	untrusted := srv.Settings()
	untrusted.CAFile = ""
	err = mail.Send(context.Background(), untrusted, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "SKYNAMO_SMTP_CA_FILE") {
		t.Errorf("unknown authority: %v", err)
	}

	wrongMode := srv.Settings()
	wrongMode.Security = mail.TLS
	err = mail.Send(context.Background(), wrongMode, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "SKYNAMO_SMTP_SECURITY") {
		t.Errorf("TLS to a STARTTLS port: %v", err)
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	s := mail.Settings{Host: "127.0.0.1", Port: port, Security: mail.None}
	m, data := testMessage(t)
	err = mail.Send(context.Background(), s, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "connecting") || !strings.Contains(err.Error(), "check SKYNAMO_SMTP_HOST and SKYNAMO_SMTP_PORT") {
		t.Errorf("refused: %v", err)
	}
}

// TestSendCancelled is Ctrl-C during a send: a server that accepts the
// connection and never greets must not hold the script.
func TestSendCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := mail.Settings{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: mail.None, Timeout: time.Hour}
	m, data := testMessage(t)
	go func() { done <- mail.Send(ctx, s, m.From.Address, m.Recipients(), data) }()
	conn := <-accepted
	defer conn.Close()
	cancel()
	err = <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestSendCancelledAfterTLSHandshake cancels while the client reads the
// greeting over implicit TLS: the cancel must close the raw connection
// without racing the switch to the TLS one (run with -race).
func TestSendCancelledAfterTLSHandshake(t *testing.T) {
	serverTLS, caFile := mailtest.Certificates(t, t.TempDir())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	handshaken := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		tc := tls.Server(c, serverTLS)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return
		}
		handshaken <- tc // and never greet
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := mail.Settings{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: mail.TLS, CAFile: caFile, Timeout: time.Hour}
	m, data := testMessage(t)
	done := make(chan error, 1)
	go func() { done <- mail.Send(ctx, s, m.From.Address, m.Recipients(), data) }()
	conn := <-handshaken
	defer conn.Close()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// gmail535 is the reply Gmail gives a wrong password, continuation line
// and double space included.
const gmail535 = "535-5.7.8 Username and Password not accepted. For more information, go to\r\n" +
	"535 5.7.8  https://support.google.com/mail/?p=BadCredentials d9443c01a7336-21c5f5e4b0asm123 - gsmtp\r\n"

// scriptedServer answers EHLO offering AUTH and every AUTH with reply:
// go-smtp's server puts the enhanced code on the last line only, so it
// cannot play Gmail.
func scriptedServer(t *testing.T, host, reply string) mail.Settings {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", host, err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		fmt.Fprint(c, "220 localhost ESMTP\r\n")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.Fields(line + " x")[0]); cmd {
			case "EHLO":
				fmt.Fprint(c, "250-localhost\r\n250 AUTH PLAIN LOGIN\r\n")
			case "AUTH":
				fmt.Fprint(c, reply)
			case "QUIT":
				fmt.Fprint(c, "221 2.0.0 bye\r\n")
				return
			default:
				fmt.Fprint(c, "502 5.5.1 not here\r\n")
			}
		}
	}()
	return mail.Settings{Host: host, Port: l.Addr().(*net.TCPAddr).Port, Security: mail.None,
		Username: "reports@gmail.com", Password: secret, Gmail: true, Timeout: time.Minute}
}

func TestSendMultiLineReplyIsOneLine(t *testing.T) {
	s := scriptedServer(t, "127.0.0.1", gmail535)
	m, data := testMessage(t)
	err := mail.Send(context.Background(), s, m.From.Address, m.Recipients(), data)
	if err == nil {
		t.Fatal("a 535 must fail")
	}
	msg := err.Error()
	want := "the server answered 535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials d9443c01a7336-21c5f5e4b0asm123 - gsmtp; Gmail takes an app password"
	if !strings.Contains(msg, want) {
		t.Errorf("error %q lacks %q", msg, want)
	}
	if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, "  ") || strings.Count(msg, "5.7.8") != 1 {
		t.Errorf("error is not one clean line: %q", msg)
	}
	if strings.Contains(msg, secret) {
		t.Errorf("error shows the password: %s", msg)
	}
}

// TestSendIPv6 reaches a server by an IPv6 literal, which needs brackets
// in the address given to the dialer.
func TestSendIPv6(t *testing.T) {
	s := scriptedServer(t, "::1", "535 5.7.8 Username and Password not accepted\r\n")
	m, data := testMessage(t)
	err := mail.Send(context.Background(), s, m.From.Address, m.Recipients(), data)
	if err == nil || !strings.Contains(err.Error(), "the login ([::1]:") || !strings.Contains(err.Error(), "535 5.7.8") {
		t.Errorf("over IPv6: %v (the server's 535 shows the connection worked)", err)
	}
}
