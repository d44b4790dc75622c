// Package stdlib holds the Lua modules that ship inside the skynamo binary.
//
// Every *.lua file in this folder is embedded and becomes a module named
// after the file: strings.lua is reached from scripts with require "strings".
// The runtime preloads them (package runtime, luastate.go); this package only
// owns the files, so it needs no Lua VM and can be read by tools and tests.
package stdlib

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.lua
var files embed.FS

// Module is one embedded Lua module.
type Module struct {
	Name   string // the name scripts pass to require: "strings"
	Chunk  string // the chunk name tracebacks show: "stdlib/strings.lua"
	Source []byte
}

// ChunkName is the name a module's code is compiled under.
//
// PUC Lua writes file chunks as "@file" and strips the "@" when it prints a
// position; gopher-lua prints chunk names verbatim, so an "@" would show up
// in every message ("@stdlib/strings.lua:4:"). The plain relative path names
// the file the reader should open, which is what the "@" convention is for.
func ChunkName(file string) string { return "stdlib/" + file }

// Modules lists the embedded modules sorted by name, so registration order
// never depends on map iteration or the file system.
func Modules() []Module {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		// The embedded FS is fixed at build time; a read failure here means
		// the binary itself is broken, not anything a user can fix.
		panic("stdlib: reading embedded files: " + err.Error())
	}
	mods := make([]Module, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".lua" {
			continue
		}
		src, err := files.ReadFile(name)
		if err != nil {
			panic("stdlib: reading embedded " + name + ": " + err.Error())
		}
		mods = append(mods, Module{
			Name:   strings.TrimSuffix(name, ".lua"),
			Chunk:  ChunkName(name),
			Source: src,
		})
	}
	return mods // fs.ReadDir returns entries sorted by file name
}
