package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one email. Addresses are parsed already (see ParseAddresses),
// so building cannot fail on a recipient.
type Message struct {
	From        *netmail.Address
	ReplyTo     []*netmail.Address
	To, Cc, Bcc []*netmail.Address
	Subject     string
	Text, HTML  string // at least one; both make a multipart/alternative
	Attachments []Attachment
	// Date and MessageID are set by the caller so that a message is the
	// same bytes every time it is built from the same input (tests compare
	// bytes); NewMessageID makes a fresh id.
	Date      time.Time
	MessageID string // "<unique@domain>"
}

// Attachment is a file sent with the message.
type Attachment struct {
	Name        string // shown to the recipient; any Unicode
	ContentType string // "" = from Name's extension (ContentTypeFor)
	Data        []byte
}

// Recipients returns the envelope recipients: To, Cc and Bcc, each address
// once, in that order.
func (m *Message) Recipients() []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]*netmail.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			key := strings.ToLower(a.Address)
			if !seen[key] {
				seen[key] = true
				out = append(out, a.Address)
			}
		}
	}
	return out
}

// ParseAddresses parses address texts such as "a@x.com" or
// "B <b@y.com>"; one text may hold a comma-separated list. field names the
// header in the error ("to: ...").
func ParseAddresses(field string, texts []string) ([]*netmail.Address, error) {
	var out []*netmail.Address
	for _, t := range texts {
		list, err := netmail.ParseAddressList(t)
		if err != nil {
			// net/mail's reasons ("no angle-addr", "missing @ in
			// addr-spec") speak RFC 5322; the user needs the shape.
			// Outlook users write lists with semicolons.
			if name, addr, ok := strings.Cut(t, "<"); ok && strings.Contains(name, ",") && !strings.ContainsAny(name, "\"@;") {
				// "Müller, Jürgen <j@x.com>" reads as two addresses.
				return nil, fmt.Errorf("%s: %q: a name with a comma must be in quotes: \"%s\" <%s", field, t, strings.TrimSpace(name), addr)
			}
			if strings.Contains(t, ";") {
				return nil, fmt.Errorf("%s: %q is not a list of e-mail addresses: separate them with commas, or give a Lua list {\"a@example.com\", \"b@example.com\"}", field, t)
			}
			return nil, fmt.Errorf("%s: %q is not an e-mail address (write it as name@example.com or \"Name <name@example.com>\")", field, t)
		}
		out = append(out, list...)
	}
	return out, nil
}

// NewMessageID returns a fresh Message-ID in the sender's domain.
func NewMessageID(from *netmail.Address) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	domain := "localhost"
	if from != nil {
		if at := strings.LastIndexByte(from.Address, '@'); at >= 0 && at < len(from.Address)-1 {
			domain = from.Address[at+1:]
		}
	}
	return "<" + hex.EncodeToString(b[:]) + "@" + domain + ">"
}

// Bytes renders the message as RFC 5322 text with CRLF line ends: UTF-8
// everywhere, RFC 2047 encoded subject and display names, quoted-printable
// bodies, base64 attachments in 76-column lines. Bcc is not written (it is
// only in the envelope).
func (m *Message) Bytes() ([]byte, error) {
	if m.From == nil {
		return nil, errors.New("the message has no sender")
	}
	if len(m.Recipients()) == 0 {
		return nil, errors.New("the message has no recipient")
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("the message has no text and no html body")
	}
	root, err := m.entity()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeHeader(&b, "Date", m.Date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	writeHeader(&b, "From", formatAddress(m.From))
	if len(m.ReplyTo) > 0 {
		writeHeader(&b, "Reply-To", addressList(m.ReplyTo))
	}
	if len(m.To) > 0 {
		writeHeader(&b, "To", addressList(m.To))
	}
	if len(m.Cc) > 0 {
		writeHeader(&b, "Cc", addressList(m.Cc))
	}
	writeHeader(&b, "Subject", encodeText(m.Subject, len("Subject: ")))
	if m.MessageID != "" {
		writeHeader(&b, "Message-ID", m.MessageID)
	}
	writeHeader(&b, "MIME-Version", "1.0")
	root.write(&b)
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes(), nil
}

// entity is one MIME part: a leaf with an encoded body, or a multipart.
type entity struct {
	header   [][2]string // Content-Type first
	body     []byte      // leaf: the encoded content
	parts    []entity
	boundary string
}

// write writes the part. The CRLF before a boundary line belongs to the
// boundary (RFC 2046 5.1.1), so it is written after every part's body and
// a body ending in a line break keeps it.
func (e entity) write(b *bytes.Buffer) {
	for _, h := range e.header {
		writeHeader(b, h[0], h[1])
	}
	b.WriteString("\r\n")
	if e.parts == nil {
		b.Write(e.body)
		return
	}
	for _, p := range e.parts {
		b.WriteString("--" + e.boundary + "\r\n")
		p.write(b)
		b.WriteString("\r\n")
	}
	b.WriteString("--" + e.boundary + "--")
}

func (m *Message) entity() (entity, error) {
	var body entity
	switch {
	case m.Text != "" && m.HTML != "":
		body = m.multipart("alternative", 1, textPart("plain", m.Text), textPart("html", m.HTML))
	case m.HTML != "":
		body = textPart("html", m.HTML)
	default:
		body = textPart("plain", m.Text)
	}
	if len(m.Attachments) == 0 {
		return body, nil
	}
	parts := []entity{body}
	for _, a := range m.Attachments {
		p, err := attachmentPart(a)
		if err != nil {
			return entity{}, err
		}
		parts = append(parts, p)
	}
	return m.multipart("mixed", 0, parts...), nil
}

// multipart derives its boundary from the Message-ID, so that the bytes
// depend only on the message; the hash cannot occur in encoded bodies.
func (m *Message) multipart(sub string, level int, parts ...entity) entity {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", m.MessageID, level)))
	boundary := "=_skynamo_" + hex.EncodeToString(sum[:12])
	return entity{
		header:   [][2]string{{"Content-Type", "multipart/" + sub + "; boundary=\"" + boundary + "\""}},
		parts:    parts,
		boundary: boundary,
	}
}

func textPart(sub, text string) entity {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(text)) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return entity{
		header: [][2]string{
			{"Content-Type", "text/" + sub + "; charset=UTF-8"},
			{"Content-Transfer-Encoding", "quoted-printable"},
		},
		body: b.Bytes(),
	}
}

func attachmentPart(a Attachment) (entity, error) {
	name := cleanName(a.Name)
	if name == "" {
		return entity{}, errors.New("an attachment has no name")
	}
	ctype := a.ContentType
	if ctype == "" {
		ctype = ContentTypeFor(name)
	}
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return entity{}, fmt.Errorf("attachment %s: content type %q: %v", name, ctype, err)
	}
	if strings.HasPrefix(media, "multipart/") || media == "message/rfc822" || media == "message/partial" || media == "message/external-body" {
		// RFC 2046 forbids base64 for these, and attachments are always
		// base64; readers would show the part as broken.
		return entity{}, fmt.Errorf("attachment %s: content type %s cannot be attached as a file: leave content_type out or give application/octet-stream", name, media)
	}
	delete(params, "name")
	value := mime.FormatMediaType(media, params)
	if value == "" {
		return entity{}, fmt.Errorf("attachment %s: content type %q cannot be written", name, ctype)
	}
	// Old clients read the RFC 2047 name=, current ones RFC 2231's filename*.
	const dispositionStart = "Content-Disposition: attachment; "
	var disposition string
	if isASCII(name) {
		value += "; name=" + quote(name)
		disposition = "filename=" + quote(name)
	} else {
		value += "; name=\"" + strings.Join(bEncodeWords(name), " ") + "\""
		disposition = "filename*=UTF-8''" + percentEncode(name)
	}
	if len(dispositionStart)+len(disposition) > headerLimit {
		disposition = continuedParam("filename", name)
	}
	return entity{
		header: [][2]string{
			{"Content-Type", value},
			{"Content-Disposition", "attachment; " + disposition},
			{"Content-Transfer-Encoding", "base64"},
		},
		body: base64Lines(a.Data),
	}, nil
}

// continuedParam writes a long parameter as RFC 2231 continuations:
// sections filename*0*, filename*1*, ..., the first naming the charset,
// each small enough for a folded line of its own. A section never splits
// a character's bytes, since some readers decode the sections one by one.
func continuedParam(attr, value string) string {
	var sections []string
	var cur strings.Builder
	room := func(n int) int {
		head := len(" " + attr + "*" + strconv.Itoa(n) + "*=" + ";")
		if n == 0 {
			head += len("UTF-8''")
		}
		return headerLimit - head
	}
	for _, r := range value {
		enc := percentEncode(string(r))
		if cur.Len() > 0 && cur.Len()+len(enc) > room(len(sections)) {
			sections = append(sections, cur.String())
			cur.Reset()
		}
		cur.WriteString(enc)
	}
	sections = append(sections, cur.String())
	parts := make([]string, len(sections))
	for n, sec := range sections {
		charset := ""
		if n == 0 {
			charset = "UTF-8''"
		}
		parts[n] = attr + "*" + strconv.Itoa(n) + "*=" + charset + sec
	}
	return strings.Join(parts, "; ")
}

// bEncodeWords is s as RFC 2047 B-encoded words short enough that one
// fits a folded line with ` name="` before it and `";` after, cut between
// characters (mime.BEncoding makes words of up to 75 characters, too long
// for that, and the folding happens in the spaces between them).
func bEncodeWords(s string) []string {
	const prefix, suffix = "=?UTF-8?b?", "?="
	const maxBytes = (76 - len(` name="`) - len(`";`) - len(prefix) - len(suffix)) / 4 * 3
	var words []string
	var cur []byte
	flush := func() {
		words = append(words, prefix+base64.StdEncoding.EncodeToString(cur)+suffix)
		cur = cur[:0]
	}
	for _, r := range s {
		if len(cur) > 0 && len(cur)+utf8.RuneLen(r) > maxBytes {
			flush()
		}
		cur = utf8.AppendRune(cur, r)
	}
	flush()
	return words
}

// cleanName keeps the last path element and drops control characters, so
// an attachment name cannot carry a folder or break a header.
func cleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
}

// knownTypes fixes the types of the files reports attach, whatever the
// system's mime.types says, so a message is the same on every machine.
var knownTypes = map[string]string{
	".csv":  "text/csv; charset=UTF-8",
	".txt":  "text/plain; charset=UTF-8",
	".html": "text/html; charset=UTF-8",
	".htm":  "text/html; charset=UTF-8",
	".json": "application/json",
	".xml":  "application/xml",
	".pdf":  "application/pdf",
	".zip":  "application/zip",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".gif":  "image/gif",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".xls":  "application/vnd.ms-excel",
}

// ContentTypeFor picks a content type from a file name's extension.
func ContentTypeFor(name string) string {
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = strings.ToLower(name[i:])
	}
	if t, ok := knownTypes[ext]; ok {
		return t
	}
	t := mime.TypeByExtension(ext)
	// message/* and multipart/* may not be base64-encoded (RFC 2046).
	if t == "" || strings.HasPrefix(t, "message/") || strings.HasPrefix(t, "multipart/") {
		return "application/octet-stream"
	}
	return t
}

func base64Lines(data []byte) []byte {
	const width = 76
	enc := make([]byte, base64.StdEncoding.EncodedLen(len(data)))
	base64.StdEncoding.Encode(enc, data)
	var b bytes.Buffer
	for len(enc) > width {
		b.Write(enc[:width])
		b.WriteString("\r\n")
		enc = enc[width:]
	}
	b.Write(enc)
	return b.Bytes()
}

func addressList(list []*netmail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = formatAddress(a)
	}
	return strings.Join(s, ", ")
}

// formatAddress writes a bare address as it is (net/mail would write
// "<a@x.com>") and a named one with its name quoted or encoded as needed.
// An encoded name is cut into words that fit a line even after
// "Reply-To: ", the longest address header name, so writeHeader can fold
// between them (net/mail makes words that overrun 76 characters).
func formatAddress(a *netmail.Address) string {
	// A line break in a name would end the header; it reads as a space.
	name := strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(a.Name)
	switch {
	case name == "":
		return a.Address
	case needsEncoding(name): // before isPhrase: "=?" in a bare word would be decoded
		return encodeText(name, len("Reply-To: ")) + " <" + a.Address + ">"
	case isPhrase(name):
		return name + " <" + a.Address + ">"
	}
	return quote(name) + " <" + a.Address + ">"
}

// isPhrase says whether name can stand unquoted: words of RFC 5322 atext
// separated by single spaces.
func isPhrase(name string) bool {
	if name == "" || name[0] == ' ' || name[len(name)-1] == ' ' || strings.Contains(name, "  ") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(" !#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return false
		}
	}
	return true
}

// encodeText is an unstructured header value (Subject): line breaks become
// spaces, and anything not printable ASCII makes it RFC 2047 UTF-8
// encoded-words. used is how much of the first line the header name
// takes. Words are cut between characters and kept short enough that
// every line holding one stays within 76 characters (RFC 2047 2), which
// mime.QEncoding does not do; writeHeader then folds between them.
func encodeText(s string, used int) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	if !needsEncoding(s) {
		return s
	}
	const prefix, suffix = "=?UTF-8?q?", "?="
	var words []string
	var cur strings.Builder
	room := 76 - used - len(prefix) - len(suffix)
	for _, r := range s {
		enc := qEncodeRune(r)
		if cur.Len()+len(enc) > room && cur.Len() > 0 {
			words = append(words, prefix+cur.String()+suffix)
			cur.Reset()
			room = 76 - 1 - len(prefix) - len(suffix) // a folded line starts with a space
		}
		cur.WriteString(enc)
	}
	words = append(words, prefix+cur.String()+suffix)
	return strings.Join(words, " ")
}

func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' || c > '~') && c != '\t' {
			return true
		}
	}
	return strings.Contains(s, "=?")
}

// qEncodeRune is RFC 2047's Q encoding of one character, using the small
// set of characters allowed to stand for themselves in any header.
func qEncodeRune(r rune) string {
	const hexDigits = "0123456789ABCDEF"
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], r)
	var b strings.Builder
	for _, c := range buf[:n] {
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!*+-/", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('=')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

// headerLimit is RFC 5322's recommended line length (2.1.1).
const headerLimit = 78

// writeHeader writes "Name: value" folded at spaces so that lines stay
// within 78 characters where the value allows it (RFC 5322 2.1.1), or 76
// where they may hold encoded-words (RFC 2047 2).
func writeHeader(b *bytes.Buffer, name, value string) {
	limit := headerLimit
	if strings.Contains(value, "=?") {
		limit = 76
	}
	line := name + ": " + value
	for len(line) > limit {
		cut := strings.LastIndexByte(line[:limit], ' ')
		if cut <= len(name)+1 {
			// No space early enough: break at the next one, if any.
			next := strings.IndexByte(line[limit:], ' ')
			if next < 0 {
				break
			}
			cut = limit + next
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n")
		line = line[cut:] // keeps the space: it is the folding white space
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// percentEncode is RFC 2231's value encoding: attribute characters stay,
// every other byte of the UTF-8 text becomes %XX.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}
