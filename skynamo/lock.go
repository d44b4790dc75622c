package skynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultLockWait is how long a sync waits for another process pulling the
// same entity: longer than a large pull takes, shorter than a cron period
// a user would notice piling up.
const DefaultLockWait = 10 * time.Minute

// NoLockWait as SyncOptions.LockWait fails at once when another process
// is pulling the entity.
const NoLockWait time.Duration = -1

// lockPoll is how often a waiting sync tries the lock again. flock(2) can
// block, but a blocked call cannot be cancelled by Ctrl-C or the deadline.
const lockPoll = 50 * time.Millisecond

// errLocked is lockFile's "someone else holds it".
var errLocked = errors.New("locked")

// ErrLocked matches (errors.Is) a sync that gave up waiting for another
// process pulling the same entity.
var ErrLocked = errors.New("another skynamo is pulling this entity")

// lockInfo is written into a held lock file, so that a waiting process can
// say whom it waits for.
type lockInfo struct {
	PID    int       `json:"pid"`
	Entity string    `json:"entity"`
	Since  time.Time `json:"since"`
}

// entityLock is an exclusive inter-process lock on one entity's cache,
// held around a pull and its saves. Reads need no lock: the cache file is
// replaced by a rename, so a reader sees one whole version of it.
type entityLock struct {
	f *os.File
}

// lockEntity takes the lock on entity's cache, waiting up to wait (see
// SyncOptions.LockWait) and saying once, through logf, whom it waits for.
// waited reports whether another process held it.
func (c *Cache) lockEntity(ctx context.Context, entity string, wait time.Duration, now func() time.Time, logf func(string, ...any)) (l *entityLock, waited bool, err error) {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("cache %s: %w", entity, err)
	}
	path := filepath.Join(c.dir, entity+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("cache %s: %w", entity, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := lockFile(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, waited, fmt.Errorf("cache %s: locking %s: %w", entity, path, err)
		}
		holder := describeHolder(path, entity)
		if wait < 0 || !time.Now().Before(deadline) {
			f.Close()
			return nil, waited, fmt.Errorf("%w: %s; try again when it has finished", ErrLocked, holder)
		}
		if !waited {
			logf("waiting for %s", holder)
			waited = true
		}
		t := time.NewTimer(min(lockPoll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, waited, ctx.Err()
		case <-t.C:
		}
	}
	info, _ := json.Marshal(lockInfo{PID: os.Getpid(), Entity: entity, Since: now()})
	// The info is a courtesy to waiters: the lock holds without it.
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt(append(info, '\n'), 0)
	}
	return &entityLock{f: f}, waited, nil
}

// unlock releases the lock. The file stays: removing it would let a
// waiter lock an unlinked file while a newcomer locks a new one.
func (l *entityLock) unlock() {
	_ = l.f.Truncate(0)
	_ = unlockFile(l.f)
	l.f.Close()
}

// describeHolder says who holds the lock, as far as its info file tells:
// "another skynamo (pid 4242) pulling customers since 08:00:01".
func describeHolder(path, entity string) string {
	data, err := os.ReadFile(path)
	var info lockInfo
	if err != nil || json.Unmarshal(data, &info) != nil || info.PID == 0 {
		return "another skynamo pulling " + entity
	}
	return fmt.Sprintf("another skynamo (pid %d) pulling %s since %s", info.PID, entity, info.Since.Local().Format("15:04:05"))
}
