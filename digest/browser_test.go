package digest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kuzot/config"
	"kuzot/digest"
)

// TestDigestInChromium renders the digest's HTML in headless Chromium,
// checks that the chart loads and nothing overflows a 700 px window, and
// keeps a screenshot in testdata/artifacts/ to look at.
func TestDigestInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs Debian's package")
		}
		t.Skip("chromium is not installed")
	}
	cfg := testConfig(t, config.SMTP{Host: "127.0.0.1", Port: 25}, "ru")
	fx := seed(t, cfg)
	r := runnerWith(t, fx, nil, digest.Options{})
	d, err := r.Preview(context.Background(), weekFrom, weekTo)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(t.TempDir(), "digest.html")
	if err := os.WriteFile(page, []byte(d.PreviewHTML), 0o644); err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(700, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page), chromedp.WaitReady("img")); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) int {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	chartWidth := eval(`document.querySelector('img').naturalWidth`)
	scrollWidth := eval(`document.documentElement.scrollWidth`)
	innerWidth := eval(`window.innerWidth`)
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if chartWidth == 0 {
		t.Error("the chart image did not load")
	}
	if scrollWidth > innerWidth {
		t.Errorf("the digest overflows: %d px wide in a %d px window", scrollWidth, innerWidth)
	}
	if title != "Еженедельная сводка упоминаний" {
		t.Errorf("title %q", title)
	}
	dir := filepath.Join("testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "digest-ru.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "chart-ru.png"), d.Chart, 0o644); err != nil {
		t.Fatal(err)
	}
}
