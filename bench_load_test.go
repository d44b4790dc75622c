package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// decodeChildEnv makes the test binary, started again as a child, decode a
// cache file into Go maps and exit: the baseline the Lua load is measured
// against, in a process of its own so its peak RSS is its own.
const decodeChildEnv = "SKYNAMO_BENCH_DECODE_FILE"

// runDecodeChild is called from TestMain before anything else.
func runDecodeChild() {
	path := os.Getenv(decodeChildEnv)
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// A cache file is one line of state, then the records array.
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		data = data[i+1:]
	}
	var records []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&records); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 0
	for _, r := range records {
		if r["active"] == true {
			n++
		}
	}
	fmt.Println(len(records), n)
	os.Exit(0)
}

// filterScript loads every cached customer into Lua and filters them.
const filterScript = `
local reader = require "reader"
local tables = require "tables"
local customers = assert(reader.customers())
local picked = tables.filter(customers, function(c)
  return c.active and (c.custom["Credit Limit (R)"] or 0) >= 10000
end)
print(#customers, #picked)
`

// slimFilterScript is filterScript loading only the properties it uses.
const slimFilterScript = `
local reader = require "reader"
local tables = require "tables"
local customers = assert(reader.customers { fields = { "code", "name", "active", "custom.Credit Limit (R)" } })
local picked = tables.filter(customers, function(c)
  return c.active and (c.custom["Credit Limit (R)"] or 0) >= 10000
end)
print(#customers, #picked)
`

// childRun runs cmd and returns its wall time and peak RSS in MB.
func childRun(b *testing.B, cmd *exec.Cmd) (time.Duration, float64, string) {
	b.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, errb.String())
	}
	elapsed := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		b.Fatal("no rusage on this platform")
	}
	return elapsed, float64(ru.Maxrss) / 1024, out.String() // Linux reports Maxrss in KiB
}

// BenchmarkLoad100kIntoLua measures loading 100,000 cached customers into
// Lua and filtering them, in a child process that does only that (time and
// peak RSS), next to decoding the same JSON into Go maps:
//
//	go test -run XXX -bench Load100k -benchtime 1x .
func BenchmarkLoad100kIntoLua(b *testing.B) {
	const customers = 100000
	// The simulator runs as a process of its own: a child's peak RSS on
	// Linux starts from its parent's high-water mark (the child shares the
	// parent's memory between fork and exec), so this process must never
	// hold 100,000 customers itself.
	simCmd := exec.Command(binary, "sim", "--addr", "127.0.0.1:0", "--customers", fmt.Sprint(customers), "--orders", "10")
	simOut, err := simCmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := simCmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = simCmd.Process.Kill(); _ = simCmd.Wait() }()
	line, err := bufio.NewReader(simOut).ReadString('\n')
	if err != nil {
		b.Fatalf("the simulator said nothing: %v", err)
	}
	base := line[strings.LastIndex(line, " ")+1 : len(line)-1] // "Skynamo API simulator at URL"
	dir := b.TempDir()
	cfg := `{"SKYNAMO_INSTANCE_NAME": "demo", "SKYNAMO_API_KEY": "demo-key"}`
	if err := os.WriteFile(filepath.Join(dir, "skynamo-config.json"), []byte(cfg), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "filter.lua"), []byte(filterScript), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "slim.lua"), []byte(slimFilterScript), 0o644); err != nil {
		b.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "SKYNAMO_API_BASE=" + base}
	sync := exec.Command(binary, "sync", "-q", "customers", "form_definitions")
	sync.Dir, sync.Env = dir, env
	if out, err := sync.CombinedOutput(); err != nil {
		b.Fatalf("sync: %v\n%s", err, out)
	}
	_ = simCmd.Process.Kill() // the Lua runs are --offline

	cacheFile := filepath.Join(dir, "skynamo_data", "cache", "demo", "customers.cache")
	info, err := os.Stat(cacheFile)
	if err != nil {
		b.Fatal(err)
	}

	b.ResetTimer()
	for range b.N {
		lua := exec.Command(binary, "run", "-q", "--offline", "filter.lua")
		lua.Dir, lua.Env = dir, env
		luaTime, luaRSS, luaOut := childRun(b, lua)

		slim := exec.Command(binary, "run", "-q", "--offline", "slim.lua")
		slim.Dir, slim.Env = dir, env
		slimTime, slimRSS, slimOut := childRun(b, slim)

		goDecode := exec.Command(os.Args[0], "-test.run=XXX")
		goDecode.Env = append(env, decodeChildEnv+"="+cacheFile)
		goTime, goRSS, goOut := childRun(b, goDecode)

		b.ReportMetric(luaTime.Seconds(), "lua-s")
		b.ReportMetric(luaRSS, "lua-MB")
		b.ReportMetric(float64(luaTime)/float64(goTime), "lua/go-time")
		b.ReportMetric(luaRSS/goRSS, "lua/go-rss")
		b.ReportMetric(slimTime.Seconds(), "slim-s")
		b.ReportMetric(slimRSS, "slim-MB")
		b.Logf("\n"+
			"%d cached customers (%.0f MB of JSON)\n"+
			"  Lua: load + filter (child)   %8s  peak RSS %6.0f MB  (targets < 1 s, < 400 MB)  -> %s"+
			"  Lua, fields = {4 properties} %8s  peak RSS %6.0f MB  (same targets)  -> %s"+
			"  Go:  decode into maps (child)%8s  peak RSS %6.0f MB  -> %s"+
			"  ratio Lua / Go               %8.2fx time, %.2fx RSS",
			customers, float64(info.Size())/1e6,
			luaTime.Round(time.Millisecond), luaRSS, luaOut,
			slimTime.Round(time.Millisecond), slimRSS, slimOut,
			goTime.Round(time.Millisecond), goRSS, goOut,
			float64(luaTime)/float64(goTime), luaRSS/goRSS)
	}
}
