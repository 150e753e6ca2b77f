package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kuzot/config"
	"kuzot/store"
)

// TestDemo runs `kuzot demo` twenty times faster than life: within a
// minute of the first crisis article an alert is raised, the terminal says
// so, and the demo login opens the alerts board in Chromium.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole service for about half a minute")
	}
	cfg, err := config.LoadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	var out syncBuffer
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, &app{cfg: cfg}, demoOptions{Listen: addr, Pace: 20, Dir: dir, Out: &out,
			Ready: func(_, pw string) { ready <- pw }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	}()
	password := <-ready

	// The first crisis is published 20 s (1 s at this pace) after the start.
	deadline := time.Now().Add(60 * time.Second)
	var alerts []*store.Alert
	for time.Now().Before(deadline) {
		if st, err := store.Open(ctx, filepath.Join(dir, "data", "kuzot.db")); err == nil {
			alerts, _ = st.Alerts(ctx, store.AlertFilter{})
			st.Close()
		}
		if len(alerts) > 0 && strings.Contains(out.String(), "ALERT ") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(alerts) == 0 {
		t.Fatalf("no alert within a minute; the demo printed:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Login  demo / "+password) || !strings.Contains(out.String(), "published on kaktus.demo") {
		t.Errorf("the demo's terminal output:\n%s", out.String())
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium on PATH; .ci/run installs Debian's chromium")
		}
		t.Skip("no chromium on PATH; the browser part of the demo test is skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1366, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 40*time.Second)
	defer cancelT()
	if _, err := chromedp.Run(bctx, chromedp.NavigateResponse("http://"+addr+"/alerts")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.SendKeys(chromedp.ID("name"), "demo"), chromedp.SendKeys(chromedp.ID("password"), password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form button[type=submit]`))); err != nil {
		t.Fatal(err)
	}
	board, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(board, alerts[len(alerts)-1].Title) {
		t.Errorf("the alerts board does not show %q:\n%s", alerts[len(alerts)-1].Title, board)
	}
	os.MkdirAll("testdata/artifacts", 0o755)
	if err := os.WriteFile("testdata/artifacts/demo-alerts.png", shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
