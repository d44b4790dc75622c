package mail

import (
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"No such user here": "No such user here",
		"Username and Password not accepted. For more information, go to\n https://support.google.com/mail/?p=BadCredentials x - gsmtp": "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials x - gsmtp",
		// go-smtp leaves a repeated code in place when the server follows it with two spaces or another code.
		"Message rejected\n5.7.1  see policy\n4.7.0 try later": "Message rejected see policy try later",
		"Too busy\r\n4.3.2":           "Too busy",
		"Version 5.1.2 of the\nrules": "Version 5.1.2 of the rules",
		"first\n\n\tsecond":           "first second",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginHintOnlyForMissingLogin(t *testing.T) {
	policy := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Rejected by policy"}
	required := &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication Required"}
	startTLS := &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	noLogin, withLogin := Settings{Host: "mx"}, Settings{Host: "mx", Username: "u"}
	for _, c := range []struct {
		s    Settings
		err  error
		want string
	}{
		{noLogin, required, "wants a login"},
		{noLogin, policy, ""},
		{withLogin, required, ""},
		{noLogin, startTLS, "SKYNAMO_SMTP_SECURITY=starttls"},
		{withLogin, startTLS, "SKYNAMO_SMTP_SECURITY=starttls"},
	} {
		got := hintFor(c.s, c.err)
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("login %q, %v: hint %q, want %q", c.s.Username, c.err, got, c.want)
		}
	}
}
