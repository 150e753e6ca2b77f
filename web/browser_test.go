package web

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kuzot/store"
)

// artifacts is where the browser tests keep their screenshots (gitignored).
const artifacts = "testdata/artifacts"

// browser is a headless Chromium on a fixture's server.
type browser struct {
	t   *testing.T
	f   *fixture
	ctx context.Context
}

// newBrowser starts headless Chromium. Without one the test fails on CI
// (env CI set) and is skipped elsewhere.
func newBrowser(t *testing.T, f *fixture) *browser {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium on PATH; .ci/run installs Debian's chromium")
		}
		t.Skip("no chromium on PATH (apt-get install chromium); the browser tests are skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1366, 900),
		chromedp.Flag("lang", "ru-RU"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 50*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, f: f, ctx: ctx}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// open navigates to a path of the server and returns the HTTP status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.f.ts.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks what sel selects and waits for the page it loads.
func (b *browser) submit(sel string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("click %s: %v", sel, err)
	}
	return resp.Status
}

// setValue sets a form field's value (SetValue cannot set a textarea).
func (b *browser) setValue(id, v string) {
	b.t.Helper()
	evalIn[bool](b, `(function(){ document.getElementById(`+jsString(id)+`).value = `+jsString(v)+`; return true })()`)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func evalIn[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *browser) path() string {
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	return u.RequestURI()
}

// shot saves a full-page screenshot as an artifact.
func (b *browser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifacts, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	f := newFixture(t)
	b := newBrowser(t, f)

	// Refused without a session: the API answers 401, a page sends to the
	// login form.
	if st := b.open("/api/alerts"); st != 401 {
		t.Errorf("/api/alerts without a session: %d", st)
	}
	if body := evalIn[string](b, `document.body.innerText`); !strings.Contains(body, `"status":401`) {
		t.Errorf("401 body: %s", body)
	}
	b.open("/search?q=" + url.QueryEscape("оорукана"))
	if p := b.path(); !strings.HasPrefix(p, "/login?next=") {
		t.Fatalf("a page without a session went to %s", p)
	}
	b.shot("01-login")

	// Log in as the analyst: back to the search asked for.
	b.do(chromedp.SendKeys(chromedp.ID("name"), "aigul"), chromedp.SendKeys(chromedp.ID("password"), f.passwords["aigul"]))
	if st := b.submit(`form button[type=submit]`); st != 200 {
		t.Fatalf("login: %d", st)
	}
	if p := b.path(); !strings.HasPrefix(p, "/search?q=") {
		t.Fatalf("after login at %s", p)
	}

	parent := t
	run := func(name string, fn func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			b.t = t
			defer func() { b.t = parent }()
			fn(t)
		})
	}

	run("search a Kyrgyz word form", func(t *testing.T) {
		marks := evalIn[[]string](b, `Array.from(document.querySelectorAll('.hit mark')).map(m => m.textContent)`)
		if !contains(marks, "ооруканасында") {
			t.Errorf("marked words %q lack ооруканасында", marks)
		}
		if n := evalIn[string](b, `document.getElementById('total').textContent`); n != "2" {
			t.Errorf("оорукана: %s hits, want 2", n)
		}
		bg := evalIn[string](b, `getComputedStyle(document.querySelector('.hit mark')).backgroundColor`)
		if bg == "rgba(0, 0, 0, 0)" || bg == "" {
			t.Errorf("a mark is not highlighted: background %q", bg)
		}
		b.shot("02-search-kyrgyz")
	})

	run("filter by a facet", func(t *testing.T) {
		b.do(chromedp.Clear(chromedp.ID("q")), chromedp.SendKeys(chromedp.ID("q"), "халатность"))
		b.submit(`.searchbar button[type=submit]`)
		if n := evalIn[string](b, `document.getElementById('total').textContent`); n != "3" {
			t.Fatalf("халатность: %s hits, want 3", n)
		}
		b.submit(`.facet[data-facet=outlet] a[data-value="akipress.org"]`)
		if n := evalIn[string](b, `document.getElementById('total').textContent`); n != "2" {
			t.Errorf("filtered by akipress.org: %s hits, want 2", n)
		}
		outlets := evalIn[[]string](b, `Array.from(document.querySelectorAll('.hit .outlet')).map(e => e.textContent)`)
		if len(outlets) != 2 || outlets[0] != "akipress.org" || outlets[1] != "akipress.org" {
			t.Errorf("outlets after the filter: %q", outlets)
		}
		if !strings.Contains(b.path(), "outlet=akipress.org") || evalIn[int](b, `document.querySelectorAll('.chip.on').length`) != 1 {
			t.Errorf("the filter is not shown: %s", b.path())
		}
		if evalIn[int](b, `document.querySelectorAll('svg.hist a').length`) == 0 {
			t.Error("no clickable histogram bars")
		}
		b.shot("03-search-facet")
	})

	run("acknowledge an alert", func(t *testing.T) {
		b.open("/alerts")
		if n := evalIn[int](b, `document.querySelectorAll('article.alert').length`); n != 2 {
			t.Fatalf("%d open alerts on the board, want 2", n)
		}
		b.shot("04-alerts-open")
		card := `#alert-` + f.openHigh
		b.do(chromedp.SendKeys(chromedp.CSS(card+` input.comment`), "Связались с роддомом, готовим ответ"))
		if st := b.submit(card + ` button.ack`); st != 200 {
			t.Fatalf("acknowledge: %d", st)
		}
		if evalIn[int](b, `document.querySelectorAll('#alert-`+f.openHigh+`').length`) != 0 {
			t.Error("the acknowledged alert is still on the open tab")
		}
		a, err := f.st.Alert(context.Background(), f.openHigh)
		if err != nil || a.Status != store.StatusAcknowledged || a.AckedBy != "aigul" {
			t.Fatalf("stored alert: %+v %v", a, err)
		}
		ev, _ := f.st.AlertEvents(context.Background(), f.openHigh)
		if last := ev[len(ev)-1]; last.Comment != "Связались с роддомом, готовим ответ" || last.Actor != "aigul" {
			t.Errorf("last event: %+v", last)
		}
		b.open("/alerts?status=acknowledged")
		if txt := evalIn[string](b, `document.querySelector('#alert-`+f.openHigh+` .alert-foot').innerText`); !strings.Contains(txt, "aigul") {
			t.Errorf("acknowledged card: %q", txt)
		}
		b.shot("05-alerts-acknowledged")
		b.open("/alerts/" + f.openHigh)
		b.shot("06-alert-detail")
	})

	run("backtest a changed rule", func(t *testing.T) {
		b.open("/rules")
		b.shot("07-rules")
		b.submit(`#rule-medical-error-ru a.button`)
		if q := evalIn[string](b, `document.getElementById('query').value`); !strings.Contains(q, "@ru-staff") {
			t.Fatalf("editor query %q", q)
		}
		b.setValue("query", `(@ru-staff OR ветеринар*) AND халатность`)
		b.setValue("exclude", "")
		if st := b.submit(`#run-backtest`); st != 200 {
			t.Fatalf("backtest: %d", st)
		}
		if n := evalIn[string](b, `document.getElementById('bt-hits').textContent`); n != "3" {
			t.Errorf("backtest hits %s, want 3", n)
		}
		if y := evalIn[string](b, `document.getElementById('yaml').textContent`); !strings.Contains(y, "ветеринар*") || !strings.Contains(y, "- id: medical-error-ru") {
			t.Errorf("yaml: %s", y)
		}
		if evalIn[int](b, `document.querySelectorAll('.samples mark').length`) == 0 {
			t.Error("samples are not marked")
		}
		b.shot("08-backtest")

		// A bad query is shown with its position.
		b.setValue("query", `врач AND (халатность`)
		if st := b.submit(`#run-backtest`); st != 400 {
			t.Errorf("a bad query: %d", st)
		}
		if txt := evalIn[string](b, `document.querySelector('.query-error').innerText`); !strings.Contains(txt, "column 10") || !strings.Contains(txt, "^") {
			t.Errorf("the error shown: %q", txt)
		}
	})

	run("refuse a request without a CSRF token", func(t *testing.T) {
		b.open("/alerts")
		st := evalIn[int](b, `fetch('/api/alerts/`+f.openCritical+`/ack', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => r.status)`)
		if st != 403 {
			t.Errorf("ack without a CSRF token: %d", st)
		}
		// A form posted with a wrong token is refused too.
		b.do(chromedp.SetAttributeValue(chromedp.CSS(`#alert-`+f.openCritical+` input[name=csrf]`), "value", "forged"))
		if st := b.submit(`#alert-` + f.openCritical + ` button.ack`); st != 403 {
			t.Errorf("ack with a forged token: %d", st)
		}
		if a, _ := f.st.Alert(context.Background(), f.openCritical); a.Status != store.StatusOpen {
			t.Errorf("the alert changed: %s", a.Status)
		}
		// With the page's token the same request works.
		st = evalIn[int](b, `fetch('/api/alerts/`+f.openCritical+`/ack', {method: 'POST', headers: {'Content-Type': 'application/json',
			'X-CSRF-Token': document.querySelector('meta[name=csrf-token]')?.content || ''}, body: '{"comment": "ok"}'}).then(r => r.status)`)
		if st != 200 {
			t.Errorf("ack with the page's CSRF token: %d", st)
		}
	})

	run("switch to Kyrgyz", func(t *testing.T) {
		b.open("/sources")
		b.shot("09-sources")
		b.setValue("lang-select", "ky")
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('lang-select').dispatchEvent(new Event('change')), undefined`)); err != nil {
			t.Fatal(err)
		}
		if nav := evalIn[string](b, `document.querySelector('.tabs a').textContent`); nav != "Эскертүүлөр" {
			t.Errorf("nav after switching to Kyrgyz: %q", nav)
		}
		if p := b.path(); p != "/sources" {
			t.Errorf("after the switch at %s", p)
		}
		u, _ := f.st.UserByName(context.Background(), "aigul")
		if u.Lang != "ky" {
			t.Errorf("stored language %q", u.Lang)
		}
		b.open("/alerts?status=acknowledged")
		b.shot("10-alerts-kyrgyz")
	})
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
