package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
)

// Colours of the HTML report's topology drawing (reports/html.go CSS):
// the fill and stroke of an element with a failing finding, and the fill of
// an element without one.
var (
	shotFailFill   = color.RGBA{0xff, 0xeb, 0xee, 0xff} // svg .fail rect fill
	shotFailStroke = color.RGBA{0xc6, 0x28, 0x28, 0xff} // --fail
	shotOKFill     = color.RGBA{0xe8, 0xf5, 0xe9, 0xff} // svg .ok rect fill
)

// Node boxes are 170×72 in the SVG (reports/html.go buildTopo); the page
// is rendered at device scale 1 and the SVG at its natural size.
const shotBoxW, shotBoxH = 170, 72

// TestHTMLScreenshotChromium renders the HTML report of
// cert-renewed-one-node in headless Chromium and checks the picture: the
// topology drawing is there, and the failing node SQLN2 — and only it — is
// drawn with the red fill and stroke. A second Chromium pass (--dump-dom)
// checks the DOM after the page's script ran. healthy-ag is the negative
// control: no red box at all.
//
// Set SSIS_HA_LINT_CHROMIUM to the chromium binary (Debian: apt-get install
// chromium; /usr/bin/chromium). The screenshots stay in a temporary
// directory (SSIS_HA_LINT_SCREENSHOT_DIR to choose it), printed in the log,
// for CI to keep as artifacts.
func TestHTMLScreenshotChromium(t *testing.T) {
	chromium := os.Getenv("SSIS_HA_LINT_CHROMIUM")
	if chromium == "" {
		t.Skip("set SSIS_HA_LINT_CHROMIUM to a chromium binary (apt-get install chromium; SSIS_HA_LINT_CHROMIUM=/usr/bin/chromium) to run the headless screenshot test")
	}
	goldenChdir(t)
	dir := os.Getenv("SSIS_HA_LINT_SCREENSHOT_DIR")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ssis-ha-lint-screenshot-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, _ = filepath.Abs(dir)
	t.Logf("screenshots and HTML in %s", dir)

	t.Run("cert-renewed-one-node", func(t *testing.T) {
		rep := goldenScan(t, "cert-renewed-one-node", policies.ProfileHA, "")
		page := filepath.Join(dir, "cert-renewed-one-node.html")
		html := goldenRender(t, "html", rep)
		for _, css := range []string{"--fail: #c62828", "svg .fail rect { fill: #ffebee; stroke: var(--fail)", "svg .ok rect { fill: #e8f5e9"} {
			if !strings.Contains(html, css) {
				t.Fatalf("the HTML report's CSS has no %q: update the colours at the top of this test to reports/html.go's", css)
			}
		}
		if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}

		// DOM after the scripts ran: the filter script filled the counter
		// (so the CSP let the inline script run), and SQLN2 is the only
		// node drawn as failing.
		dom := runChromium(t, chromium, dir, "--dump-dom", "file://"+filepath.ToSlash(page))
		if !regexp.MustCompile(`id="f-count"[^>]*>\d+ of \d+ shown<`).MatchString(dom) {
			t.Errorf("the report's script did not run (no \"N of M shown\" in #f-count)")
		}
		failing := regexp.MustCompile(`<g class="node fail[^"]*" data-node="([^"]+)"`).FindAllStringSubmatch(dom, -1)
		if len(failing) != 1 || failing[0][1] != "SQLN2" {
			t.Errorf("failing node boxes in the DOM: %v, want only SQLN2", failing)
		}
		nodes := regexp.MustCompile(`<g class="node [^"]*" data-node="([^"]+)"`).FindAllStringSubmatch(dom, -1)
		var order []string
		for _, n := range nodes {
			order = append(order, n[1])
		}

		shot := filepath.Join(dir, "cert-renewed-one-node.png")
		img := screenshot(t, chromium, dir, page, shot)
		t.Logf("screenshot: %s", shot)

		red := boxes(img, shotFailFill)
		green := boxes(img, shotOKFill)
		nodeBoxes := func(bs []rect) []rect {
			var out []rect
			for _, b := range bs {
				if near(b.w(), shotBoxW-3, 6) && near(b.h(), shotBoxH-3, 6) {
					out = append(out, b)
				}
			}
			return out
		}
		redNodes, greenNodes := nodeBoxes(red), nodeBoxes(green)
		if len(redNodes) != 1 {
			t.Fatalf("%d node-sized boxes with the failing fill #ffebee (want 1: SQLN2); red regions %v", len(redNodes), red)
		}
		box := redNodes[0]
		// The red stroke surrounds the red fill on all four sides.
		for _, p := range []image.Point{
			{(box.x0 + box.x1) / 2, box.y0 - 2}, {(box.x0 + box.x1) / 2, box.y1 + 1},
			{box.x0 - 2, (box.y0 + box.y1) / 2}, {box.x1 + 1, (box.y0 + box.y1) / 2},
		} {
			if c := rgba(img.At(p.X, p.Y)); c != shotFailStroke {
				t.Errorf("pixel %v next to the red box is %v, want the failing stroke %v", p, c, shotFailStroke)
			}
		}
		// Topology drawing: the master role, the AG, the cluster and four
		// nodes; the red box is the one at SQLN2's place in its row.
		if len(greenNodes) != 3 {
			t.Errorf("%d green node boxes, want 3 (SQLN1, WRK1, WRK2)", len(greenNodes))
		}
		if len(green) < 6 {
			t.Errorf("only %d green regions: the topology drawing is missing", len(green))
		}
		row := append([]rect{box}, greenNodes...)
		var inRow []rect
		for _, b := range row {
			if near(b.y0, box.y0, 3) {
				inRow = append(inRow, b)
			}
		}
		sort.Slice(inRow, func(i, j int) bool { return inRow[i].x0 < inRow[j].x0 })
		var clusterOrder []string // node boxes of the first row, in DOM order
		for _, n := range order {
			if strings.HasPrefix(n, "SQLN") {
				clusterOrder = append(clusterOrder, n)
			}
		}
		if len(inRow) != len(clusterOrder) {
			t.Fatalf("%d node boxes in the red box's row, %d cluster nodes in the DOM (%v)", len(inRow), len(clusterOrder), clusterOrder)
		}
		for i, b := range inRow {
			if b == box && clusterOrder[i] != "SQLN2" {
				t.Errorf("the red box is drawn where %s is, want SQLN2", clusterOrder[i])
			}
		}
		t.Logf("SQLN2 drawn red at x=%d..%d y=%d..%d (%d red px)", box.x0, box.x1, box.y0, box.y1, box.n)
	})

	t.Run("healthy-ag", func(t *testing.T) {
		rep := goldenScan(t, "healthy-ag", policies.ProfileHA, "")
		page := filepath.Join(dir, "healthy-ag.html")
		if err := os.WriteFile(page, []byte(goldenRender(t, "html", rep)), 0o644); err != nil {
			t.Fatal(err)
		}
		shot := filepath.Join(dir, "healthy-ag.png")
		img := screenshot(t, chromium, dir, page, shot)
		t.Logf("screenshot: %s", shot)
		if red := boxes(img, shotFailFill); len(red) != 0 {
			t.Errorf("healthy-ag has regions with the failing fill: %v", red)
		}
		if green := boxes(img, shotOKFill); len(green) < 7 {
			t.Errorf("healthy-ag: %d green regions, want the role, the AG, the cluster and 4 nodes", len(green))
		}
	})
}

// chromiumArgs are the flags of every run: no network, no profile, no GPU.
func chromiumArgs(profile string) []string {
	return []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile, "--hide-scrollbars", "--force-device-scale-factor=1",
	}
}

func runChromium(t *testing.T, chromium, dir string, args ...string) string {
	t.Helper()
	profile, err := os.MkdirTemp(dir, "profile-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, append(chromiumArgs(profile), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", chromium, args, err, tail(stderr.String(), 2000))
	}
	return stdout.String()
}

// screenshot renders page at 1400×1800 into shot and decodes it.
func screenshot(t *testing.T, chromium, dir, page, shot string) image.Image {
	t.Helper()
	os.Remove(shot)
	runChromium(t, chromium, dir, "--screenshot="+shot, "--window-size=1400,1800", "file://"+filepath.ToSlash(page))
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", shot, err)
	}
	if b := img.Bounds(); b.Dx() != 1400 || b.Dy() != 1800 {
		t.Fatalf("screenshot is %v, want 1400×1800", b)
	}
	return img
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func near(a, b, tol int) bool { return a-b <= tol && b-a <= tol }

// rect is the bounding box [x0,x1)×[y0,y1) of a connected region of one
// colour, and its pixel count.
type rect struct{ x0, y0, x1, y1, n int }

func (r rect) w() int { return r.x1 - r.x0 }
func (r rect) h() int { return r.y1 - r.y0 }

func (r rect) String() string { return fmt.Sprintf("%dx%d@%d,%d", r.w(), r.h(), r.x0, r.y0) }

// boxes returns the bounding boxes of the 4-connected regions of exactly
// colour c with at least 400 pixels (text antialiasing never makes such
// regions), top to bottom, left to right.
func boxes(img image.Image, c color.RGBA) []rect {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	match := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			match[y*w+x] = rgba(img.At(b.Min.X+x, b.Min.Y+y)) == c
		}
	}
	seen := make([]bool, w*h)
	var out []rect
	var stack []int
	for i := range match {
		if !match[i] || seen[i] {
			continue
		}
		r := rect{x0: w, y0: h}
		seen[i] = true
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := p%w, p/w
			r.n++
			r.x0, r.y0 = min(r.x0, x), min(r.y0, y)
			r.x1, r.y1 = max(r.x1, x+1), max(r.y1, y+1)
			for _, q := range []int{p - 1, p + 1, p - w, p + w} {
				if q < 0 || q >= len(match) || seen[q] || !match[q] {
					continue
				}
				if (q == p-1 && x == 0) || (q == p+1 && x == w-1) {
					continue
				}
				seen[q] = true
				stack = append(stack, q)
			}
		}
		if r.n >= 400 {
			out = append(out, r)
		}
	}
	return out
}
