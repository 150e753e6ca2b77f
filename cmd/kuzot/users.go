package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"kuzot/store"
	"kuzot/web"
)

const usersUsage = `kuzot users add NAME [--role viewer|analyst|admin] [--password-stdin]
                                           create a user (prints a generated password when none is given)
kuzot users list [--json]                  the users, their roles and last logins
kuzot users passwd NAME [--password-stdin] set a new password (ends the user's sessions)
kuzot users disable NAME | enable NAME     lock a user out (sessions and tokens stop working) or let in again
kuzot tokens add USER [--label L]          an API token acting as USER (printed once; send as Authorization: Bearer)
kuzot tokens list [--json] · kuzot tokens revoke ID`

// cmdUsers manages the people who use the web UI and API.
func cmdUsers(args []string) error {
	if len(args) == 0 {
		return errors.New("users needs a subcommand:\n" + usersUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("users "+sub, flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	role := fs.String("role", store.RoleViewer, "add: viewer, analyst or admin")
	fromStdin := fs.Bool("password-stdin", false, "add, passwd: read the password from the first line of standard input")
	asJSON := fs.Bool("json", false, "list: print JSON")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := common.loadStore(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	name := func() (string, error) {
		if len(pos) != 1 {
			return "", fmt.Errorf("users %s needs one user NAME", sub)
		}
		return pos[0], nil
	}
	switch sub {
	case "add":
		n, err := name()
		if err != nil {
			return err
		}
		pw := ""
		if *fromStdin {
			if pw, err = readPassword(os.Stdin); err != nil {
				return err
			}
		}
		u, pw, err := web.AddUser(ctx, a.store, n, *role, pw, time.Now())
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("users add: %q exists already (kuzot users list)", n)
		}
		if err != nil {
			return err
		}
		fmt.Printf("user %s added with role %s\n", u.Name, u.Role)
		if !*fromStdin {
			fmt.Printf("password: %s\n(shown once; they sign in at http://%s/login)\n", pw, a.cfg.Web.Listen)
		}
		return nil
	case "list":
		users, err := a.store.Users(ctx)
		if err != nil {
			return err
		}
		if users == nil {
			users = []*store.User{}
		}
		if *asJSON {
			return writeJSON(os.Stdout, users)
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tLANG\tSTATE\tLAST LOGIN")
		for _, u := range users {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, u.Lang, state, ago(time.Now(), u.LastLogin))
		}
		return tw.Flush()
	case "passwd":
		n, err := name()
		if err != nil {
			return err
		}
		u, err := a.store.UserByName(ctx, n)
		if err != nil {
			return fmt.Errorf("users passwd: no user %q (kuzot users list)", n)
		}
		pw := web.GeneratePassword()
		if *fromStdin {
			if pw, err = readPassword(os.Stdin); err != nil {
				return err
			}
		}
		hash, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		if err := a.store.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		fmt.Printf("password of %s changed; their sessions ended\n", u.Name)
		if !*fromStdin {
			fmt.Printf("password: %s\n", pw)
		}
		return nil
	case "disable", "enable":
		n, err := name()
		if err != nil {
			return err
		}
		u, err := a.store.UserByName(ctx, n)
		if err != nil {
			return fmt.Errorf("users %s: no user %q (kuzot users list)", sub, n)
		}
		if err := a.store.SetUserDisabled(ctx, u.ID, sub == "disable"); err != nil {
			return err
		}
		fmt.Printf("user %s %sd\n", u.Name, sub)
		return nil
	}
	return fmt.Errorf("users: unknown subcommand %q:\n%s", sub, usersUsage)
}

// readPassword reads the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("--password-stdin: standard input has no password")
	}
	return pw, nil
}

// cmdTokens manages API tokens.
func cmdTokens(args []string) error {
	if len(args) == 0 {
		return errors.New("tokens needs a subcommand:\n" + usersUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("tokens "+sub, flag.ContinueOnError)
	var common commonFlags
	common.register(fs)
	label := fs.String("label", "", "add: what the token is for (grafana, a script)")
	asJSON := fs.Bool("json", false, "list: print JSON")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := common.loadStore(ctx)
	if err != nil {
		return err
	}
	defer a.close()
	switch sub {
	case "add":
		if len(pos) != 1 {
			return errors.New("tokens add needs the USER the token acts as (kuzot users add creates one)")
		}
		u, err := a.store.UserByName(ctx, pos[0])
		if err != nil {
			return fmt.Errorf("tokens add: no user %q (kuzot users list)", pos[0])
		}
		tok, t, err := web.AddToken(ctx, a.store, u, *label, time.Now())
		if err != nil {
			return err
		}
		fmt.Printf("token %d for %s (%s):\n%s\n(shown once; send it as Authorization: Bearer %s…)\n", t.ID, u.Name, u.Role, tok, t.Prefix)
		return nil
	case "list":
		toks, err := a.store.Tokens(ctx, 0)
		if err != nil {
			return err
		}
		users, err := a.store.Users(ctx)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, u := range users {
			names[u.ID] = u.Name
		}
		if *asJSON {
			type row struct {
				*store.APIToken
				User string `json:"user"`
			}
			out := []row{}
			for _, t := range toks {
				out = append(out, row{t, names[t.UserID]})
			}
			return writeJSON(os.Stdout, out)
		}
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tLABEL\tPREFIX\tSTATE\tLAST USED")
		for _, t := range toks {
			state := "active"
			if t.Revoked {
				state = "revoked"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\n", t.ID, names[t.UserID], t.Label, t.Prefix, state, ago(time.Now(), t.LastUsed))
		}
		return tw.Flush()
	case "revoke":
		if len(pos) != 1 {
			return errors.New("tokens revoke needs a token ID (kuzot tokens list)")
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("tokens revoke: %q is not a token id (kuzot tokens list)", pos[0])
		}
		if err := a.store.RevokeToken(ctx, id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("tokens revoke: no token %d (kuzot tokens list)", id)
		} else if err != nil {
			return err
		}
		fmt.Printf("token %d revoked\n", id)
		return nil
	}
	return fmt.Errorf("tokens: unknown subcommand %q:\n%s", sub, usersUsage)
}
