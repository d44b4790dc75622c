// Package fsutil writes files so that a reader, or a crash, sees the old
// content or the new, never half of it.
//
// It is a package of its own, not part of package skynamo, because
// skynamo/mail needs it and package skynamo imports skynamo/mail.
package fsutil

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with what fill writes, with permissions
// perm (exactly; the umask does not apply). The data goes to a temporary
// file in the same folder, is flushed to disk and then renamed over path,
// so readers never see a partial file and a crash leaves the old one. On
// any error the temporary file is removed and path is untouched. The
// folder must exist.
func WriteFileAtomic(path string, perm fs.FileMode, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := WriteTemp(dir, "."+filepath.Base(path)+".*.tmp", perm, fill)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(dir)
	return nil
}

// WriteTemp writes what fill writes to a new file in dir named after
// pattern (as os.CreateTemp), flushed to disk and closed with permissions
// perm, and returns its path. It is the first half of WriteFileAtomic for
// callers that publish the file another way (a hard link that must not
// replace anything); they remove the file when done. On error nothing is
// left behind.
func WriteTemp(dir, pattern string, perm fs.FileMode, fill func(io.Writer) error) (_ string, err error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// Buffered because fill may write a CSV cell at a time.
	w := bufio.NewWriterSize(f, 64<<10)
	if err := fill(w); err != nil {
		return "", err
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Chmod(perm); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// SyncDir makes a new or renamed directory entry durable. It is best
// effort: not every system can open and sync a directory (Windows cannot),
// and the file's own data is already on disk.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
