package runtime

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUserDataDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "skynamo-config.json"), []byte(`{"SKYNAMO_DATA_DIR": "from-file"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts HostOptions
		env  map[string]string
		want string
	}{
		{"flag wins", HostOptions{DataDir: "flag", Config: DefaultConfigPath}, map[string]string{"SKYNAMO_DATA_DIR": "env"}, "flag"},
		{"environment next", HostOptions{Config: DefaultConfigPath}, map[string]string{"SKYNAMO_DATA_DIR": "env"}, "env"},
		{"config file next", HostOptions{Config: DefaultConfigPath}, nil, "from-file"},
		{"--sim reads no config file", HostOptions{Sim: true, Config: DefaultConfigPath}, nil, "skynamo_data"},
		{"absolute flag", HostOptions{DataDir: "/abs/data", Config: DefaultConfigPath}, nil, "/abs/data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHost(IO{}, MapEnv(tc.env))
			h.Dir = dir
			want := tc.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(dir, want)
			}
			if got := userDataDir(h, &tc.opts); got != want {
				t.Errorf("userDataDir = %s, want %s", got, want)
			}
		})
	}
}
