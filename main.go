// Command skynamo runs Lua scripts against the Skynamo field-sales CRM API.
// Everything happens in package runtime; main only hands it the process's
// arguments, streams and environment, and exits with the code it returns.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"skynamo/runtime"
)

func main() {
	// SIGTERM cancels the context: the script stops at its next
	// instruction, buffered output and caches are flushed, exit code 130.
	// Ctrl-C is handed in for the runtime to decide: it does the same to a
	// run, but at the REPL's terminal it stops only the running line.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	code := runtime.Main(ctx, os.Args[1:], runtime.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Interrupts: interrupts}, os.LookupEnv)
	signal.Stop(interrupts)
	stop()
	os.Exit(code)
}
