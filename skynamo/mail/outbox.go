package mail

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"skynamo/skynamo/fsutil"
)

// WriteOutbox writes a message into dir instead of sending it, as
// "<UTC time>-<n>-<subject slug>.eml" (n counts the run's messages, so
// their names sort in the order they were sent). The file appears whole
// or not at all (written to a temporary name, then linked), is readable by
// the user alone, and never replaces an earlier one. n is unique within
// its second whatever the subject, also between runs writing at once: a
// number some file of that second already has takes the next one. It
// returns the path written.
func WriteOutbox(dir string, now time.Time, n int, subject string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("the outbox folder: %w", err)
	}
	tmp, err := fsutil.WriteTemp(dir, ".tmp-*.eml", 0o600, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("writing to the outbox: %w", err)
	}
	defer os.Remove(tmp)
	stamp := now.UTC().Format("20060102T150405Z")
	slug := Slug(subject)
	for i := 0; i < 1000; i++ {
		k := n + i
		if used, err := numberUsed(dir, stamp, k, ""); err != nil {
			return "", fmt.Errorf("writing to the outbox: %w", err)
		} else if used {
			continue
		}
		name := fmt.Sprintf("%s-%d-%s.eml", stamp, k, slug)
		path := filepath.Join(dir, name)
		err := os.Link(tmp, path)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			// A file system without hard links: rename, after checking the
			// name is free (a race here only matters to two runs at once).
			if _, statErr := os.Lstat(path); !errors.Is(statErr, fs.ErrNotExist) {
				continue
			}
			if err := os.Rename(tmp, path); err != nil {
				return "", fmt.Errorf("writing to the outbox: %w", err)
			}
			fsutil.SyncDir(dir)
			return path, nil // the temporary file is gone: no second try
		}
		// Another run may have taken k for another subject between the
		// check and the link. Whoever sees the other's file gives k up, so
		// at most one keeps it (at worst both move on to the next).
		if used, _ := numberUsed(dir, stamp, k, name); used {
			os.Remove(path)
			continue
		}
		fsutil.SyncDir(dir)
		return path, nil
	}
	return "", fmt.Errorf("writing to the outbox: too many messages named %s-*-%s.eml", stamp, slug)
}

// numberUsed reports whether a message of second stamp other than the
// file except already has number k.
func numberUsed(dir, stamp string, k int, except string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	prefix := fmt.Sprintf("%s-%d-", stamp, k)
	for _, e := range entries {
		if name := e.Name(); name != except && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, ".eml") {
			return true, nil
		}
	}
	return false, nil
}

// slugMax is the longest slug: long enough that messages whose subjects
// differ only at the end ("Reorder: 7 products below their reorder level
// at Cape Town DC") still get different names.
const slugMax = 80

// Slug makes a file-name part of a subject: lower-case ASCII letters and
// digits (accented Latin letters lose their accent), other runs as "-", at
// most 80 characters, "message" when nothing is left.
func Slug(subject string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(subject) {
		if plain, ok := latinBase[r]; ok {
			r = plain
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= slugMax {
				break
			}
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "message"
	}
	return b.String()
}

// latinBase maps the accented letters of Western European names to their
// base letter, so "Bestätigung" names a file "bestatigung", not "best-tigung".
var latinBase = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâãäåā", 'c': "çč", 'e': "èéêëēě", 'i': "ìíîïī", 'n': "ñň", 'o': "òóôõöøō",
		'u': "ùúûüūů", 'y': "ýÿ", 's': "šß", 'z': "ž", 'r': "ř", 'd': "ď", 't': "ť",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
