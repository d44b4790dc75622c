package runtime

import (
	"errors"
	"testing"
)

func TestHostOptionsCheck(t *testing.T) {
	ok := HostOptions{Config: DefaultConfigPath}
	tests := []struct {
		name string
		opts HostOptions
		bad  bool
	}{
		{"defaults", ok, false},
		{"sim", HostOptions{Config: DefaultConfigPath, Sim: true}, false},
		{"api base", HostOptions{Config: DefaultConfigPath, APIBase: "https://api.example.com/v1/"}, false},
		{"negative concurrency", HostOptions{Config: DefaultConfigPath, Concurrency: -1}, true},
		{"empty config", HostOptions{}, true},
		{"sim and api base", HostOptions{Config: DefaultConfigPath, Sim: true, APIBase: "http://localhost/"}, true},
		{"api base without scheme", HostOptions{Config: DefaultConfigPath, APIBase: "api.example.com"}, true},
		{"api base without host", HostOptions{Config: DefaultConfigPath, APIBase: "https:///v1"}, true},
		{"verbose", HostOptions{Config: DefaultConfigPath, Verbose: true}, false},
		{"quiet and verbose", HostOptions{Config: DefaultConfigPath, Quiet: true, Verbose: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.check()
			checkUsage(t, err, tt.bad)
		})
	}
}

func TestRunCheck(t *testing.T) {
	good := runOptions{HostOptions: HostOptions{Config: DefaultConfigPath}}
	tests := []struct {
		name string
		opts runOptions
		args []string
		bad  bool
	}{
		{"script", good, []string{"r.lua"}, false},
		{"script and args", good, []string{"r.lua", "-x", "--", "y"}, false},
		{"stdin", good, []string{"-"}, false},
		{"no script", good, nil, true},
		{"empty script path", good, []string{""}, true},
		{"bad host flag", runOptions{HostOptions: HostOptions{Config: DefaultConfigPath, Concurrency: -2}}, []string{"r.lua"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUsage(t, tt.opts.check(tt.args), tt.bad)
		})
	}
}

func TestReplCheck(t *testing.T) {
	good := replOptions{HostOptions{Config: DefaultConfigPath}}
	tests := []struct {
		name string
		opts replOptions
		args []string
		bad  bool
	}{
		{"no args", good, nil, false},
		{"a script", good, []string{"r.lua"}, true},
		{"bad host flag", replOptions{HostOptions{}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkUsage(t, tt.opts.check(tt.args), tt.bad)
		})
	}
}

func TestVersionAndHelpCheck(t *testing.T) {
	var v versionOptions
	checkUsage(t, v.check(nil), false)
	checkUsage(t, v.check([]string{"extra"}), true)
	var h helpOptions
	checkUsage(t, h.check([]string{"run"}), false)
}

func checkUsage(t *testing.T, err error, bad bool) {
	t.Helper()
	if !bad {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	var ec ExitCoder
	if err == nil || !errors.As(err, &ec) || ec.ExitCode() != ExitUsage {
		t.Errorf("want a usage error, got %v", err)
	}
}
