package analysis

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footprint-dev/footprint/analysis/analysistest"
)

// chromium finds the browser for the rendering test. The test fails, not
// skips, without one unless FOOTPRINT_SKIP_BROWSER=1 says so explicitly.
func chromium(t *testing.T) string {
	t.Helper()
	if os.Getenv("FOOTPRINT_SKIP_BROWSER") == "1" {
		t.Skip("FOOTPRINT_SKIP_BROWSER=1")
	}
	if p := os.Getenv("FOOTPRINT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium found: install the Debian package chromium (apt-get install -y chromium), set FOOTPRINT_CHROMIUM, or set FOOTPRINT_SKIP_BROWSER=1 to skip this test")
	return ""
}

// TestReportRendersInChromium writes the HTML report for the fixture, opens
// it in headless Chromium and checks that the script drew both charts: one
// stacked segment per actor and hour with calls, one cost bar per actor.
func TestReportRendersInChromium(t *testing.T) {
	t.Parallel()
	bin := chromium(t)
	ctx := context.Background()
	st := analysistest.Store(t)
	addScan(t, st.DB)
	d, err := BuildReport(ctx, st.DB, ReportOptions{Rules: BuiltinRules(), Now: analysistest.End,
		Stop: &StopOptions{Actor: "defender-for-cloud", Standard: "fsbp", At: analysistest.SwitchAt}})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := d.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, bad := range []string{"http://", "https://", "src=", "@import", "url("} {
		for _, line := range strings.Split(page, "\n") {
			if strings.Contains(line, bad) && !strings.Contains(line, "http://www.w3.org/2000/svg") && !strings.Contains(line, `"user_agent"`) && !strings.Contains(line, "terraform") {
				t.Errorf("report refers to something outside itself (%s): %.160s", bad, line)
			}
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	if !regexp.MustCompile(`<body[^>]*data-charts-rendered="2"`).MatchString(dom) {
		t.Fatalf("charts not rendered (body: %.300s)", dom[strings.Index(dom, "<body"):])
	}
	wantSegs := 0
	for _, series := range d.Hourly {
		for _, v := range series {
			if v > 0 {
				wantSegs++
			}
		}
	}
	if got := strings.Count(dom, `class="hour-seg"`); got != wantSegs || wantSegs == 0 {
		t.Errorf("%d hourly segments drawn, want %d", got, wantSegs)
	}
	if got, want := strings.Count(dom, `class="cost-bar"`), len(d.CostBars); got != want || want != len(analysistest.Actors(mustOps(t))) {
		t.Errorf("%d cost bars drawn, want %d (one per actor)", got, want)
	}
	if got, want := strings.Count(dom, `<table class="top-ops">`), len(d.Actors); got != want {
		t.Errorf("%d top-operation tables, want %d", got, want)
	}
	for _, s := range []string{`id="stop-verdict">continued<`, `id="scans"`, `>s1<`} {
		if !strings.Contains(dom, s) {
			t.Errorf("verification results lack %q", s)
		}
	}
	// the legend names every actor
	for _, a := range d.Actors {
		if !strings.Contains(dom, a) {
			t.Errorf("actor %s not shown", a)
		}
	}
}

func mustOps(t *testing.T) analysistest.Ops {
	t.Helper()
	o, err := analysistest.CatalogOps()
	if err != nil {
		t.Fatal(err)
	}
	return o
}
