package mail

import "testing"

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
