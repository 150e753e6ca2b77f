package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// withStdin feeds s to the command's standard input.
func withStdin(t *testing.T, s string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(s)
	w.Close()
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old; r.Close() })
}

func TestUsersAndTokens(t *testing.T) {
	cfg := writeConfig(t, "http://127.0.0.1:1")
	code, out := capture(t, "users", "add", "aigul", "--role", "analyst", "--config", cfg)
	pw := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if code != 0 || !strings.Contains(out, "user aigul added with role analyst") || pw == nil || len(pw[1]) != 16 {
		t.Fatalf("users add exited %d:\n%s", code, out)
	}
	withStdin(t, "a long enough password\n")
	code, out = capture(t, "users", "add", "bolot", "--password-stdin", "--config", cfg)
	if code != 0 || strings.Contains(out, "password:") || !strings.Contains(out, "role viewer") {
		t.Errorf("users add --password-stdin exited %d:\n%s", code, out)
	}
	code, out = capture(t, "users", "list", "--json", "--config", cfg)
	var users []struct {
		Name, Role string
		Disabled   bool
	}
	if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 2 || users[0].Name != "aigul" || users[0].Role != "analyst" {
		t.Errorf("users list exited %d: %s", code, out)
	}
	if strings.Contains(out, "password") || strings.Contains(out, "$2a$") {
		t.Errorf("users list shows a password hash: %s", out)
	}

	code, out = capture(t, "tokens", "add", "aigul", "--label", "grafana", "--config", cfg)
	if code != 0 || !regexp.MustCompile(`\nkz_[A-Za-z0-9_-]{43}\n`).MatchString(out) {
		t.Errorf("tokens add exited %d:\n%s", code, out)
	}
	code, out = capture(t, "tokens", "list", "--config", cfg)
	if code != 0 || !strings.Contains(out, "aigul") || !strings.Contains(out, "grafana") || !strings.Contains(out, "active") {
		t.Errorf("tokens list exited %d:\n%s", code, out)
	}
	if code, out = capture(t, "tokens", "revoke", "1", "--config", cfg); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("tokens revoke exited %d:\n%s", code, out)
	}
	if code, out = capture(t, "users", "disable", "bolot", "--config", cfg); code != 0 {
		t.Errorf("users disable exited %d:\n%s", code, out)
	}
	code, out = capture(t, "users", "list", "--config", cfg)
	if code != 0 || !regexp.MustCompile(`bolot\s+viewer\s+ru\s+disabled`).MatchString(out) {
		t.Errorf("users list after disable exited %d:\n%s", code, out)
	}

	for _, bad := range [][]string{
		{"users", "--config", cfg},
		{"users", "add", "--config", cfg},
		{"users", "add", "aigul", "--config", cfg},                   // exists
		{"users", "add", "carol", "--role", "root", "--config", cfg}, // no such role
		{"users", "add", "two words", "--config", cfg},               // bad name
		{"users", "frob", "--config", cfg},
		{"tokens", "add", "nobody", "--config", cfg},
		{"tokens", "revoke", "x", "--config", cfg},
		{"tokens", "revoke", "99", "--config", cfg},
	} {
		if code, _ := capture(t, bad...); code != 1 {
			t.Errorf("%q exited %d, want 1", bad, code)
		}
	}
	withStdin(t, "short\n")
	if code, _ := capture(t, "users", "add", "dana", "--password-stdin", "--config", cfg); code != 1 {
		t.Errorf("a short password exited %d, want 1", code)
	}
}
