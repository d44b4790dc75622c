//go:build unix

package skynamo

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) without blocking. flock locks
// belong to the open file, so two Syncers of one process exclude each other
// as two processes do, and the kernel frees the lock when a process dies
// (kill -9 included): there is no stale lock to clean up.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		default:
			return err
		}
	}
}

func unlockFile(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
