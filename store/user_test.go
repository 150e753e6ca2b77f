package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u := &User{Name: "Aigul", Role: RoleAnalyst, PasswordHash: "hash1", Created: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Lang != "ru" {
		t.Fatalf("created user: %+v", u)
	}
	if err := s.CreateUser(ctx, &User{Name: "aigul", Role: RoleViewer, PasswordHash: "x", Created: t0}); !errors.Is(err, ErrExists) {
		t.Errorf("a name taken in another case: %v, want ErrExists", err)
	}
	if err := s.CreateUser(ctx, &User{Name: "bolot", Role: "editor", PasswordHash: "x"}); err == nil {
		t.Error("an unknown role was accepted")
	}
	got, err := s.UserByName(ctx, "AIGUL")
	if err != nil || got.ID != u.ID || got.Role != RoleAnalyst || got.PasswordHash != "hash1" || !got.Created.Equal(t0) {
		t.Fatalf("UserByName: %+v, %v", got, err)
	}
	if _, err := s.UserByName(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if err := s.SetUserLang(ctx, u.ID, "ky"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserRole(ctx, u.ID, RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUserRole(ctx, u.ID, "root"); err == nil {
		t.Error("SetUserRole accepted an unknown role")
	}
	if err := s.SetUserLang(ctx, 999, "ky"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetUserLang of an unknown user: %v", err)
	}
	if err := s.RecordLogin(ctx, u.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err = s.User(ctx, u.ID)
	if err != nil || got.Lang != "ky" || got.Role != RoleAdmin || !got.LastLogin.Equal(t0.Add(time.Hour)) {
		t.Fatalf("User after changes: %+v, %v", got, err)
	}
	s.CreateUser(ctx, &User{Name: "bolot", Role: RoleViewer, PasswordHash: "x", Created: t0})
	all, err := s.Users(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "Aigul" || all[1].Name != "bolot" {
		t.Fatalf("Users: %+v, %v", all, err)
	}
}

func TestSessions(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u := &User{Name: "aigul", Role: RoleViewer, PasswordHash: "h", Created: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	se := Session{IDHash: "abc", UserID: u.ID, CSRF: "tok", Created: t0, Expires: t0.Add(12 * time.Hour), IP: "127.0.0.1"}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	got, gu, err := s.SessionUser(ctx, "abc", t0.Add(time.Hour))
	if err != nil || got.CSRF != "tok" || gu.Name != "aigul" || !got.Expires.Equal(se.Expires) {
		t.Fatalf("SessionUser: %+v %+v %v", got, gu, err)
	}
	if _, _, err := s.SessionUser(ctx, "abc", t0.Add(12*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session: %v", err)
	}
	if _, _, err := s.SessionUser(ctx, "other", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}

	// Disabling the user ends the session.
	if err := s.SetUserDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, "abc", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("session of a disabled user: %v", err)
	}
	s.SetUserDisabled(ctx, u.ID, false)

	// A new password ends the sessions too; logout and expiry remove them.
	s.CreateSession(ctx, Session{IDHash: "s2", UserID: u.ID, CSRF: "c", Created: t0, Expires: t0.Add(time.Hour)})
	if err := s.SetPassword(ctx, u.ID, "h2"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, "s2", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after a password change: %v", err)
	}
	s.CreateSession(ctx, Session{IDHash: "s3", UserID: u.ID, CSRF: "c", Created: t0, Expires: t0.Add(time.Hour)})
	s.CreateSession(ctx, Session{IDHash: "s4", UserID: u.ID, CSRF: "c", Created: t0, Expires: t0.Add(3 * time.Hour)})
	if err := s.DeleteSession(ctx, "s3"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, "s3", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour)); err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions before expiry = %d, %v", n, err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, t0.Add(3*time.Hour)); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
}

func TestTokens(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u := &User{Name: "grafana", Role: RoleViewer, PasswordHash: "h", Created: t0}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	tok := &APIToken{UserID: u.ID, Label: "scraper", Hash: "h1", Prefix: "kz_abc", Created: t0}
	if err := s.CreateToken(ctx, tok); err != nil || tok.ID == 0 {
		t.Fatalf("CreateToken: %+v %v", tok, err)
	}
	got, gu, err := s.TokenUser(ctx, "h1", t0.Add(time.Hour))
	if err != nil || got.ID != tok.ID || gu.Name != "grafana" || !got.LastUsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("TokenUser: %+v %+v %v", got, gu, err)
	}
	// A use within a minute of the last is not written again.
	s.TokenUser(ctx, "h1", t0.Add(time.Hour+time.Second))
	list, err := s.Tokens(ctx, u.ID)
	if err != nil || len(list) != 1 || !list[0].LastUsed.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Tokens: %+v %v", list, err)
	}
	if _, _, err := s.TokenUser(ctx, "nope", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	s.SetUserDisabled(ctx, u.ID, true)
	if _, _, err := s.TokenUser(ctx, "h1", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("token of a disabled user: %v", err)
	}
	s.SetUserDisabled(ctx, u.ID, false)
	if err := s.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TokenUser(ctx, "h1", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked token: %v", err)
	}
	if err := s.RevokeToken(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking an unknown token: %v", err)
	}
	all, _ := s.Tokens(ctx, 0)
	if len(all) != 1 || !all[0].Revoked {
		t.Errorf("all tokens: %+v", all)
	}
}
