package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"simulate/trace"
)

// chromium finds a Chromium or Chrome binary (SIMULATE_CHROMIUM names one),
// or "" if there is none.
func chromium() string {
	if p := os.Getenv("SIMULATE_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startBrowser starts headless Chromium and opens a blank tab in it. A
// browser that dies before it answers (seen on fresh CI machines: a
// container without the shared memory or the namespaces Chromium wants)
// is retried twice with a new profile; if it never starts, the test is
// skipped with Chromium's own words, because that says nothing about the
// viewer. SIMULATE_REQUIRE_BROWSER=1 turns that skip into a failure.
func startBrowser(t *testing.T, exe, dir string) context.Context {
	t.Helper()
	var lastErr error
	for attempt := range 3 {
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(filepath.Join(dir, fmt.Sprintf("profile-%d", attempt))),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-breakpad", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.WindowSize(1200, 800),
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		_, err := chromedp.Run(bctx, chromedp.Evaluate[string](`navigator.userAgent`))
		if err == nil {
			t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
			return bctx
		}
		cancelBrowser()
		cancelAlloc()
		cancel()
		lastErr = err
		t.Logf("attempt %d: %v", attempt+1, err)
	}
	if os.Getenv("SIMULATE_REQUIRE_BROWSER") == "" {
		t.Skipf("Chromium at %s did not start (%v): the viewer test needs a browser that runs here", exe, firstLine(lastErr.Error()))
	}
	require.NoError(t, lastErr)
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// violationTrace: n0 orders both lieutenants to attack, the order to n2 is
// lost, n1 relays, the two decide differently and the checker records the
// violation.
func violationTrace() trace.File {
	ev := func(i int, ms int64, kind string, from, to int, text string, id uint64, detail string) trace.Event {
		msg := ""
		if text != "" {
			msg = text[:strings.IndexByte(text, '{')]
		}
		return trace.Event{Type: "event", Index: i, Time: ms * 1000000, Kind: kind, From: from, To: to, Msg: msg, Text: text, MsgID: id, Detail: detail}
	}
	return trace.File{
		Header: trace.Header{Type: "header", Version: "test", Protocol: "generals", Seed: 7},
		Events: []trace.Event{
			ev(1, 0, "start", 0, 0, "", 0, ""),
			ev(2, 0, "start", 1, 1, "", 0, ""),
			ev(3, 0, "start", 2, 2, "", 0, ""),
			ev(4, 0, "send", 0, 1, "Order{attack}", 1, ""),
			ev(5, 0, "send", 0, 2, "Order{attack}", 2, ""),
			ev(6, 0, "drop", 0, 2, "Order{attack}", 2, "loss"),
			ev(7, 1, "deliver", 0, 1, "Order{attack}", 1, ""),
			ev(8, 1, "send", 1, 2, "Relay{attack}", 3, ""),
			ev(9, 2, "deliver", 1, 2, "Relay{attack}", 3, ""),
			ev(10, 2, "observe", 1, 1, "", 0, "decide[0]=attack"),
			ev(11, 3, "timer", 2, 2, "", 0, ""),
			ev(12, 3, "observe", 2, 2, "", 0, "decide[0]=retreat"),
			ev(13, 3, "observe", 2, 2, "", 0, "violation[0]=agreement: n1 decided attack, n2 retreat"),
			ev(14, 4, "crash", 0, 0, "", 0, ""),
		},
		Footer: trace.Footer{Type: "footer", Hash: "0123456789abcdef", End: 4000000, Reason: "quiescent"},
	}
}

// TestViewerInChromium opens the viewer from a file:// URL in headless
// Chromium, steps with the buttons and the arrow keys, filters, jumps to
// the violation and takes a screenshot.
func TestViewerInChromium(t *testing.T) {
	exe := chromium()
	if exe == "" {
		t.Skip("no Chromium found: install Debian's chromium package (apt-get install -y chromium) to run the HTML viewer test")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "run.html")
	require.NoError(t, os.WriteFile(page, []byte(trace.HTML(violationTrace())), 0o644))

	bctx := startBrowser(t, exe, dir)

	start := time.Now()
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(bctx, steps...))
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.ID(id)))
		require.NoError(t, err)
		return s
	}
	do(chromedp.Navigate("file://"+page), chromedp.WaitVisible(chromedp.ID("event-text")))
	require.Equal(t, "1", text("event-index"), "the viewer opens at the first event")

	// Three clicks on next: event #4, n0's first order.
	for range 3 {
		do(chromedp.Click(chromedp.ID("next")))
	}
	require.Equal(t, "4", text("event-index"))
	require.Contains(t, text("event-text"), "send")
	require.Contains(t, text("event-text"), "n0 -> n1  Order{attack}")

	// The arrow keys step too: right twice, left once → #5.
	do(chromedp.KeyEvent(kb.ArrowRight + kb.ArrowRight + kb.ArrowLeft))
	require.Equal(t, "5", text("event-index"))
	require.Contains(t, text("event-text"), "n0 -> n2  Order{attack}")
	do(chromedp.Click(chromedp.ID("prev")))
	require.Equal(t, "4", text("event-index"))

	// Filtering by node n2 hides n1's delivery of n0's order (#7): next
	// from #5 lands on the loss (#6), then on n1's relay to n2 (#8).
	do(chromedp.Click(chromedp.ID("next")),
		chromedp.SetValue(chromedp.ID("filter-node"), "2"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-node").dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.ID("next")))
	require.Equal(t, "6", text("event-index"))
	do(chromedp.Click(chromedp.ID("next")))
	require.Equal(t, "8", text("event-index"), "n0 -> n1 is filtered out")
	require.Contains(t, text("event-pos"), "in all)", "the position says events are hidden")

	// Filtering by message type Relay, with the node filter back to all.
	do(chromedp.SetValue(chromedp.ID("filter-node"), ""),
		chromedp.SetValue(chromedp.ID("filter-type"), "Relay"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-type").dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.ID("first")),
		chromedp.Click(chromedp.ID("next")), chromedp.Click(chromedp.ID("next")), chromedp.Click(chromedp.ID("next")))
	require.Equal(t, "8", text("event-index"), "from the three starts straight to the Relay: Order messages are skipped")

	// Jump to the violation from a view that hides it (node n0 only): the
	// filters are cleared and the violation is highlighted.
	do(chromedp.SetValue(chromedp.ID("filter-type"), ""),
		chromedp.SetValue(chromedp.ID("filter-node"), "0"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("filter-node").dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.ID("jump-violation")))
	filter, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("filter-node").value`))
	require.NoError(t, err)
	require.Equal(t, "", filter, "the node filter that hid the violation is cleared")
	require.Equal(t, "13", text("event-index"))
	require.Contains(t, text("event-text"), "violation[0]=agreement: n1 decided attack, n2 retreat")
	cls, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.ID("event-text"), "class"))
	require.NoError(t, err)
	require.Equal(t, "violation", cls.Value, "the violation is highlighted")
	cur, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS("#event-list li.current")))
	require.NoError(t, err)
	require.Contains(t, cur, "violation[0]", "and the list marks it")
	// "causal slice only" hides what did not lead to the violation: the
	// crash after it (#14) is not in its causal past, so last is #13; the
	// c key turns the box off again and last is #14.
	do(chromedp.Click(chromedp.ID("filter-slice")), chromedp.Click(chromedp.ID("last")))
	require.Equal(t, "13", text("event-index"), "the slice ends at the violation")
	require.Contains(t, text("event-pos"), "in all)", "the position says events are hidden")
	do(chromedp.KeyEvent("c"), chromedp.Click(chromedp.ID("last")))
	require.Equal(t, "14", text("event-index"), "with the box off the crash is back")
	do(chromedp.Click(chromedp.ID("jump-violation")))
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)

	shot := filepath.Join(dir, "viewer.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))
	require.Greater(t, len(png), 1000)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "a PNG")
	if out := os.Getenv("VIEWER_SCREENSHOT"); out != "" { // to look at it
		require.NoError(t, os.WriteFile(out, png, 0o644))
	}
	t.Logf("drove the viewer in %v; screenshot %s (%d bytes)", time.Since(start).Round(time.Millisecond), shot, len(png))
}
