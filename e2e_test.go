package main

// End-to-end tests: the real binary, built once in TestMain, run as a user
// would against the simulator on 127.0.0.1:0, in a temporary working folder.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"skynamo/skynamo/sim"
)

var binary string

func TestMain(m *testing.M) {
	runDecodeChild() // a benchmark's child process: decodes and exits
	dir, err := os.MkdirTemp("", "skynamo-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "skynamo")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the binary:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary left behind.
type result struct {
	code           int
	stdout, stderr string
}

// workdir is a temporary working folder with the shipped scripts reachable
// under scripts/ and a config pointing at the given simulator.
type workdir struct {
	t    *testing.T
	dir  string
	env  []string
	repo string
}

func newWorkdir(t *testing.T) *workdir {
	t.Helper()
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	w := &workdir{t: t, dir: t.TempDir(), repo: repo}
	// A clean environment: no SKYNAMO_* from the developer's shell leaks in.
	w.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + w.dir, "SKYNAMO_RETRY_BASE=1ms"}
	return w
}

// useSim writes a config file for the simulator at base.
func (w *workdir) useSim(base string) {
	w.t.Helper()
	cfg := fmt.Sprintf(`{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_REGION": "za", "SKYNAMO_API_KEY": "demo-key", "SKYNAMO_CACHE_REFRESH_INTERVAL": 300}`)
	w.write("skynamo-config.json", cfg)
	w.env = append(w.env, "SKYNAMO_API_BASE="+base)
}

func (w *workdir) write(name, content string) string {
	w.t.Helper()
	p := filepath.Join(w.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *workdir) script(name string) string { return filepath.Join(w.repo, "scripts", name) }

func (w *workdir) run(args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = w.dir
	cmd.Env = w.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		w.t.Fatalf("running %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (w *workdir) readCSV(name string) []map[string]string {
	w.t.Helper()
	data, err := os.ReadFile(filepath.Join(w.dir, name))
	if err != nil {
		w.t.Fatal(err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		w.t.Fatalf("%s is not valid CSV: %v", name, err)
	}
	if len(rows) == 0 {
		w.t.Fatalf("%s is empty", name)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func startSim(t *testing.T, o sim.Options) (*sim.Server, string) {
	t.Helper()
	s := sim.New(o)
	base, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func expectCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, want, r.stdout, r.stderr)
	}
}

func contains(t *testing.T, text, want string) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Fatalf("expected %q in:\n%s", want, text)
	}
}
