package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// onlyFile fails unless dir holds exactly the named file: no temporary
// file may be left behind.
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("folder holds %v, want only %s", names, name)
	}
}

func TestWriteFileAtomicCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := WriteFileAtomic(path, 0o644, writeString("one\n")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, 0o600, writeString(strings.Repeat("two\n", 50000))); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strings.Repeat("two\n", 50000) {
		t.Errorf("content is %d bytes, want the second write's", len(got))
	}
	onlyFile(t, dir, "out.csv")
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want the perm given (0600), not the umask's", fi.Mode().Perm())
		}
	}
}

func TestWriteFileAtomicKeepsTheOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half a file")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want fill's", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("the old file became %q", got)
	}
	onlyFile(t, dir, "out.csv")
}

func TestWriteFileAtomicNeedsTheFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "out.csv")
	if err := WriteFileAtomic(path, 0o644, writeString("x")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want not exist", err)
	}
}

func TestWriteTempLeavesAClosedFileForTheCaller(t *testing.T) {
	dir := t.TempDir()
	tmp, err := WriteTemp(dir, ".tmp-*.eml", 0o600, writeString("message"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tmp) != dir || !strings.HasSuffix(tmp, ".eml") {
		t.Errorf("temporary file %s", tmp)
	}
	if got, _ := os.ReadFile(tmp); string(got) != "message" {
		t.Errorf("content %q", got)
	}
	onlyFile(t, dir, filepath.Base(tmp))

	if _, err := WriteTemp(dir, ".tmp-*.eml", 0o600, func(io.Writer) error { return errors.New("boom") }); err == nil {
		t.Fatal("no error from a failing fill")
	}
	onlyFile(t, dir, filepath.Base(tmp))
}
