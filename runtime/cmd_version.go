package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
	"runtime/debug"

	"github.com/spf13/pflag"
)

type versionOptions struct{}

func (o *versionOptions) AddFlags(*pflag.FlagSet) {}

func (o *versionOptions) check(args []string) error {
	if len(args) > 0 {
		return UsageError("", "version takes no arguments, got %q", args[0])
	}
	return nil
}

func versionCommand() Command {
	return Command{
		Name:    "version",
		Summary: "print the version of skynamo and its Lua",
		Setup: func(app *App, fs *pflag.FlagSet) Action {
			var opts versionOptions
			opts.AddFlags(fs)
			return func(ctx context.Context, h *Host, args []string) error {
				if err := opts.check(args); err != nil {
					return err
				}
				return runVersion(app, h)
			}
		},
	}
}

func runVersion(app *App, h *Host) error {
	_, err := fmt.Fprintf(h.Stdout(), "%s %s\nLua 5.1 (gopher-lua %s), %s %s/%s\n",
		app.Name, app.Version, depVersion("github.com/yuin/gopher-lua"),
		goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
	return err
}

// buildVersion describes the binary from the build information Go records:
// the module version for `go install pkg@v1.2.3`, else the VCS revision.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "dev"
	}
	return "dev-" + rev + dirty
}

func depVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}
