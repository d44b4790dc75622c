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
	noLogin, withLogin := Settings{Host: "mx"}, Settings{Host: "mx", Username: "u"}
	for _, c := range []struct {
		s    Settings
		step string
		err  error
		want bool
	}{
		{noLogin, "the sender a@x.com", required, true},
		{noLogin, "the sender a@x.com", policy, true},
		{noLogin, "the recipient b@y.com", policy, false},
		{noLogin, "the message", policy, false},
		{noLogin, "the message", required, true},
		{withLogin, "the sender a@x.com", required, false},
	} {
		got := strings.Contains(hintFor(c.s, c.step, c.err), "wants a login")
		if got != c.want {
			t.Errorf("%s, login %q, %v: login hint %v, want %v", c.step, c.s.Username, c.err, got, c.want)
		}
	}
}
