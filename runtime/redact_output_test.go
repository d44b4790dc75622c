package runtime

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// withSecret is a CLI whose module factory registers secret, as the real
// one does with the API key.
func withSecret(t *testing.T, secret string) *cli {
	c := newCLI(t).withModules(func(_ context.Context, h *Host, _ *HostOptions) ([]Module, func() error, error) {
		h.AddSecret(secret)
		return nil, nil, nil
	})
	c.env["SKYNAMO_API_KEY"] = secret
	return c
}

// What a script prints to stdout or stderr never shows a registered
// secret: print, io.write (also with the secret spread over its
// arguments) and io.stderr:write.
func TestScriptOutputIsRedacted(t *testing.T) {
	c := withSecret(t, "sk-live-12345")
	r := c.lua(`
local key = os.getenv("SKYNAMO_API_KEY")
print(key)
print("key=" .. key, 1)
io.write("sk-live-", "12345", "\n")
io.stdout:write(key, "\n")
io.stderr:write("err ", key, "\n")
print("clean")
`)
	r.expect(t, ExitOK)
	if r.stdout != "***\nkey=***\t1\n***\n***\nclean\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	mustContain(t, "stderr", r.stderr, "err ***\n")
	mustNotContain(t, "output", r.stdout+r.stderr, "sk-live-12345")
}

func TestReplOutputIsRedacted(t *testing.T) {
	c := withSecret(t, "sk-live-12345")
	c.stdin = "print(os.getenv('SKYNAMO_API_KEY'))\nos.getenv('SKYNAMO_API_KEY')\n"
	r := c.run("repl")
	r.expect(t, ExitOK)
	if r.stdout != "***\n***\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

// BenchmarkPrint prints 100,000 report lines with and without a registered
// secret; go test -bench Print -run '^$' ./runtime/ compares the two (the
// secret costs a strings.Contains per line).
func BenchmarkPrint(b *testing.B) {
	const script = `for i = 1, 100000 do print("customer", i, "Acme Trading (Pty) Ltd", "Cape Town", 1234.5) end`
	for _, secret := range []string{"", "sk-live-12345"} {
		b.Run(fmt.Sprintf("secret=%v", secret != ""), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var out bytes.Buffer
				h := NewHost(IO{Stdout: &out}, nil)
				h.AddSecret(secret) // "" registers nothing
				s, err := newSession(context.Background(), h, nil, "")
				if err != nil {
					b.Fatal(err)
				}
				if err := s.L.DoString(script); err != nil {
					b.Fatal(err)
				}
				_ = h.Flush()
				s.Close()
				if strings.Count(out.String(), "\n") != 100000 {
					b.Fatal("lines missing")
				}
			}
		})
	}
}
