package email

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"

	"github.com/wneessen/go-mail"

	"kuzot/config"
)

// Sender sends messages through one SMTP server.
type Sender struct {
	cfg    config.SMTP
	server string // host:port, for errors
	opts   []mail.Option
}

// NewSender checks cfg and returns a sender for it. It does not connect:
// a server that is down at start delays mail, it does not stop Kuzot.
func NewSender(cfg config.SMTP) (*Sender, error) {
	if cfg.Host == "" {
		return nil, errors.New("email: smtp.host is empty: set the SMTP server")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("email: smtp.port %d is not a port (try 587)", cfg.Port)
	}
	if cfg.From == "" {
		return nil, errors.New("email: smtp.from is empty (try \"Kuzot <kuzot@example.org>\")")
	}
	s := &Sender{cfg: cfg, server: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}
	s.opts = []mail.Option{mail.WithPort(cfg.Port), mail.WithHELO(helo(cfg.From))}
	if t := cfg.Timeout.D(); t > 0 {
		s.opts = append(s.opts, mail.WithTimeout(t))
	}
	switch cfg.TLS {
	case "", "starttls":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		s.opts = append(s.opts, mail.WithSSL())
	case "none":
		s.opts = append(s.opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		return nil, fmt.Errorf("email: smtp.tls %q is not one of starttls, tls, none", cfg.TLS)
	}
	if cfg.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if cfg.TLS == "none" {
			// A relay on loopback without TLS: PLAIN is what it offers,
			// and go-mail refuses it over a plain connection unless told.
			auth = mail.SMTPAuthPlainNoEnc
		}
		s.opts = append(s.opts, mail.WithSMTPAuth(auth), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return s, nil
}

// helo is the name Kuzot greets the server with: the domain of its From
// address, which a strict server accepts more readily than "localhost".
func helo(from string) string {
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		if d := strings.Trim(from[i+1:], "> "); d != "" {
			return d
		}
	}
	return "localhost"
}

// Server is the host:port mail goes to.
func (s *Sender) Server() string { return s.server }

// NewMsg returns a message from the configured sender to the addresses
// to, dated now.
func (s *Sender) NewMsg(to []string) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("email: smtp.from %q: %w", s.cfg.From, err)
	}
	if len(to) == 0 {
		return nil, errors.New("email: no recipients")
	}
	if err := m.To(to...); err != nil {
		return nil, fmt.Errorf("email: recipients %s: %w", strings.Join(to, ", "), err)
	}
	m.SetDate()
	return m, nil
}

// Send delivers msgs in one connection. A failure is an *Error, which says
// whether to retry.
func (s *Sender) Send(ctx context.Context, msgs ...*mail.Msg) error {
	c, err := mail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return &Error{Server: s.server, Err: err}
	}
	if err := c.DialAndSendWithContext(ctx, msgs...); err != nil {
		return s.classify(err)
	}
	return nil
}

// Error is a failed send.
type Error struct {
	// Receiver is the alert receiver that sent, when there is one.
	Receiver string
	Server   string // host:port
	// Code is the SMTP reply code, 0 when the server gave none.
	Code int
	// Temporary failures are worth retrying: the server was unreachable,
	// slow, or answered 4xx.
	Temporary bool
	// Hint tells the operator what to fix.
	Hint string
	Err  error
	// what replaces Err in the message when the failure has a plainer name.
	what string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("email: ")
	if e.Receiver != "" {
		b.WriteString("receiver ")
		b.WriteString(e.Receiver)
		b.WriteString(" via ")
	}
	b.WriteString(e.Server)
	b.WriteString(": ")
	b.WriteString(e.reason())
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *Error) reason() string {
	if e.what != "" {
		return e.what
	}
	var tp *textproto.Error
	if errors.As(e.Err, &tp) {
		return fmt.Sprintf("%d %s", tp.Code, strings.TrimSpace(tp.Msg))
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether err, from Send, is worth retrying. An error
// that is not an *Error (a cancelled context, say) is.
func Temporary(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Temporary
	}
	return err != nil
}

// classify turns a go-mail failure into an *Error: its SMTP code when the
// server answered, otherwise the kind of network failure.
func (s *Sender) classify(err error) *Error {
	e := &Error{Server: s.server, Err: err, Temporary: true}
	var se *mail.SendError
	var tp *textproto.Error
	switch {
	case errors.As(err, &tp):
		e.Code = tp.Code
	case errors.As(err, &se):
		e.Code = se.ErrorCode()
		if e.Code == 0 {
			switch se.Reason {
			case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
				e.Temporary = false
			}
		}
	}
	switch {
	case e.Code >= 500:
		e.Temporary = false
	case e.Code >= 400:
		e.Temporary = true
	}
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ce x509.CertificateInvalidError
	switch {
	case e.Code == 535 || e.Code == 534 || (e.Code == 530 && s.cfg.Username != ""):
		e.Hint = "check smtp.username and smtp.password"
		e.what = fmt.Sprintf("%d authentication failed", e.Code)
		if errors.As(err, &tp) {
			e.what += " (" + strings.TrimSpace(tp.Msg) + ")"
		}
	case e.Code == 530:
		e.Hint = "the server wants a login: set smtp.username and smtp.password"
	case e.Code >= 500 && se != nil && se.Reason == mail.ErrSMTPRcptTo:
		e.Hint = "the server refused a recipient: check the addresses in the configuration"
	case e.Code >= 500 && se != nil && se.Reason == mail.ErrSMTPMailFrom:
		e.Hint = "the server refused the sender: check smtp.from (it must be an address the server may send as)"
	case e.Code >= 500:
		e.Hint = "the server refused the message"
	case errors.As(err, &ue), errors.As(err, &he), errors.As(err, &ce):
		e.Temporary = false
		e.Hint = "the server's TLS certificate is not trusted for smtp.host: fix the certificate or the host name"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.what = "connection refused"
		e.Hint = "nothing listens there: is the mail server up, and are smtp.host and smtp.port right?"
	case isTimeout(err):
		e.Hint = "no answer in time: is the server reachable from here (firewall, smtp.port)?"
	case strings.Contains(err.Error(), "STARTTLS"):
		e.Temporary = false
		e.Hint = "the server does not offer STARTTLS: set smtp.tls to \"tls\" for port 465, or \"none\" for a local relay"
	case strings.Contains(err.Error(), "SMTP AUTH") || errors.Is(err, mail.ErrNoSupportedAuthDiscovered):
		e.Temporary = false
		e.Hint = "the server offers no login Kuzot can use: remove smtp.username or enable TLS"
	}
	return e
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
