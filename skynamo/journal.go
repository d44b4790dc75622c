package skynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The journal is one JSON Lines file per apply, under
// <DataDir>/journal/<UTC start time>-<pid>.jsonl, written so that a kill -9
// at any moment leaves enough to finish the job without sending anything
// twice:
//
//	start     who it is for (instance, API base), batch size
//	op        one line per queued write: everything needed to send it again
//	send      before each request goes out: its items, method, path and body
//	result    after its answer: per item applied/failed, or unresolved (sent,
//	          outcome unknown) or pending (not saved, to send again)
//	preimage  ids that had the natural keys before the run's creates
//	snapshot  every id of an entity before the run's first create without
//	          a natural key: what an unknown outcome is counted against
//	resolve   what a lookup or a resend decision made of unresolved items
//	end       the counts, and the error that stopped the run if any
//	resume    a later run took the journal up again
//
// The start and op lines are written to a temporary file and renamed into
// place once on disk, so a journal is never empty or half-started. Every
// later line is written whole with one write and fsync'd before the apply
// goes on, so a request is never out without its "send" line on disk. A
// kill mid-write leaves a last line without its newline: reading ignores
// it (what it said is then unknown, which the resume resolves); a write
// that fails part way (a full disk) is cut back off at once. The key is
// never written; the bodies hold customer data, so the file is 0600.

// journalVersion is bumped when the format changes incompatibly.
const journalVersion = 1

// JournalDir is where the journals of dataDir are kept.
func JournalDir(dataDir string) string { return filepath.Join(dataDir, "journal") }

const (
	evStart    = "start"
	evOp       = "op"
	evSend     = "send"
	evResult   = "result"
	evPreimage = "preimage"
	evSnapshot = "snapshot"
	evResolve  = "resolve"
	evEnd      = "end"
	evResume   = "resume"
)

// journalEvent is one line; each kind uses some of the fields.
type journalEvent struct {
	Ev   string    `json:"ev"`
	Time time.Time `json:"time"`

	// start
	Version   int    `json:"version,omitempty"`
	Instance  string `json:"instance,omitempty"`
	APIBase   string `json:"api_base,omitempty"`
	PID       int    `json:"pid,omitempty"`
	Count     int    `json:"count,omitempty"`
	BatchSize int    `json:"batch_size,omitempty"`

	// op
	Op *journalOp `json:"op,omitempty"`

	// send, result
	Req    int64           `json:"req,omitempty"`
	Method string          `json:"method,omitempty"`
	Path   string          `json:"path,omitempty"`
	Items  []int           `json:"items,omitempty"` // op Index values
	Body   json.RawMessage `json:"body,omitempty"`
	Answer string          `json:"answer,omitempty"`

	// result, resolve
	Results    []ItemResult `json:"results,omitempty"`
	Unresolved []int        `json:"unresolved,omitempty"`
	Pending    []int        `json:"pending,omitempty"`

	// preimage, snapshot
	Entity string  `json:"entity,omitempty"`
	IDs    []int64 `json:"ids,omitempty"`

	// end
	Counts map[ItemStatus]int `json:"counts,omitempty"`
	Error  string             `json:"error,omitempty"`
}

// journalOp is a WriteOp as the journal keeps it.
type journalOp struct {
	Index      int             `json:"index"`
	Entity     string          `json:"entity"`
	Kind       WriteKind       `json:"kind"`
	Method     string          `json:"method"`
	Path       string          `json:"path"`
	Item       json.RawMessage `json:"item"`
	Label      string          `json:"label,omitempty"`
	RecordKey  string          `json:"record_key,omitempty"`
	NaturalKey string          `json:"natural_key,omitempty"`
	Changes    []Change        `json:"changes,omitempty"`
}

func (o *journalOp) writeOp() WriteOp {
	return WriteOp{Index: o.Index, Entity: o.Entity, Kind: o.Kind, Method: o.Method, Path: o.Path, Item: o.Item,
		Label: o.Label, RecordKey: o.RecordKey, NaturalKey: o.NaturalKey, Changes: o.Changes}
}

// journal is an open journal file, held locked while a run appends to it
// so that two processes never resume the same apply at once.
type journal struct {
	path string
	now  func() time.Time

	mu sync.Mutex
	f  *os.File
	w  io.Writer // f; a test puts a failing writer in between
	// size is the length of the file's whole lines: a failed append is
	// cut back to it.
	size int64
	// written counts appends; synced is the count the last fsync covered.
	// Requests in flight append at once, and one fsync then covers every
	// append made before it started (a group commit): sixteen parallel
	// requests need not queue for sixteen fsyncs one after another.
	written int64
	syncMu  sync.Mutex
	synced  int64
}

// createJournal starts a journal for ops: the start line and every op are
// written to a temporary file in dir, synced, and only then renamed into
// place, so a kill before that leaves no journal at all (and no empty or
// half-written one that a resume could take for an apply).
func createJournal(dir string, cfg Config, ops []WriteOp, batch int) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	removeStaleJournalTemps(dir, time.Now())
	f, err := os.CreateTemp(dir, journalTempPrefix+"*"+journalTempSuffix) // 0600
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	tmp := f.Name()
	fail := func(j *journal, err error) (*journal, error) {
		if j != nil {
			j.close()
		} else {
			f.Close()
		}
		os.Remove(tmp)
		return nil, err
	}
	if err := lockFile(f); err != nil {
		return fail(nil, fmt.Errorf("journal %s: %w", tmp, err))
	}
	j := &journal{path: tmp, f: f, w: f, now: time.Now}
	if batch <= 0 {
		batch = DefaultWriteBatch
	}
	start := journalEvent{Ev: evStart, Time: j.now().UTC(), Version: journalVersion, Instance: cfg.Instance, APIBase: cfg.APIBase,
		PID: os.Getpid(), Count: len(ops), BatchSize: batch}
	buf, err := json.Marshal(start)
	if err != nil {
		return fail(j, err)
	}
	size := len(buf) + 1
	for _, op := range ops {
		size += len(op.Item) + len(op.Label) + len(op.RecordKey) + len(op.NaturalKey) + 160
	}
	buf = append(make([]byte, 0, size), buf...)
	buf = append(buf, '\n')
	at, _ := json.Marshal(start.Time)
	for _, op := range ops {
		if buf, err = appendOpLine(buf, at, op); err != nil {
			return fail(j, fmt.Errorf("journal: %w", err))
		}
	}
	if err := j.writeRaw(buf); err != nil { // written and synced
		return fail(j, err)
	}
	path, err := placeJournal(dir, tmp, start.Time)
	if err != nil {
		return fail(j, err)
	}
	j.mu.Lock()
	j.path = path
	j.mu.Unlock()
	syncDir(dir) // the new name survives a crash too
	return j, nil
}

// Temporary journals: what createJournal writes before the rename.
// ListJournals reads only *.jsonl, so it never sees them.
const (
	journalTempPrefix = ".journal-"
	journalTempSuffix = ".tmp"
)

// journalNaming keeps two applies of one process that start in the same
// millisecond from taking one name; other processes' names differ by pid.
var journalNaming sync.Mutex

// placeJournal renames the temporary journal to
// <UTC start time>-<pid>[-n].jsonl, a name no other journal has.
func placeJournal(dir, tmp string, started time.Time) (string, error) {
	stamp := started.UTC().Format("20060102T150405.000Z")
	journalNaming.Lock()
	defer journalNaming.Unlock()
	for n := 1; n <= 100; n++ {
		name := fmt.Sprintf("%s-%d.jsonl", stamp, os.Getpid())
		if n > 1 {
			name = fmt.Sprintf("%s-%d-%d.jsonl", stamp, os.Getpid(), n)
		}
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); err == nil {
			continue
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("journal: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", fmt.Errorf("journal: %w", err)
		}
		return path, nil
	}
	return "", fmt.Errorf("journal: no free name for a journal started at %s in %s", stamp, dir)
}

// removeStaleJournalTemps deletes temporary journals older than a day: a
// process killed while creating one left them. Younger ones may belong to
// an apply starting now.
func removeStaleJournalTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, journalTempPrefix) || !strings.HasSuffix(name, journalTempSuffix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// openJournal takes up an existing journal to append to it: locked, and
// with a torn last line (a kill mid-write) cut off, so that the next line
// starts on a line of its own.
func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("journal %s: another skynamo is applying or resuming it now", path)
		}
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	keep := lastNewline(data)
	if keep < len(data) {
		if err := f.Truncate(int64(keep)); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: cutting its torn last line: %w", path, err)
		}
	}
	return &journal{path: path, f: f, w: f, size: int64(keep), now: time.Now}, nil
}

// lastNewline is the length of data up to and including its last newline.
func lastNewline(data []byte) int {
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] == '\n' {
			return i + 1
		}
	}
	return 0
}

// write appends events, one line each, in one write, and syncs them to
// disk. A nil journal (dry run) writes nothing.
func (j *journal) write(evs ...journalEvent) error {
	if j == nil {
		return nil
	}
	var buf []byte
	now := j.now().UTC()
	for _, ev := range evs {
		if ev.Time.IsZero() {
			ev.Time = now
		}
		line, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		buf = append(append(buf, line...), '\n')
	}
	return j.writeRaw(buf)
}

// writeRaw appends whole lines and returns once they are on disk.
func (j *journal) writeRaw(buf []byte) error {
	j.mu.Lock()
	if j.f == nil {
		j.mu.Unlock()
		return fmt.Errorf("journal %s is closed", j.path)
	}
	if n, err := j.w.Write(buf); err != nil {
		// A short write (a full disk) leaves part of a line; the next
		// line would land behind it, and the journal could not be read.
		if n > 0 {
			if terr := j.f.Truncate(j.size); terr != nil {
				err = errors.Join(err, fmt.Errorf("cutting the partial line off: %w", terr))
			}
		}
		_, _ = j.f.Seek(j.size, io.SeekStart) // a file not opened to append writes at its offset
		j.mu.Unlock()
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.size += int64(len(buf))
	j.written++
	mine := j.written
	f := j.f
	j.mu.Unlock()

	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= mine {
		return nil // an fsync that started after our write covered it
	}
	j.mu.Lock()
	covers := j.written
	j.mu.Unlock()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.synced = covers
	return nil
}

func (j *journal) close() {
	if j == nil {
		return
	}
	j.syncMu.Lock() // not under an fsync in flight
	defer j.syncMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f != nil {
		_ = unlockFile(j.f)
		j.f.Close()
		j.f = nil
	}
}

// syncDir makes a new directory entry durable; best effort, as not every
// system can sync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// appendOpLine encodes an op event by hand: a journal of 10,000 stock
// levels is written before the first request goes out, and encoding/json's
// reflection made that a noticeable share of the whole apply. The output
// is what json.Marshal of journalEvent{Ev: evOp, Op: ...} gives.
func appendOpLine(buf []byte, stamp []byte, op WriteOp) ([]byte, error) {
	buf = append(buf, `{"ev":"op","time":`...)
	buf = append(buf, stamp...)
	buf = append(buf, `,"op":{"index":`...)
	buf = strconv.AppendInt(buf, int64(op.Index), 10)
	buf = appendField(buf, "entity", op.Entity, false)
	buf = appendField(buf, "kind", string(op.Kind), false)
	buf = appendField(buf, "method", op.Method, false)
	buf = appendField(buf, "path", op.Path, false)
	buf = append(buf, `,"item":`...)
	switch {
	case len(bytes.TrimSpace(op.Item)) == 0:
		// A write validation refused may have no body at all.
		buf = append(buf, "null"...)
	case bytes.ContainsAny(op.Item, "\r\n"):
		// One event per line: a pretty-printed item must be compacted.
		var c bytes.Buffer
		if err := json.Compact(&c, op.Item); err != nil {
			return nil, fmt.Errorf("item %d: %w", op.Index, err)
		}
		buf = append(buf, c.Bytes()...)
	default:
		buf = append(buf, op.Item...)
	}
	buf = appendField(buf, "label", op.Label, true)
	buf = appendField(buf, "record_key", op.RecordKey, true)
	buf = appendField(buf, "natural_key", op.NaturalKey, true)
	if len(op.Changes) > 0 {
		changes, err := json.Marshal(op.Changes)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, `,"changes":`...), changes...)
	}
	return append(buf, "}}\n"...), nil
}

// appendField appends ,"name":"value" with JSON string escaping; empty
// values are left out when omitEmpty.
func appendField(buf []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return buf
	}
	buf = append(append(append(buf, `,"`...), name...), `":`...)
	return appendJSONString(buf, value)
}

// appendJSONString appends s as a JSON string. Plain text (most of it)
// is copied as is; anything needing care goes through encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			plain = false
		}
	}
	if !plain {
		b, _ := json.Marshal(s)
		return append(buf, b...)
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
