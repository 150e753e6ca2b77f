package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestPages(t *testing.T) {
	f := newFixture(t)
	viewer, admin := f.login("bolot"), f.login("admin")
	for _, tc := range []struct {
		c      *client
		path   string
		status int
		want   []string
	}{
		{viewer, "/", http.StatusSeeOther, nil},
		{viewer, "/alerts", 200, []string{"Оповещения", `id="alert-a-osh"`, `id="alert-a-roddom"`, "Принимать и закрывать оповещения могут аналитики"}},
		{viewer, "/alerts?status=resolved", 200, []string{`id="alert-a-old"`}},
		{viewer, "/alerts?status=closed", 400, nil},
		{viewer, "/alerts/a-roddom", 200, []string{"kaktus.media", "azattyk.org", "<mark>Врачебная ошибка</mark>", "создано"}},
		{viewer, "/alerts/nope", 404, []string{"Ошибка 404"}},
		{viewer, "/search", 200, []string{`<b id="total">8</b>`, "Экспорт CSV"}},
		{viewer, "/search?q=" + url.QueryEscape("врач AND"), 400, []string{"column 9", "^"}},
		{viewer, "/search?q=" + url.QueryEscape("оорукана") + "&lang=ky", 200, []string{"<mark>ооруканасында</mark>", "Язык: кыргызский ×"}},
		{viewer, "/articles/1", 200, []string{"medical-error-ru", "Сюжет", "<mark>"}},
		{viewer, "/articles/999", 404, nil},
		{viewer, "/stories/s-roddom", http.StatusSeeOther, nil},
		{viewer, "/rules", 200, []string{"medical-error-ru", "config.yaml", "<svg class=\"spark\""}},
		{viewer, "/rules/edit?id=medical-error-ru", 403, nil},
		{viewer, "/sources", 200, []string{"не работает", "503 Service Unavailable", "работает"}},
		{viewer, "/users", 403, nil},
		{viewer, "/nothing", 404, nil},
		{admin, "/rules/edit?id=medical-error-ru", 200, []string{"@ru-staff", "Проверить на архиве"}},
		{admin, "/rules/edit?id=nope", 404, nil},
		{admin, "/users", 200, []string{"aigul", "bolot", "Добавить пользователя"}},
	} {
		resp, body := tc.c.get(tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, resp.StatusCode, tc.status)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", tc.path, w)
			}
		}
		if tc.status == 200 && strings.Contains(body, "<script>") {
			t.Errorf("%s has an inline script", tc.path)
		}
	}
	// A viewer sees no acknowledge form.
	if _, body := viewer.get("/alerts"); strings.Contains(body, "/ack\"") {
		t.Error("a viewer is offered Acknowledge")
	}

	// Each language, chosen per user.
	for lang, word := range map[string]string{"ky": "Эскертүүлөр", "en": "Alerts", "ru": "Оповещения"} {
		if resp, _ := viewer.postForm("/settings/lang", url.Values{"csrf": {viewer.csrf}, "lang": {lang}, "next": {"/sources"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sources" {
			t.Fatalf("switch to %s: %d", lang, resp.StatusCode)
		}
		if _, body := viewer.get("/alerts"); !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, word) {
			t.Errorf("in %s the page lacks %q", lang, word)
		}
	}
	if resp, _ := viewer.postForm("/settings/lang", url.Values{"csrf": {viewer.csrf}, "lang": {"de"}}); resp.StatusCode != 400 {
		t.Errorf("an unknown language: %d", resp.StatusCode)
	}

	// The admin adds a user (a password is generated and shown once) and a
	// token for it, then revokes it.
	resp, body := admin.postForm("/users", url.Values{"csrf": {admin.csrf}, "name": {"nurlan"}, "role": {"analyst"}})
	pw := regexp.MustCompile(`<pre id="secret">([^<]+)</pre>`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || pw == nil {
		t.Fatalf("add user: %d", resp.StatusCode)
	}
	f.passwords["nurlan"] = pw[1]
	f.login("nurlan")
	if resp, _ := admin.postForm("/users", url.Values{"csrf": {admin.csrf}, "name": {"nurlan"}, "role": {"analyst"}}); resp.StatusCode != 400 {
		t.Errorf("a second nurlan: %d", resp.StatusCode)
	}
	u, _ := f.st.UserByName(t.Context(), "nurlan")
	resp, body = admin.postForm("/users/"+itoa(u.ID)+"/tokens", url.Values{"csrf": {admin.csrf}, "label": {"script"}})
	tok := regexp.MustCompile(`<pre id="secret">(kz_[^<]+)</pre>`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || tok == nil {
		t.Fatalf("add token: %d", resp.StatusCode)
	}
	c := f.anon()
	c.c.Transport = &tokenTransport{tok: tok[1]}
	if resp, _ := c.get("/api/alerts"); resp.StatusCode != 200 {
		t.Errorf("the new token: %d", resp.StatusCode)
	}
	toks, _ := f.st.Tokens(t.Context(), u.ID)
	admin.postForm("/tokens/"+itoa(toks[0].ID)+"/revoke", url.Values{"csrf": {admin.csrf}})
	if resp, _ := c.get("/api/alerts"); resp.StatusCode != 401 {
		t.Errorf("a revoked token: %d", resp.StatusCode)
	}
	admin.postForm("/users/"+itoa(u.ID)+"/disable", url.Values{"csrf": {admin.csrf}, "disabled": {"1"}})
	if u, _ := f.st.UserByName(t.Context(), "nurlan"); !u.Disabled {
		t.Error("nurlan is not disabled")
	}
	me, _ := f.st.UserByName(t.Context(), "admin")
	if resp, _ := admin.postForm("/users/"+itoa(me.ID)+"/disable", url.Values{"csrf": {admin.csrf}, "disabled": {"1"}}); resp.StatusCode != 400 {
		t.Errorf("an admin disabling themself: %d", resp.StatusCode)
	}
}
