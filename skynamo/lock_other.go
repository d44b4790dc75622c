//go:build !unix

package skynamo

import "os"

// lockFile is a no-op where flock(2) is missing: overlapping runs are still
// safe from corruption, because every cache file is replaced by an atomic
// rename; they only both pull.
func lockFile(*os.File) error { return nil }

func unlockFile(*os.File) error { return nil }
