package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"kuzot/store"
)

// Cookie and header names.
const (
	sessionCookie = "kuzot_session"
	// loginCookie carries the login form's CSRF token before there is a
	// session (double submit): a forged login cannot post it.
	loginCookie = "kuzot_login"
	csrfHeader  = "X-CSRF-Token"
	csrfField   = "csrf"
	tokenPrefix = "kz_"
)

// principal is who makes a request: a user through a session or a token.
type principal struct {
	user    *store.User
	session *store.Session  // nil for a token
	token   *store.APIToken // nil for a session
}

// actor names the principal in alert events: the user, and the token
// label when a token acted.
func (p *principal) actor() string {
	if p.token != nil && p.token.Label != "" {
		return p.user.Name + " (token " + p.token.Label + ")"
	}
	return p.user.Name
}

type ctxKey struct{}

func principalOf(r *http.Request) *principal {
	p, _ := r.Context().Value(ctxKey{}).(*principal)
	return p
}

// roleRank orders the roles: each may do what the ones below it may.
func roleRank(role string) int {
	switch role {
	case store.RoleAdmin:
		return 3
	case store.RoleAnalyst:
		return 2
	case store.RoleViewer:
		return 1
	}
	return 0
}

// can reports whether the principal has at least role.
func (p *principal) can(role string) bool { return p != nil && roleRank(p.user.Role) >= roleRank(role) }

// isAPI tells a request for JSON from one for a page.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics" || strings.HasSuffix(r.URL.Path, ".csv")
}

// safeMethod reports whether a method changes nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// auth lets through a request with a session or an API token of a user
// with at least role. A request without either gets 401 (a page request a
// redirect to the login page); one of a lesser role 403; a state-changing
// request on a session without its CSRF token 403.
func (s *Server) auth(role string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.identify(r)
		if err != nil {
			s.log.Error("authenticate request", "err", err)
			s.fail(w, r, http.StatusInternalServerError, "cannot check the session")
			return
		}
		if p == nil {
			if !isAPI(r) && safeMethod(r.Method) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="kuzot"`)
			s.fail(w, r, http.StatusUnauthorized, "sign in first, or send an API token as Authorization: Bearer")
			return
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, p)
		r = r.WithContext(ctx)
		if p.session != nil && !safeMethod(r.Method) && !s.validCSRF(r, p.session.CSRF) {
			s.fail(w, r, http.StatusForbidden, "missing or wrong CSRF token: reload the page and try again")
			return
		}
		if !p.can(role) {
			s.fail(w, r, http.StatusForbidden, "this needs the %s role; you are %s", role, p.user.Role)
			return
		}
		next(w, r)
	}
}

// identify finds the principal of r: a bearer token, else a session
// cookie. It returns nil, nil for neither.
func (s *Server) identify(r *http.Request) (*principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, nil
		}
		t, u, err := s.st.TokenUser(r.Context(), hashSecret(strings.TrimSpace(tok)), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &principal{user: u, token: t}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	se, u, err := s.st.SessionUser(r.Context(), hashSecret(c.Value), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &principal{user: u, session: se}, nil
}

// validCSRF checks the CSRF token of a state-changing request: the
// X-CSRF-Token header, or the csrf field of a form. A request from
// another origin is refused whatever it carries.
func (s *Server) validCSRF(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	got := r.Header.Get(csrfHeader)
	if got == "" && isForm(r) {
		got = r.PostFormValue(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

// randomToken is n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how session ids and tokens are stored: their SHA-256.
// They are long random strings, so a fast hash is enough.
func hashSecret(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// bcryptCost is the work factor of password hashes.
var bcryptCost = bcrypt.DefaultCost

// HashPassword hashes a password for store.User.PasswordHash (bcrypt).
func HashPassword(password string) (string, error) {
	if err := checkPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("web: hash password: %w", err)
	}
	return string(h), nil
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

func checkPassword(p string) error {
	switch n := utf8.RuneCountInString(p); {
	case n < MinPasswordLength:
		return fmt.Errorf("web: the password has %d characters; use at least %d", n, MinPasswordLength)
	case len(p) > 72:
		// bcrypt reads only the first 72 bytes.
		return fmt.Errorf("web: the password is longer than 72 bytes")
	}
	return nil
}

// GeneratePassword returns a random password of 16 letters and digits,
// for users created without one.
func GeneratePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// AddUser creates a user with a role and a password (generated when
// empty); it returns the user and the password.
func AddUser(ctx context.Context, st *store.Store, name, role, password string, now time.Time) (*store.User, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n/") {
		return nil, "", fmt.Errorf("web: user name %q: use 1 to 64 characters without spaces or slashes", name)
	}
	if !store.ValidRole(role) {
		return nil, "", fmt.Errorf("web: role %q: use viewer, analyst or admin", role)
	}
	if password == "" {
		password = GeneratePassword()
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	u := &store.User{Name: name, Role: role, Lang: "ru", PasswordHash: hash, Created: now}
	if err := st.CreateUser(ctx, u); err != nil {
		return nil, "", err
	}
	return u, password, nil
}

// AddToken creates an API token acting as the user and returns it: the
// token itself is shown once and stored only as a hash.
func AddToken(ctx context.Context, st *store.Store, u *store.User, label string, now time.Time) (string, *store.APIToken, error) {
	tok := tokenPrefix + randomToken(32)
	t := &store.APIToken{UserID: u.ID, Label: strings.TrimSpace(label), Hash: hashSecret(tok), Prefix: tok[:len(tokenPrefix)+6], Created: now}
	if err := st.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return tok, t, nil
}

// loginLimiter bounds login attempts per user name and per client
// address, so a password cannot be guessed at speed from one place or
// against one account from many.
type loginLimiter struct {
	mu     sync.Mutex
	byUser map[string]*rate.Limiter
	byIP   map[string]*rate.Limiter
}

// Login attempt budgets: a burst, then one attempt per interval.
const (
	userBurst    = 5
	userInterval = 30 * time.Second
	ipBurst      = 20
	ipInterval   = 6 * time.Second
	// maxLimiters bounds the maps; past it they start again empty.
	maxLimiters = 10000
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{byUser: map[string]*rate.Limiter{}, byIP: map[string]*rate.Limiter{}}
}

// allow takes one attempt of the user's and the address's budgets.
func (l *loginLimiter) allow(user, ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	get := func(m map[string]*rate.Limiter, k string, every time.Duration, burst int) *rate.Limiter {
		lim, ok := m[k]
		if !ok {
			lim = rate.NewLimiter(rate.Every(every), burst)
			m[k] = lim
		}
		return lim
	}
	if len(l.byUser) > maxLimiters {
		l.byUser = map[string]*rate.Limiter{}
	}
	if len(l.byIP) > maxLimiters {
		l.byIP = map[string]*rate.Limiter{}
	}
	u := get(l.byUser, strings.ToLower(user), userInterval, userBurst)
	a := get(l.byIP, ip, ipInterval, ipBurst)
	// Both budgets are spent even when one refuses, so that hammering one
	// account also costs the address.
	okU, okA := u.AllowN(now, 1), a.AllowN(now, 1)
	return okU && okA
}

// clientIP is the request's peer address (a proxy in front is the peer:
// forwarded headers are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secureCookies reports whether cookies get the Secure flag.
func (s *Server) secureCookies(r *http.Request) bool { return r.TLS != nil || s.cfg.Web.SecureCookies }

// dummyHash is compared against when the user is unknown, so that the
// answer takes as long as for a wrong password.
// It is made on first use, not when the package loads.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("kuzot-no-such-user"), bcryptCost)
	return h
})

type loginData struct {
	Next  string
	Name  string
	Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if p, _ := s.identify(r); p != nil && p.session != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// renderLogin shows the login form with a fresh login CSRF token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	// The token is kept while the cookie lives, so two open login tabs
	// both work.
	tok := randomToken(24)
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == len(tok) {
		tok = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secureCookies(r), MaxAge: 3600})
	s.render(w, r, status, "login", &page{Title: "login", CSRF: tok, Data: d, lang: langFromRequest(r)})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.formError(w, r, err)
		return
	}
	c, err := r.Cookie(loginCookie)
	form := r.PostForm.Get(csrfField)
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		s.fail(w, r, http.StatusForbidden, "missing or wrong CSRF token: reload the login page and try again")
		return
	}
	name, password := strings.TrimSpace(r.PostForm.Get("name")), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	d := loginData{Next: next, Name: name}
	if !s.limiter.allow(name, clientIP(r), s.now()) {
		s.log.Warn("login attempts limited", "user", name, "ip", clientIP(r))
		d.Error = "login.limited"
		s.renderLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	u, err := s.st.UserByName(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Error("login", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "cannot check the password")
		return
	}
	hash := dummyHash()
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || u == nil || u.Disabled {
		s.log.Info("login failed", "user", name, "ip", clientIP(r))
		d.Error = "login.failed"
		s.renderLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	now := s.now()
	id := randomToken(32)
	se := store.Session{IDHash: hashSecret(id), UserID: u.ID, CSRF: randomToken(32), Created: now,
		Expires: now.Add(s.cfg.Web.SessionTTL.D()), IP: clientIP(r), Agent: truncateString(r.UserAgent(), 200)}
	if err := s.st.CreateSession(r.Context(), se); err != nil {
		s.log.Error("login", "err", err)
		s.fail(w, r, http.StatusInternalServerError, "cannot start the session")
		return
	}
	if err := s.st.RecordLogin(r.Context(), u.ID, now); err != nil {
		s.log.Warn("record login", "err", err)
	}
	if n, err := s.st.DeleteExpiredSessions(r.Context(), now); err == nil && n > 0 {
		s.log.Debug("expired sessions removed", "count", n)
	}
	s.log.Info("login", "user", u.Name, "ip", clientIP(r))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(r), MaxAge: int(s.cfg.Web.SessionTTL.D().Seconds())})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if p := principalOf(r); p.session != nil {
		if err := s.st.DeleteSession(r.Context(), p.session.IDHash); err != nil {
			s.log.Error("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLang stores the user's interface language.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !validLang(lang) {
		s.fail(w, r, http.StatusBadRequest, "language %q: use ru, ky or en", lang)
		return
	}
	p := principalOf(r)
	if err := s.st.SetUserLang(r.Context(), p.user.ID, lang); err != nil {
		s.internal(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// safeNext keeps a redirect target on this site: a path, not another
// host.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, "/login") {
		return "/alerts"
	}
	return next
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
