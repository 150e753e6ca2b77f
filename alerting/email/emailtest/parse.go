package emailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Parsed is a message read back with net/mail and mime/multipart.
type Parsed struct {
	Header mail.Header
	// Subject is the decoded subject.
	Subject string
	// Text and HTML are the decoded bodies of the text/plain and
	// text/html parts.
	Text, HTML string
	// Parts are every leaf part, in order.
	Parts []Part
}

// Part is one leaf of the MIME tree.
type Part struct {
	ContentType string // the media type, without parameters
	ContentID   string // without the angle brackets
	Disposition string
	Body        []byte // decoded
}

// Parse reads a message. It fails on anything a mail client would not
// read: a bad header, a multipart without its boundary, a bad encoding.
func Parse(data []byte) (*Parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("emailtest: read message: %w", err)
	}
	p := &Parsed{Header: m.Header}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return nil, fmt.Errorf("emailtest: subject: %w", err)
	}
	if err := p.walk(m.Header, m.Body); err != nil {
		return nil, err
	}
	return p, nil
}

type header interface{ Get(string) string }

func (p *Parsed) walk(h header, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("emailtest: content type %q: %w", ct, err)
	}
	if strings.HasPrefix(media, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("emailtest: %s: %w", media, err)
			}
			if err := p.walk(part.Header, part); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &stripNewlines{r: body})
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("emailtest: %s part: %w", media, err)
	}
	part := Part{ContentType: media, ContentID: strings.Trim(h.Get("Content-Id"), "<>"), Disposition: h.Get("Content-Disposition"), Body: b}
	p.Parts = append(p.Parts, part)
	switch {
	case media == "text/plain" && p.Text == "":
		p.Text = string(b)
	case media == "text/html" && p.HTML == "":
		p.HTML = string(b)
	}
	return nil
}

// Part returns the first part with the Content-ID, or nil.
func (p *Parsed) Part(cid string) *Part {
	for i := range p.Parts {
		if p.Parts[i].ContentID == cid {
			return &p.Parts[i]
		}
	}
	return nil
}

type stripNewlines struct{ r io.Reader }

func (s *stripNewlines) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	j := 0
	for _, c := range b[:n] {
		if c != '\r' && c != '\n' {
			b[j] = c
			j++
		}
	}
	return j, err
}
