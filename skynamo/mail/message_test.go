package mail

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.eml")

// longName needs RFC 2231 continuations: percent-encoded in one piece it
// would make a 138-character header line.
const longName = "Umsätze je Vertreter und Kunde – Kalenderwoche 48 (Übersicht für die Geschäftsleitung).csv"

// sampleMessage has what breaks naive mailers: a non-ASCII subject and
// display names, both bodies, and a non-ASCII attachment name.
func sampleMessage(t *testing.T) *Message {
	t.Helper()
	addrs := func(field string, s ...string) []*netmail.Address {
		a, err := ParseAddresses(field, s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	csv := []byte("code,name,total\r\nC1,Äpfel & Co,1200.50\r\n" + strings.Repeat("C2,Bakery,99\r\n", 5))
	return &Message{
		From:    addrs("from", "Zoë Sales <reports@example.com>")[0],
		ReplyTo: addrs("reply_to", "ops@example.com"),
		To:      addrs("to", "a@x.com", "Bjørn <b@y.com>"),
		Cc:      addrs("cc", "c@z.com"),
		Bcc:     addrs("bcc", "hidden@z.com"),
		Subject: "Weekly report – Ümsatz für Woche 48, with a long tail so that the header has to fold",
		Text:    "Hello,\nthe totals: 1 200,50 €.\n",
		HTML:    "<p>Hello,</p><p>the totals: <b>1&nbsp;200,50&nbsp;€</b>.</p>",
		Attachments: []Attachment{
			{Name: "Äpfel report.csv", Data: csv},
			{Name: "notes.txt", ContentType: "text/plain", Data: []byte("plain")},
			{Name: longName, Data: []byte("a,b\r\n")},
		},
		Date:      time.Date(2026, 12, 3, 18, 57, 39, 0, time.FixedZone("SAST", 2*3600)),
		MessageID: "<fixed-id@example.com>",
	}
}

func TestMessageBytesGolden(t *testing.T) {
	got, err := sampleMessage(t).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "sample.eml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("message differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
}

// TestMessageBytesParts pins the parts that matter independently of the
// golden, so a careless -update cannot bless a broken message.
func TestMessageBytesParts(t *testing.T) {
	data, err := sampleMessage(t).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"Date: Thu, 03 Dec 2026 18:57:39 +0200\r\n",
		"From: =?UTF-8?q?Zo=C3=AB_Sales?= <reports@example.com>\r\n",
		"To: a@x.com, =?UTF-8?q?Bj=C3=B8rn?= <b@y.com>\r\n",
		"Subject: =?UTF-8?q?Weekly_report_=E2=80=93_=C3=9Cmsatz_f=C3=BCr_Woche_48?=\r\n =?UTF-8?q?=2C_with_a_long_tail_so_that_the_header_has_to_fold?=\r\n",
		"Message-ID: <fixed-id@example.com>\r\n",
		"MIME-Version: 1.0\r\n",
		"Content-Type: multipart/mixed; boundary=",
		"Content-Type: multipart/alternative;\r\n boundary=",
		"Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello,\r\nthe totals: 1 200,50 =E2=82=AC.\r\n\r\n--",
		"Content-Type: text/csv; charset=UTF-8;\r\n name=\"=?UTF-8?b?w4RwZmVsIHJlcG9ydC5jc3Y=?=\"\r\n",
		"Content-Disposition: attachment; filename*=UTF-8''%C3%84pfel%20report.csv\r\n",
		"Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n",
		// A long name: B-encoded words folded between them, and RFC 2231
		// continuations cut between characters (%C3%A4 stays whole).
		"Content-Type: text/csv; charset=UTF-8;\r\n name=\"=?UTF-8?b?VW1zw6R0emUgamUgVmVydHJldGVyIHVuZCBLdW5kZSDigJMgS2Fs?=\r\n =?UTF-8?b?ZW5kZXJ3b2NoZSA0OCAow5xiZXJzaWNodCBmw7xyIGRpZSBHZXNj?=\r\n =?UTF-8?b?aMOkZnRzbGVpdHVuZykuY3N2?=\"\r\n",
		"Content-Disposition: attachment;\r\n filename*0*=UTF-8''Ums%C3%A4tze%20je%20Vertreter%20und%20Kunde%20%E2%80%93;\r\n filename*1*=",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	if strings.Contains(text, "hidden@z.com") {
		t.Error("Bcc must stay out of the headers")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if len(line) > 78 || (strings.Contains(line, "=?") && len(line) > 76) {
			t.Errorf("line %d is %d characters long: %q", i+1, len(line), line)
		}
		if strings.Contains(line, "\n") {
			t.Errorf("line %d has a bare LF", i+1)
		}
	}
	// The message parses back with the standard library, attachment and all.
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != sampleMessage(t).Subject {
		t.Errorf("subject decodes to %q, %v", subject, err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var names []string
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() == "" {
			continue
		}
		_, ctParams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if name, err := new(mime.WordDecoder).DecodeHeader(ctParams["name"]); err != nil || name != p.FileName() {
			t.Errorf("Content-Type name= decodes to %q, %v; filename is %q", name, err, p.FileName())
		}
		names = append(names, p.FileName())
		raw, _ := io.ReadAll(p)
		content, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
		if err != nil {
			t.Fatal(err)
		}
		if want := sampleMessage(t).Attachments[len(names)-1].Data; !bytes.Equal(content, want) {
			t.Errorf("attachment %s: %q, want %q", p.FileName(), content, want)
		}
	}
	if strings.Join(names, "|") != "Äpfel report.csv|notes.txt|"+longName {
		t.Errorf("attachment names read back as %q", names)
	}
}

func TestMessageRecipientsDeduplicated(t *testing.T) {
	m := sampleMessage(t)
	m.Cc = append(m.Cc, &netmail.Address{Address: "A@x.com"})
	got := strings.Join(m.Recipients(), " ")
	if got != "a@x.com b@y.com c@z.com hidden@z.com" {
		t.Errorf("Recipients = %s", got)
	}
}

func TestMessageSinglePartAndErrors(t *testing.T) {
	m := &Message{From: &netmail.Address{Address: "f@x.com"}, To: []*netmail.Address{{Address: "t@x.com"}}, Subject: "plain", Text: "hi"}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Subject: plain\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nhi\r\n") {
		t.Errorf("single part message:\n%s", data)
	}
	m.Text = ""
	if _, err := m.Bytes(); err == nil {
		t.Error("a message without a body must fail")
	}
}

func TestParseAddressesNamesTheBadOne(t *testing.T) {
	if _, err := ParseAddresses("to", []string{"Müller, Jürgen <j@example.com>"}); err == nil || !strings.Contains(err.Error(), `a name with a comma must be in quotes: "Müller, Jürgen" <j@example.com>`) {
		t.Errorf("comma in a name: %v", err)
	}
	if _, err := ParseAddresses("to", []string{"a@x.com, Müller, Jürgen <j@x.com>"}); err == nil || strings.Contains(err.Error(), "in quotes") {
		t.Errorf("a list with an address before the name gets no quoting hint built from both: %v", err)
	}
	if _, err := ParseAddresses("cc", []string{"a@x.com, b@y.com; Bob <c@z.com>"}); err == nil || !strings.Contains(err.Error(), "separate them with commas") {
		t.Errorf("semicolons after a comma: %v", err)
	}
	if _, err := ParseAddresses("cc", []string{"a@x.com; b@y.com"}); err == nil || !strings.Contains(err.Error(), "separate them with commas") {
		t.Errorf("semicolons: %v", err)
	}
	_, err := ParseAddresses("to", []string{"ok@x.com", "not an address"})
	if err == nil || err.Error() != `to: "not an address" is not an e-mail address (write it as name@example.com or "Name <name@example.com>")` {
		t.Errorf("err = %v", err)
	}
	list, err := ParseAddresses("cc", []string{"a@x.com, B <b@y.com>"})
	if err != nil || len(list) != 2 || list[1].Name != "B" {
		t.Errorf("a comma list: %v, %v", list, err)
	}
}

func TestContentTypeFor(t *testing.T) {
	for name, want := range map[string]string{
		"r.csv": "text/csv; charset=UTF-8", "R.CSV": "text/csv; charset=UTF-8", "x.pdf": "application/pdf",
		"noext": "application/octet-stream", "x.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	} {
		if got := ContentTypeFor(name); got != want {
			t.Errorf("ContentTypeFor(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Weekly report – Ümsatz 48": "weekly-report-umsatz-48",
		"€€€":                       "message",
		"  Stock: below level!  ":   "stock-below-level",
		strings.Repeat("a", 100):    strings.Repeat("a", 80),
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteOutbox(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	now := time.Date(2026, 12, 3, 20, 57, 39, 0, time.FixedZone("SAST", 2*3600))
	p1, err := WriteOutbox(dir, now, 1, "Stock report", []byte("one"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p1) != "20261203T185739Z-1-stock-report.eml" {
		t.Errorf("name %s", filepath.Base(p1))
	}
	// The same name again takes the next number instead of replacing it.
	p2, err := WriteOutbox(dir, now, 1, "Stock report", []byte("two"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p2) != "20261203T185739Z-2-stock-report.eml" {
		t.Errorf("second name %s", filepath.Base(p2))
	}
	for p, want := range map[string]string{p1: "one", p2: "two"} {
		got, err := os.ReadFile(p)
		if err != nil || string(got) != want {
			t.Errorf("%s holds %q, %v", p, got, err)
		}
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, %v", p, fi.Mode(), err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the outbox holds %d files, want 2 (no temporary file left)", len(entries))
	}
}

func TestSettingsNeverPrintThePassword(t *testing.T) {
	s := Settings{Host: "h", Password: "hunter2-secret"}
	for _, text := range []string{s.String(), s.GoString(), fmtAll(s)} {
		if strings.Contains(text, "hunter2") {
			t.Errorf("password shown: %s", text)
		}
	}
}

func TestFormatAddress(t *testing.T) {
	for in, want := range map[string]string{
		"a@x.com":                "a@x.com",
		"Bea Botha <b@x.com>":    "Bea Botha <b@x.com>",
		`"Botha, Bea" <b@x.com>`: `"Botha, Bea" <b@x.com>`,
		"Zoë <z@x.com>":          "=?UTF-8?q?Zo=C3=AB?= <z@x.com>",
		// A line break reads as a space; "=?" in a name is encoded, not
		// left for readers to decode.
		"=?UTF-8?q?Smith=2C=0AJohn?= <j@x.com>": `"Smith, John" <j@x.com>`,
		`"=?UTF-8?q?hi?=" <h@x.com>`:            "=?UTF-8?q?=3D=3FUTF-8=3Fq=3Fhi=3F=3D?= <h@x.com>",
		`"O'Neil (Ops)" <o@x.com>`:              `"O'Neil (Ops)" <o@x.com>`,
	} {
		list, err := ParseAddresses("to", []string{in})
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %v", in, err)
		}
		if got := formatAddress(list[0]); got != want {
			t.Errorf("formatAddress(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestAttachmentNamesRoundTrip checks names of every length and script
// read back through net/mail and mime, with no header line over 78.
func TestAttachmentNamesRoundTrip(t *testing.T) {
	names := []string{
		"a.csv",
		`say "hi".txt`,
		strings.Repeat("long_ascii_name_", 7) + ".csv",
		"Ä.csv",
		strings.Repeat("😀", 30) + ".csv", // 4-byte characters must not be cut
		strings.Repeat("Straße ", 20) + "Ende.pdf",
	}
	for _, name := range names {
		m := &Message{From: &netmail.Address{Address: "f@x.com"}, To: []*netmail.Address{{Address: "t@x.com"}},
			Subject: "s", Text: "hi", MessageID: "<id@x.com>", Attachments: []Attachment{{Name: name, Data: []byte("x")}}}
		data, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\r\n") {
			// An ASCII name= is a quoted string, which folds only at its
			// spaces; filename* carries such a name in pieces anyway.
			if len(line) > 78 && !(isASCII(name) && !strings.Contains(name, " ") && strings.HasPrefix(line, ` name="`)) {
				t.Errorf("%s: a %d-character line: %q", name, len(line), line)
			}
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var got []string
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				break
			}
			if p.FileName() != "" {
				got = append(got, p.FileName())
				_, ct, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
				if dec, err := new(mime.WordDecoder).DecodeHeader(ct["name"]); err != nil || dec != name {
					t.Errorf("name= reads back as %q, %v, want %q", dec, err, name)
				}
			}
		}
		if len(got) != 1 || got[0] != name {
			t.Errorf("filename reads back as %q, want %q", got, name)
		}
	}
}

// TestLongDisplayNamesFold: long or odd display names keep every header
// line within 76 characters and read back as they were written.
func TestLongDisplayNamesFold(t *testing.T) {
	names := []string{
		"Geschäftsführung der Großhandelsgesellschaft Südafrika – Region Nord",
		`Smith, "JJ" John \ Sales`,
		"Plain Name",
	}
	m := &Message{From: &netmail.Address{Address: "f@x.com"}, Subject: "s", Text: "hi"}
	for i, n := range names {
		m.To = append(m.To, &netmail.Address{Name: n, Address: fmt.Sprintf("to%d@x.com", i)})
		m.ReplyTo = append(m.ReplyTo, &netmail.Address{Name: n, Address: fmt.Sprintf("r%d@x.com", i)})
	}
	data, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(data), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if len(line) > 76 {
			t.Errorf("header line of %d characters: %q", len(line), line)
		}
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"To", "Reply-To"} {
		list, err := msg.Header.AddressList(field)
		if err != nil || len(list) != len(names) {
			t.Fatalf("%s reads back as %v, %v", field, list, err)
		}
		for i, a := range list {
			if a.Name != names[i] {
				t.Errorf("%s name %d reads back as %q, want %q", field, i, a.Name, names[i])
			}
		}
	}
}

// TestAttachmentContentTypeErrors: a type that cannot be parsed, or one
// RFC 2046 forbids encoding as base64, fails naming the attachment.
func TestAttachmentContentTypeErrors(t *testing.T) {
	for ctype, want := range map[string]string{
		"message/rfc822":              "attachment fwd.eml: content type message/rfc822 cannot be attached as a file",
		"message/partial":             "attachment fwd.eml: content type message/partial cannot be attached as a file",
		"multipart/mixed; boundary=x": "attachment fwd.eml: content type multipart/mixed cannot be attached as a file",
		"text/":                       `attachment fwd.eml: content type "text/"`,
	} {
		m := &Message{From: &netmail.Address{Address: "f@x.com"}, To: []*netmail.Address{{Address: "t@x.com"}}, Subject: "s", Text: "hi",
			Attachments: []Attachment{{Name: "fwd.eml", ContentType: ctype, Data: []byte("Subject: x\r\n\r\nbody\r\n")}}}
		if _, err := m.Bytes(); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("content type %q: err = %v, want %s...", ctype, err, want)
		}
	}
}
