// Package scripts holds the Lua scripts shipped with skynamo, embedded in
// the binary so that `skynamo run customer_report` works from any folder
// and `skynamo scripts` can list them without a checkout.
package scripts

import (
	"bytes"
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.lua
var files embed.FS

// Script is one shipped script.
type Script struct {
	Name        string // the file name without .lua: what `skynamo run NAME` takes
	Description string // the header's one line
}

// List is every shipped script, by name.
func List() []Script {
	entries, _ := fs.ReadDir(files, ".") // an embed.FS root always reads
	var out []Script
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".lua")
		if !ok {
			continue
		}
		src, _ := files.ReadFile(e.Name())
		out = append(out, Script{Name: name, Description: Describe(src)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Source is the text of the shipped script name ("stock_reorder" or
// "stock_reorder.lua").
func Source(name string) ([]byte, bool) {
	name = strings.TrimSuffix(name, ".lua")
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false
	}
	src, err := files.ReadFile(name + ".lua")
	return src, err == nil
}

// Describe reads a script's one-line description from its first line,
// "-- name.lua: what it does." A script without that header is described
// by its first comment line, or not at all.
func Describe(src []byte) string {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	for _, line := range strings.SplitN(string(src), "\n", 4) {
		line = strings.TrimSpace(strings.TrimRight(line, "\r"))
		if strings.HasPrefix(line, "#") { // a #! line
			continue
		}
		text, ok := strings.CutPrefix(line, "--")
		if !ok {
			return ""
		}
		text = strings.TrimSpace(text)
		if head, desc, ok := strings.Cut(text, ": "); ok && path.Ext(head) == ".lua" && !strings.Contains(head, " ") {
			text = desc
		}
		if text != "" {
			return strings.TrimSuffix(text, ".")
		}
	}
	return ""
}
