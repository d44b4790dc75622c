package mail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// WriteOutbox writes a message into dir instead of sending it, as
// "<UTC time>-<n>-<subject slug>.eml" (n counts the run's messages, so
// their names sort in the order they were sent). The file appears whole
// or not at all (written to a temporary name, then linked), is readable by
// the user alone, and never replaces an earlier one: a clash takes the
// next n. It returns the path written.
func WriteOutbox(dir string, now time.Time, n int, subject string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("the outbox folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*.eml")
	if err != nil {
		return "", fmt.Errorf("the outbox folder: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing to the outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing to the outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing to the outbox: %w", err)
	}
	stamp := now.UTC().Format("20060102T150405Z")
	slug := Slug(subject)
	for i := 0; i < 1000; i++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d-%s.eml", stamp, n+i, slug))
		err := os.Link(tmp.Name(), path)
		if err == nil {
			return path, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// A file system without hard links: rename, after checking the
		// name is free (a race here only matters to two runs at once).
		if _, statErr := os.Lstat(path); errors.Is(statErr, fs.ErrNotExist) {
			if err := os.Rename(tmp.Name(), path); err != nil {
				return "", fmt.Errorf("writing to the outbox: %w", err)
			}
			return path, nil
		}
	}
	return "", fmt.Errorf("writing to the outbox: too many messages named %s-*-%s.eml", stamp, slug)
}

// Slug makes a file-name part of a subject: lower-case ASCII letters and
// digits (accented Latin letters lose their accent), other runs as "-", at
// most 40 characters, "message" when nothing is left.
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
			if b.Len() >= 40 {
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
