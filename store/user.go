package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Roles of a user, each allowed what the one before it is and more (the
// web package decides what each may do).
const (
	RoleViewer  = "viewer"
	RoleAnalyst = "analyst"
	RoleAdmin   = "admin"
)

// Roles lists the roles, least allowed first.
var Roles = []string{RoleViewer, RoleAnalyst, RoleAdmin}

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// ErrExists is returned when a name that must be unique is taken.
var ErrExists = errors.New("store: already exists")

// User is a person (or a machine, through its tokens) using the web UI
// and API.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Lang is the interface language: ru, ky or en.
	Lang         string    `json:"lang"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	Created      time.Time `json:"created"`
	LastLogin    time.Time `json:"last_login"`
}

// Session is a login: the hash of the cookie's value, its CSRF token and
// when it ends.
type Session struct {
	IDHash  string
	UserID  int64
	CSRF    string
	Created time.Time
	Expires time.Time
	IP      string
	Agent   string
}

// APIToken is a bearer token acting as its user.
type APIToken struct {
	ID     int64  `json:"id"`
	UserID int64  `json:"user_id"`
	Label  string `json:"label"`
	Hash   string `json:"-"`
	// Prefix is the token's first characters, shown to tell tokens apart.
	Prefix   string    `json:"prefix"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used"`
	Revoked  bool      `json:"revoked"`
}

const userColumns = `id, name, role, lang, password_hash, disabled, created, last_login`

func scanUser(r scanner) (*User, error) {
	var u User
	var created, last int64
	if err := r.Scan(&u.ID, &u.Name, &u.Role, &u.Lang, &u.PasswordHash, &u.Disabled, &created, &last); err != nil {
		return nil, err
	}
	u.Created, u.LastLogin = fromMS(created), fromMS(last)
	return &u, nil
}

// CreateUser stores a new user and sets its ID. A name already taken (in
// any letter case) gets ErrExists.
func (s *Store) CreateUser(ctx context.Context, u *User) error {
	if !ValidRole(u.Role) {
		return fmt.Errorf("store: create user %q: role %q is not one of %s", u.Name, u.Role, strings.Join(Roles, ", "))
	}
	if u.Lang == "" {
		u.Lang = "ru"
	}
	r, err := s.w.ExecContext(ctx, `INSERT INTO users (name, role, lang, password_hash, disabled, created) VALUES (?, ?, ?, ?, ?, ?)`,
		u.Name, u.Role, u.Lang, u.PasswordHash, u.Disabled, ms(u.Created))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return fmt.Errorf("store: create user %q: %w", u.Name, ErrExists)
		}
		return fmt.Errorf("store: create user %q: %w", u.Name, err)
	}
	if u.ID, err = r.LastInsertId(); err != nil {
		return fmt.Errorf("store: create user %q: %w", u.Name, err)
	}
	return nil
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// UserByName returns the user called name, in any letter case.
func (s *Store) UserByName(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %q: %w", name, err)
	}
	return u, nil
}

// Users returns every user by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	return collect(ctx, s.r, "users", scanUser, `SELECT `+userColumns+` FROM users ORDER BY name`)
}

// updateUser runs one UPDATE of a user's row, telling a missing user by
// ErrNotFound.
func (s *Store) updateUser(ctx context.Context, what string, id int64, q string, args ...any) error {
	r, err := s.w.ExecContext(ctx, q, append(args, id)...)
	if err != nil {
		return fmt.Errorf("store: %s of user %d: %w", what, id, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("store: %s of user %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// SetUserLang sets a user's interface language.
func (s *Store) SetUserLang(ctx context.Context, id int64, lang string) error {
	return s.updateUser(ctx, "set language", id, `UPDATE users SET lang = ? WHERE id = ?`, lang)
}

// SetUserRole sets a user's role.
func (s *Store) SetUserRole(ctx context.Context, id int64, role string) error {
	if !ValidRole(role) {
		return fmt.Errorf("store: set role of user %d: %q is not one of %s", id, role, strings.Join(Roles, ", "))
	}
	return s.updateUser(ctx, "set role", id, `UPDATE users SET role = ? WHERE id = ?`, role)
}

// SetPassword replaces a user's password hash and ends the user's
// sessions, so a changed password locks out whoever knew the old one.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string) error {
	if err := s.updateUser(ctx, "set password", id, `UPDATE users SET password_hash = ? WHERE id = ?`, hash); err != nil {
		return err
	}
	return s.deleteSessionsOf(ctx, id)
}

// SetUserDisabled disables or enables a user. A disabled user's sessions
// end at once and its tokens stop working.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	if err := s.updateUser(ctx, "disable", id, `UPDATE users SET disabled = ? WHERE id = ?`, disabled); err != nil {
		return err
	}
	if !disabled {
		return nil
	}
	return s.deleteSessionsOf(ctx, id)
}

// RecordLogin notes a user's successful login.
func (s *Store) RecordLogin(ctx context.Context, id int64, at time.Time) error {
	return s.updateUser(ctx, "record login", id, `UPDATE users SET last_login = ? WHERE id = ?`, ms(at))
}

func (s *Store) deleteSessionsOf(ctx context.Context, userID int64) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: end sessions of user %d: %w", userID, err)
	}
	return nil
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created, expires, ip, agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		se.IDHash, se.UserID, se.CSRF, ms(se.Created), ms(se.Expires), se.IP, se.Agent)
	if err != nil {
		return fmt.Errorf("store: create session of user %d: %w", se.UserID, err)
	}
	return nil
}

// SessionUser returns the session with the id hash and its user. A
// session that is unknown, has expired by now, or belongs to a disabled
// user gets ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, idHash string, now time.Time) (*Session, *User, error) {
	row := s.r.QueryRowContext(ctx, `SELECT s.id_hash, s.user_id, s.csrf, s.created, s.expires, s.ip, s.agent,
			u.id, u.name, u.role, u.lang, u.password_hash, u.disabled, u.created, u.last_login
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = ? AND s.expires > ? AND u.disabled = 0`, idHash, ms(now))
	var se Session
	var u User
	var sCreated, sExpires, uCreated, uLast int64
	err := row.Scan(&se.IDHash, &se.UserID, &se.CSRF, &sCreated, &sExpires, &se.IP, &se.Agent,
		&u.ID, &u.Name, &u.Role, &u.Lang, &u.PasswordHash, &u.Disabled, &uCreated, &uLast)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: session: %w", err)
	}
	se.Created, se.Expires = fromMS(sCreated), fromMS(sExpires)
	u.Created, u.LastLogin = fromMS(uCreated), fromMS(uLast)
	return &se, &u, nil
}

// DeleteSession ends a session (a logout); an unknown one is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes the sessions expired by now and returns
// how many there were.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	r, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires <= ?`, ms(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

const tokenColumns = `id, user_id, label, hash, prefix, created, last_used, revoked`

func scanToken(r scanner) (*APIToken, error) {
	var t APIToken
	var created, used int64
	if err := r.Scan(&t.ID, &t.UserID, &t.Label, &t.Hash, &t.Prefix, &created, &used, &t.Revoked); err != nil {
		return nil, err
	}
	t.Created, t.LastUsed = fromMS(created), fromMS(used)
	return &t, nil
}

// CreateToken stores a new API token and sets its ID.
func (s *Store) CreateToken(ctx context.Context, t *APIToken) error {
	r, err := s.w.ExecContext(ctx, `INSERT INTO api_tokens (user_id, label, hash, prefix, created) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Label, t.Hash, t.Prefix, ms(t.Created))
	if err != nil {
		return fmt.Errorf("store: create token of user %d: %w", t.UserID, err)
	}
	if t.ID, err = r.LastInsertId(); err != nil {
		return fmt.Errorf("store: create token of user %d: %w", t.UserID, err)
	}
	return nil
}

// tokenTouchEvery is how stale a token's last use may get before a use
// writes it again: a script calling the API every second should not cost
// a write per call.
const tokenTouchEvery = time.Minute

// TokenUser returns the live token with the hash and its user, and notes
// its use at now. A token unknown, revoked, or of a disabled user gets
// ErrNotFound.
func (s *Store) TokenUser(ctx context.Context, hash string, now time.Time) (*APIToken, *User, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ? AND revoked = 0`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: token: %w", err)
	}
	u, err := s.User(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, fmt.Errorf("store: token of disabled user %q: %w", u.Name, ErrNotFound)
	}
	if now.Sub(t.LastUsed) >= tokenTouchEvery {
		if _, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, ms(now), t.ID); err != nil {
			return nil, nil, fmt.Errorf("store: token %d: %w", t.ID, err)
		}
		t.LastUsed = now
	}
	return t, u, nil
}

// Tokens returns the tokens of a user, or of everyone when userID is 0,
// newest first.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]*APIToken, error) {
	q, args := `SELECT `+tokenColumns+` FROM api_tokens`, []any{}
	if userID != 0 {
		q += ` WHERE user_id = ?`
		args = append(args, userID)
	}
	return collect(ctx, s.r, "tokens", scanToken, q+` ORDER BY id DESC`, args...)
}

// RevokeToken stops a token working; it stays listed as revoked.
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	r, err := s.w.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: revoke token %d: %w", id, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("store: revoke token %d: %w", id, ErrNotFound)
	}
	return nil
}
