// Command skynamo runs Lua scripts against the Skynamo field-sales CRM API.
// Everything happens in package runtime; main only hands it the process's
// arguments, streams and environment, and exits with the code it returns.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	go exitWhenInsisted()
	code := runtime.Main(ctx, os.Args[1:], runtime.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Interrupts: interrupts}, os.LookupEnv)
	signal.Stop(interrupts)
	stop()
	os.Exit(code)
}

// exitWhenInsisted ends the process at once on a second SIGTERM, or on a
// third Ctrl-C within three seconds. The first ones stop the script
// cleanly, but a script blocked where the context is not watched (io.read
// on a terminal) would otherwise never end. Exiting there leaves no file
// half written: caches, journals and output files are written to a
// temporary name and renamed, so each is whole or untouched (a stray
// temporary file may stay behind). Script output still buffered for a
// pipe is lost, as with any killed process.
func exitWhenInsisted() {
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	var terms int
	var ctrlC []time.Time
	for sig := range signals {
		if sig == syscall.SIGTERM {
			terms++
		} else {
			now := time.Now()
			ctrlC = append(ctrlC, now)
			for len(ctrlC) > 0 && now.Sub(ctrlC[0]) > 3*time.Second {
				ctrlC = ctrlC[1:]
			}
		}
		if terms >= 2 || len(ctrlC) >= 3 {
			fmt.Fprintln(os.Stderr, "skynamo: interrupted again: exiting now")
			os.Exit(130)
		}
	}
}
