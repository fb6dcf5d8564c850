package e2e

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// saveApp writes one app's results to dir/<app>.json.
func saveApp(a *app, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, a.Name+".json"), append(data, '\n'), 0o644)
}

// loadApps reads every app's saved results, in name order.
func loadApps(dir string) ([]*app, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var apps []*app
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		a := new(app)
		if err := json.Unmarshal(data, a); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		apps = append(apps, a)
	}
	return apps, nil
}

// writeResults writes the size table (Markdown) and a bar chart (SVG).
func writeResults(apps []*app, mdPath, svgPath string, took time.Duration) error {
	if err := os.WriteFile(mdPath, []byte(resultsMarkdown(apps, took)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(svgPath, []byte(sizesSVG(apps)), 0o644)
}

func resultsMarkdown(apps []*app, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# e2e results\n\n")
	fmt.Fprintf(&b, "Written by `DFSLIM_E2E=1 go test ./e2e` on %s from results/*.json (one file per app, kept\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "from the app's last run; this write took %s). Sizes are uncompressed image sizes\n", took.Round(time.Second))
	fmt.Fprintf(&b, "on local stand-ins of the base images (e2e/setup.sh), so they compare the images with each other,\n")
	fmt.Fprintf(&b, "not with the registry's. \"same\" means the image passed the app's behaviour check (testdata/e2e/<app>/e2e.json).\n\n")
	fmt.Fprintf(&b, "![image sizes](sizes.svg)\n\n")
	fmt.Fprintf(&b, "| app | flavour | original | rewrite | expert | rewrite / expert | rewrite / original | behaviour same? | shell | user |\n")
	fmt.Fprintf(&b, "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |\n")
	for _, a := range apps {
		orig, expert := a.variant("original"), a.variant("expert")
		for _, fl := range flavours {
			name := fl.name
			v := a.variant(name)
			if v == nil {
				continue
			}
			same := "yes"
			if !v.Same || orig == nil || !orig.Same {
				same = "**no**"
			}
			shell := v.Shell
			if shell == "" {
				shell = "none"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", a.Name, name,
				size(orig), size(v), size(expert), ratio(v, expert), ratio(v, orig), same, shell, orEmpty(v.User, "root"))
		}
	}
	for _, a := range apps {
		for _, s := range a.Skipped {
			fmt.Fprintf(&b, "\n- %s, not rewritten for %s", a.Name, html.EscapeString(s))
		}
	}
	b.WriteString("\n")
	return b.String()
}

func size(v *variant) string {
	if v == nil || v.Size == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", mb(v.Size))
}

func ratio(v, of *variant) string {
	if v == nil || of == nil || v.Size == 0 || of.Size == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", float64(v.Size)/float64(of.Size))
}

func orEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sizesSVG draws one group of horizontal bars per app: original, distroless
// rewrite, Chainguard rewrite and expert, on a common linear scale.
func sizesSVG(apps []*app) string {
	series := []struct{ name, colour string }{
		{"original", "#9e9e9e"}, {"distroless", "#1a73e8"}, {"chainguard", "#7b3fe4"}, {"scratch", "#e8710a"}, {"expert", "#2e7d32"},
	}
	var max int64
	for _, a := range apps {
		for _, v := range a.Variants {
			if v.Size > max {
				max = v.Size
			}
		}
	}
	if max == 0 {
		max = 1
	}
	const left, barW, barH, gap, top = 110, 520, 12, 14, 40
	groupH := len(series)*barH + gap
	height := top + len(apps)*groupH + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", left+barW+90, height)
	fmt.Fprintf(&b, `<text x="4" y="16" font-size="13">Image size, MB (uncompressed, stand-in bases)</text>`+"\n")
	for i, s := range series {
		fmt.Fprintf(&b, `<rect x="%d" y="24" width="10" height="10" fill="%s"/><text x="%d" y="33">%s</text>`+"\n", left+i*110, s.colour, left+i*110+14, s.name)
	}
	for i, a := range apps {
		y := top + i*groupH
		fmt.Fprintf(&b, `<text x="4" y="%d">%s</text>`+"\n", y+2*barH, html.EscapeString(a.Name))
		for j, s := range series {
			v := a.variant(s.name)
			if v == nil || v.Size == 0 {
				continue
			}
			w := int(float64(barW) * float64(v.Size) / float64(max))
			if w < 1 {
				w = 1
			}
			by := y + j*barH
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`, left, by, w, barH-2, s.colour)
			fmt.Fprintf(&b, `<text x="%d" y="%d">%.1f</text>`+"\n", left+w+4, by+barH-3, mb(v.Size))
		}
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// TestResultsRendering checks the table and the chart on made-up sizes, so
// that the report code is tested on every run, not only with buildah.
func TestResultsRendering(t *testing.T) {
	a := &app{Name: "go-http", Compiled: true, Variants: []*variant{
		{Name: "original", Size: 700e6, Same: true, Shell: "/bin/sh"},
		{Name: "expert", Size: 10e6, Same: true},
		{Name: "distroless", Size: 10.5e6, Same: true, User: "65532:65532"},
		{Name: "chainguard", Size: 9e6, Same: false, User: "65532:65532"},
		{Name: "scratch", Size: 8e6, Same: true, User: "65532:65532"},
	}}
	md := resultsMarkdown([]*app{a}, time.Minute)
	for _, want := range []string{
		"| go-http | distroless | 700.0 MB | 10.5 MB | 10.0 MB | 1.05× | 0.01× | yes | none | 65532:65532 |",
		"| go-http | chainguard | 700.0 MB | 9.0 MB | 10.0 MB | 0.90× | 0.01× | **no** | none | 65532:65532 |",
		"| go-http | scratch | 700.0 MB | 8.0 MB | 10.0 MB | 0.80× | 0.01× | yes | none | 65532:65532 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	dir := t.TempDir()
	if err := saveApp(a, dir); err != nil {
		t.Fatal(err)
	}
	back, err := loadApps(dir)
	if err != nil || len(back) != 1 || resultsMarkdown(back, time.Minute) != md {
		t.Errorf("results do not survive saving and loading: %v", err)
	}
	svg := sizesSVG([]*app{a})
	if !strings.HasPrefix(svg, "<svg") || strings.Count(svg, "<rect") != 5+5 || !strings.Contains(svg, ">700.0</text>") {
		t.Errorf("chart:\n%s", svg)
	}
}
