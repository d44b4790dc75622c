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
	// Ctrl-C and SIGTERM cancel the context: the script stops at its next
	// instruction, buffered output and caches are flushed, exit code 130.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runtime.Main(ctx, os.Args[1:], runtime.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.LookupEnv)
	stop()
	os.Exit(code)
}
