package runtime

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is what one in-process run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
}

// cli drives App.Run in-process: buffers for stdio, a fake environment and
// a temporary working folder, so relative script paths stay short in
// messages ("s.lua:2:").
type cli struct {
	t     *testing.T
	dir   string
	env   map[string]string
	stdin string
	app   *App
	ctx   context.Context
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, dir: t.TempDir(), env: map[string]string{}, app: DefaultApp(), ctx: context.Background()}
}

// script writes a file into the working folder and returns its name.
func (c *cli) script(name, src string) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return name
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	h := NewHost(IO{Stdin: strings.NewReader(c.stdin), Stdout: &stdout, Stderr: &stderr}, MapEnv(c.env))
	h.Dir = c.dir
	code := c.app.Run(c.ctx, h, args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// lua runs src as s.lua with args after it.
func (c *cli) lua(src string, args ...string) result {
	c.t.Helper()
	return c.run(append([]string{"run", c.script("s.lua", src)}, args...)...)
}

func (r result) expect(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, got)
		}
	}
}

func mustNotContain(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("%s contains %q:\n%s", what, w, got)
		}
	}
}

// withModules gives the CLI's app a factory returning mods and cleanup.
func (c *cli) withModules(f ModuleFactory) *cli {
	c.app.Modules = f
	return c
}
