// Package emailtest runs an in-process SMTP server on loopback for tests of
// the code that sends mail: it keeps every message it accepts, and can
// require a login or refuse recipients.
package emailtest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"kuzot/config"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Options change the server.
type Options struct {
	// Username and Password, when set, are the only login accepted, and
	// mail is refused without it.
	Username, Password string
	// Reject, when set, is asked about each recipient; a non-nil error
	// (an *smtp.SMTPError for a chosen code) refuses it.
	Reject func(rcpt string) error
}

// Server is a running SMTP server.
type Server struct {
	Host string
	Port int

	opt  Options
	srv  *smtp.Server
	mu   sync.Mutex
	msgs []Message
	got  chan struct{}
}

// Start starts a server on 127.0.0.1 on a free port, stopped when the test
// ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{opt: opt, got: make(chan struct{}, 1000)}
	s.Host = "127.0.0.1"
	s.Port = l.Addr().(*net.TCPAddr).Port
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.MaxMessageBytes = 20 << 20
	s.srv.EnableSMTPUTF8 = true
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Config is an smtp section that sends to the server, without TLS.
func (s *Server) Config() config.SMTP {
	return config.SMTP{Host: s.Host, Port: s.Port, From: "Kuzot <kuzot@example.org>", TLS: "none",
		Username: s.opt.Username, Password: s.opt.Password, Timeout: config.Duration(5 * time.Second)}
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits until n messages in all have arrived, failing the test after
// a few seconds.
func (s *Server) Wait(t testing.TB, n int) []Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.got:
		case <-deadline:
			t.Fatalf("emailtest: %d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

// DeadConfig is an smtp section pointing at a loopback port nothing
// listens on: every connection is refused.
func DeadConfig(t testing.TB) config.SMTP {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return config.SMTP{Host: "127.0.0.1", Port: port, From: "Kuzot <kuzot@example.org>", TLS: "none",
		Timeout: config.Duration(2 * time.Second)}
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opt.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opt.Username || password != ss.s.opt.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Invalid credentials"}
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opt.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opt.Reject != nil {
		if err := ss.s.opt.Reject(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	if len(ss.to) == 0 {
		return errors.New("no recipients")
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, Message{From: ss.from, To: ss.to, Data: b.Bytes()})
	ss.s.mu.Unlock()
	ss.s.got <- struct{}{}
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// Unknown is the reply of a server that has no such mailbox.
var Unknown = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}

// Busy is the reply of a server that cannot take mail now.
var Busy = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
