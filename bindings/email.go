package bindings

import (
	"errors"
	"fmt"
	"io/fs"
	"mime"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"skynamo/skynamo"
	"skynamo/skynamo/mail"
)

// EmailConfig is how the email module delivers: through Settings' server,
// or, when Outbox is set, into that folder without sending anything.
type EmailConfig struct {
	Settings mail.Settings
	// Configured is false when no server is set up; sending then raises
	// NotConfigured (an outbox needs no server).
	Configured    bool
	NotConfigured error
	// NoSender, when set, is raised for a message without from = when
	// Settings.From is empty: the config lacks a sender address, which is
	// the user's setup (the host makes it exit 2 naming the key).
	NoSender     error
	Outbox       string // folder for .eml files instead of sending
	OutboxReason string // "--sim", "--dry-run", "SKYNAMO_MAIL_OUTBOX", for the note
}

// EmailOptions are what the host hands the email module.
type EmailOptions struct {
	// Config loads the mail setup on first use, so a script that never
	// sends mail needs none. Its error is the user's setup, not the
	// script's: it is raised as a Go error value so the host keeps its
	// exit code and hint.
	Config func() (EmailConfig, error)
	// Path resolves a path the script gives against the host's folder.
	Path func(string) string
	// OutputDir is <data dir>/output, the second place a bare attachment
	// name is looked for (the older SDK wrote its reports there).
	OutputDir func() string
	// Notef tells the user a message went to the outbox (stderr, not when
	// --quiet).
	Notef func(format string, args ...any)
	// Now is the clock for the Date header and outbox names (nil: time.Now).
	Now func() time.Time
	// MessageID makes a message's id (nil: mail.NewMessageID).
	MessageID func(from *netmail.Address) string
}

// Email is the `email` module: plain and HTML mail with attachments over
// SMTP (Gmail by default), or into an outbox folder under --sim/--dry-run.
type Email struct {
	opts EmailOptions

	once sync.Once
	cfg  EmailConfig
	err  error

	mu   sync.Mutex
	sent int // messages written to the outbox this run, for their names
}

// NewEmail builds the module.
func NewEmail(opts EmailOptions) *Email {
	if opts.Path == nil {
		opts.Path = func(p string) string { return p }
	}
	if opts.OutputDir == nil {
		opts.OutputDir = func() string { return filepath.Join(skynamo.DefaultDataDir, "output") }
	}
	if opts.Notef == nil {
		opts.Notef = func(string, ...any) {}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MessageID == nil {
		opts.MessageID = mail.NewMessageID
	}
	return &Email{opts: opts}
}

// Loader registers the module's functions.
func (m *Email) Loader(L *lua.LState) int {
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"send":   m.send,
		"config": m.config,
	})
	L.Push(mod)
	return 1
}

func (m *Email) load(L *lua.LState) EmailConfig {
	m.once.Do(func() {
		if m.opts.Config == nil {
			m.err = errors.New("email is not available in this host")
			return
		}
		m.cfg, m.err = m.opts.Config()
	})
	if m.err != nil {
		raiseGoError(L, m.err)
	}
	return m.cfg
}

// config: email.config() -> {mode = "smtp"|"outbox", host=, port=,
// security=, username=, from=, ca_file=, outbox=}
// What email.send would do, without the password.
func (m *Email) config(L *lua.LState) int {
	cfg := m.load(L)
	t := L.NewTable()
	s := cfg.Settings
	if cfg.Outbox != "" {
		t.RawSetString("mode", lua.LString("outbox"))
		t.RawSetString("outbox", lua.LString(cfg.Outbox))
	} else {
		t.RawSetString("mode", lua.LString("smtp"))
	}
	set := func(k, v string) {
		if v != "" {
			t.RawSetString(k, lua.LString(v))
		}
	}
	set("host", s.Host)
	if s.Port != 0 {
		t.RawSetString("port", lua.LNumber(s.Port))
	}
	set("security", string(s.Security))
	set("username", s.Username)
	set("from", s.From)
	set("ca_file", s.CAFile)
	L.Push(t)
	return 1
}

var sendOptions = []string{"to", "cc", "bcc", "subject", "text", "html", "attachments", "from", "reply_to"}

// send: email.send{to=, cc=, bcc=, subject=, text=, html=, attachments=,
// from=, reply_to=} -> true | nil, err
// to/cc/bcc/reply_to: an address or a list of them ("a@x.com",
// "B <b@y.com>"). attachments: paths, or {path=, name=, content_type=}; a
// bare file name is looked for as given, then in <data dir>/output/.
// Wrong types and unknown options raise; bad addresses, missing files and
// server refusals return nil, err.
func (m *Email) send(L *lua.LState) int {
	req := checkSendRequest(L)
	cfg := m.load(L)

	msg := &mail.Message{Subject: req.subject, Text: req.text, HTML: req.html}
	var err error
	fail := func(err error) int {
		L.Push(lua.LNil)
		L.Push(lua.LString("email.send: " + err.Error()))
		return 2
	}
	if msg.To, err = mail.ParseAddresses("to", req.to); err != nil {
		return fail(err)
	}
	if msg.Cc, err = mail.ParseAddresses("cc", req.cc); err != nil {
		return fail(err)
	}
	if msg.Bcc, err = mail.ParseAddresses("bcc", req.bcc); err != nil {
		return fail(err)
	}
	if msg.ReplyTo, err = mail.ParseAddresses("reply_to", req.replyTo); err != nil {
		return fail(err)
	}
	if len(msg.To) == 0 {
		L.ArgError(1, "to must name at least one address")
	}
	from := req.from
	if from == "" {
		from = cfg.Settings.From
	}
	if from == "" && cfg.Outbox != "" {
		from = "skynamo@localhost" // nobody receives it; the file needs a From
	}
	if from == "" {
		if !cfg.Configured && cfg.NotConfigured != nil {
			raiseGoError(L, cfg.NotConfigured)
		}
		if cfg.NoSender != nil {
			raiseGoError(L, cfg.NoSender)
		}
		L.ArgError(1, "no sender: pass from = \"you@example.com\" or set SKYNAMO_SMTP_FROM")
	}
	froms, err := mail.ParseAddresses("from", []string{from})
	if err != nil {
		return fail(err)
	}
	if len(froms) != 1 {
		return fail(fmt.Errorf("from: %q must be one address", from))
	}
	msg.From = froms[0]
	for _, a := range req.attachments {
		att, err := m.readAttachment(a)
		if err != nil {
			return fail(err)
		}
		msg.Attachments = append(msg.Attachments, att)
	}
	now := m.opts.Now()
	msg.Date = now
	msg.MessageID = m.opts.MessageID(msg.From)
	data, err := msg.Bytes()
	if err != nil {
		return fail(err)
	}

	if cfg.Outbox != "" {
		m.mu.Lock()
		m.sent++
		n := m.sent
		m.mu.Unlock()
		path, err := mail.WriteOutbox(cfg.Outbox, now, n, msg.Subject, data)
		if err != nil {
			return fail(err)
		}
		m.opts.Notef("email %q %s not sent (%s): written to %s", msg.Subject, recipientsNote(msg), cfg.OutboxReason, path)
		L.Push(lua.LTrue)
		return 1
	}
	if !cfg.Configured {
		raiseGoError(L, cfg.NotConfigured)
	}
	if err := mail.Send(L.Context(), cfg.Settings, msg.From.Address, msg.Recipients(), data); err != nil {
		return fail(err)
	}
	L.Push(lua.LTrue)
	return 1
}

// recipientsNote is "to a@x.com, b@x.com; cc c@x.com; bcc d@x.com" for the outbox
// note: a user checking a dry run must see who would have been copied
// blind, not read them as visible recipients. An address is named once.
func recipientsNote(msg *mail.Message) string {
	var groups []string
	seen := map[string]bool{}
	for _, g := range []struct {
		label string
		list  []*netmail.Address
	}{{"to", msg.To}, {"cc", msg.Cc}, {"bcc", msg.Bcc}} {
		var addrs []string
		for _, a := range g.list {
			if key := strings.ToLower(a.Address); !seen[key] {
				seen[key] = true
				addrs = append(addrs, a.Address)
			}
		}
		if len(addrs) > 0 {
			groups = append(groups, g.label+" "+strings.Join(addrs, ", "))
		}
	}
	return strings.Join(groups, "; ")
}

// sendRequest is email.send's table, checked.
type sendRequest struct {
	to, cc, bcc, replyTo []string
	subject, text, html  string
	from                 string
	attachments          []attachmentSpec
}

type attachmentSpec struct {
	path, name, contentType string
}

func checkSendRequest(L *lua.LState) sendRequest {
	t := L.CheckTable(1)
	if L.GetTop() > 1 {
		L.ArgError(2, "email.send takes one table: email.send{to = ..., subject = ..., text = ...}")
	}
	checkKeys(L, 1, t, sendOptions)
	var r sendRequest
	r.to = addressArg(L, t, "to")
	r.cc = addressArg(L, t, "cc")
	r.bcc = addressArg(L, t, "bcc")
	r.replyTo = addressArg(L, t, "reply_to")
	if len(r.to) == 0 {
		L.ArgError(1, "to is required: an address or a list of addresses")
	}
	subject, ok := t.RawGetString("subject").(lua.LString)
	if !ok {
		L.ArgError(1, "subject is required and must be a string")
	}
	r.subject = string(subject)
	r.text = stringArg(L, t, "text")
	r.html = stringArg(L, t, "html")
	if r.text == "" && r.html == "" {
		L.ArgError(1, "give text, html or both")
	}
	r.from = stringArg(L, t, "from")
	switch a := t.RawGetString("attachments").(type) {
	case *lua.LNilType:
	case *lua.LTable:
		n, isList := listLen(a)
		if !isList {
			L.ArgError(1, "attachments must be a list of paths or {path = ..., name = ...} tables")
		}
		for i := 1; i <= n; i++ {
			r.attachments = append(r.attachments, attachmentArg(L, i, a.RawGetInt(i)))
		}
	default:
		L.ArgError(1, "attachments must be a list of paths or {path = ..., name = ...} tables")
	}
	return r
}

func attachmentArg(L *lua.LState, i int, v lua.LValue) attachmentSpec {
	switch v := v.(type) {
	case lua.LString:
		if v == "" {
			L.ArgError(1, fmt.Sprintf("attachments[%d] is an empty path", i))
		}
		return attachmentSpec{path: string(v)}
	case *lua.LTable:
		checkKeys(L, 1, v, []string{"path", "name", "content_type"}, fmt.Sprintf("attachments[%d]", i))
		var a attachmentSpec
		field := func(k string) string {
			switch f := v.RawGetString(k).(type) {
			case *lua.LNilType:
				return ""
			case lua.LString:
				return string(f)
			}
			L.ArgError(1, fmt.Sprintf("attachments[%d].%s must be a string", i, k))
			return ""
		}
		a.path, a.name, a.contentType = field("path"), field("name"), field("content_type")
		if a.path == "" {
			L.ArgError(1, fmt.Sprintf("attachments[%d].path is required", i))
		}
		if a.contentType != "" {
			if media, _, err := mime.ParseMediaType(a.contentType); err != nil || !strings.Contains(media, "/") {
				L.ArgError(1, fmt.Sprintf("attachments[%d].content_type %q is not a media type such as \"text/csv\"", i, a.contentType))
			}
		}
		return a
	}
	L.ArgError(1, fmt.Sprintf("attachments[%d] must be a path or a {path = ..., name = ...} table, not a %s", i, v.Type()))
	return attachmentSpec{}
}

// checkKeys raises on a key that is not one of known, naming the closest.
func checkKeys(L *lua.LState, n int, t *lua.LTable, known []string, where ...string) {
	prefix := ""
	if len(where) > 0 {
		prefix = where[0] + ": "
	}
	t.ForEach(func(k, _ lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok {
			L.ArgError(n, fmt.Sprintf("%soption names are strings, not %s", prefix, k.Type()))
		}
		for _, want := range known {
			if string(name) == want {
				return
			}
		}
		L.ArgError(n, prefix+unknownOption(string(name), known))
	})
}

// addressArg reads an address or a list of addresses.
func addressArg(L *lua.LState, t *lua.LTable, key string) []string {
	switch v := t.RawGetString(key).(type) {
	case *lua.LNilType:
		return nil
	case lua.LString:
		return []string{string(v)}
	case *lua.LTable:
		n, isList := listLen(v)
		if !isList {
			L.ArgError(1, key+" must be an address or a list of addresses")
		}
		out := make([]string, 0, n)
		for i := 1; i <= n; i++ {
			s, ok := v.RawGetInt(i).(lua.LString)
			if !ok {
				L.ArgError(1, fmt.Sprintf("%s[%d] must be a string, not a %s", key, i, v.RawGetInt(i).Type()))
			}
			out = append(out, string(s))
		}
		return out
	}
	L.ArgError(1, key+" must be an address or a list of addresses")
	return nil
}

func stringArg(L *lua.LState, t *lua.LTable, key string) string {
	switch v := t.RawGetString(key).(type) {
	case *lua.LNilType:
		return ""
	case lua.LString:
		return string(v)
	}
	L.ArgError(1, key+" must be a string")
	return ""
}

// readAttachment reads a file; a bare name that is not in the working
// folder is looked for in <data dir>/output/, where reports are written.
func (m *Email) readAttachment(a attachmentSpec) (mail.Attachment, error) {
	path := m.opts.Path(a.path)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(a.path, `/\`) {
		alt := filepath.Join(m.opts.OutputDir(), a.path)
		data, err = os.ReadFile(alt)
		if errors.Is(err, fs.ErrNotExist) {
			return mail.Attachment{}, fmt.Errorf("attachment %q not found: looked for %s and %s", a.path, path, alt)
		}
		path = alt
	}
	if err != nil {
		return mail.Attachment{}, fmt.Errorf("attachment %q: %w", a.path, err)
	}
	name := a.name
	if name == "" {
		name = filepath.Base(path)
	}
	return mail.Attachment{Name: name, ContentType: a.contentType, Data: data}, nil
}

// listLen is arrayLen for option lists, where an empty table is an empty
// list (a script that builds its attachments may find none).
func listLen(t *lua.LTable) (int, bool) {
	if k, _ := t.Next(lua.LNil); k == lua.LNil {
		return 0, true
	}
	return arrayLen(t)
}
