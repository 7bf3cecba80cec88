package reports

import (
	"fmt"
	"io"
	"strings"
)

// TextFormatter renders the human-readable terminal report: failures grouped
// by severity then rule (one line per failing subject), then unknown and
// waived results, then the summary line
// ("4 failed, 2 unknown, 51 passed, 1 waived — exit 1").
//
// Values from the facts (node names, messages) are printed with control
// characters escaped, so they cannot drive the terminal.
type TextFormatter struct {
	// Color adds ANSI colours. The caller decides (a TTY, and NO_COLOR unset).
	Color bool
	// Quiet prints the summary line alone.
	Quiet bool
}

// Name implements Formatter.
func (*TextFormatter) Name() string { return "text" }

const (
	ansiReset   = "\x1b[0m"
	ansiBold    = "\x1b[1m"
	ansiDim     = "\x1b[2m"
	ansiRed     = "\x1b[31m"
	ansiGreen   = "\x1b[32m"
	ansiYellow  = "\x1b[33m"
	ansiMagenta = "\x1b[35m"
	ansiCyan    = "\x1b[36m"
	ansiBoldRed = "\x1b[1;31m"
	ansiInverse = "\x1b[1;7;33m"
)

func (f *TextFormatter) paint(code, s string) string {
	if !f.Color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func severityColor(sev string) string {
	switch strings.ToLower(sev) {
	case "critical":
		return ansiBoldRed
	case "high":
		return ansiRed
	case "medium":
		return ansiYellow
	case "low":
		return ansiCyan
	default:
		return ansiDim
	}
}

// Write implements Formatter.
func (f *TextFormatter) Write(w io.Writer, r *Report) error {
	var b strings.Builder
	if !f.Quiet {
		f.body(&b, r)
	}
	line := summaryLine(r)
	if r.ExitCode != 0 {
		line = f.paint(ansiBoldRed, line)
	} else {
		line = f.paint(ansiGreen, line)
	}
	b.WriteString(line)
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (f *TextFormatter) body(b *strings.Builder, r *Report) {
	// Header.
	head := r.Tool.Name
	if head == "" {
		head = ToolName
	}
	if r.Tool.Version != "" {
		head += " " + r.Tool.Version
	}
	parts := []string{head}
	if r.Deployment.Name != "" {
		d := "deployment " + r.Deployment.Name
		if r.Deployment.Variant != "" {
			d += " (" + r.Deployment.Variant + ")"
		}
		parts = append(parts, d)
	}
	if r.Profile != "" {
		parts = append(parts, "profile "+r.Profile)
	}
	if r.Bundle.Path != "" {
		bp := "bundle " + r.Bundle.Path
		if r.Bundle.CreatedUTC != "" {
			bp += " (" + r.Bundle.CreatedUTC + ")"
		}
		parts = append(parts, bp)
	}
	fmt.Fprintf(b, "%s\n\n", f.paint(ansiBold, cleanLine(strings.Join(parts, " · "))))

	if r.Partial {
		fmt.Fprintf(b, "%s\n\n", f.paint(ansiInverse,
			"*** PARTIAL COLLECTION: some nodes or instances were not collected; results are incomplete (unknown is not pass) ***"))
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(b, "%s\n", f.paint(ansiYellow, fmt.Sprintf("WARNINGS (%d)", len(r.Warnings))))
		for _, wn := range r.Warnings {
			fmt.Fprintf(b, "  ! %s\n", cleanLine(wn))
		}
		b.WriteString("\n")
	}

	results := sortForDisplay(r.Results)
	fails := filterStatus(results, StatusFail)
	unknowns := filterStatus(results, StatusUnknown)
	waived := filterStatus(results, StatusWaived)

	f.results(b, r, ansiBoldRed, fmt.Sprintf("FAILED (%d)", len(fails)), fails, "x", true, func(res Result) []string {
		var det []string
		if hasValue(res.Observed) || hasValue(res.Expected) {
			det = append(det, "observed "+cleanLine(valueString(res.Observed))+", expected "+cleanLine(valueString(res.Expected)))
		}
		if id := fixID(res); id != "" {
			det = append(det, "fix "+cleanLine(id))
		}
		if res.Waiver != nil && res.Waiver.Expired {
			det = append(det, "waiver EXPIRED "+cleanLine(res.Waiver.Expires)+": "+cleanLine(res.Waiver.Reason))
		}
		return det
	})
	f.results(b, r, ansiMagenta, fmt.Sprintf("UNKNOWN (%d) — could not be checked; unknown is not pass", len(unknowns)), unknowns, "?", false, func(res Result) []string {
		if len(res.Missing) > 0 && !mentionsAll(res.Message, res.Missing) {
			return []string{"missing: " + cleanLine(strings.Join(res.Missing, "; "))}
		}
		return nil
	})
	f.results(b, r, ansiDim, fmt.Sprintf("WAIVED (%d)", len(waived)), waived, "~", false, func(res Result) []string {
		if res.Waiver != nil {
			return []string{"waived: " + cleanLine(waiverString(res.Waiver))}
		}
		return nil
	})

	if p := r.Upgrade; p != nil && len(p.Steps) > 0 {
		fmt.Fprintf(b, "%s\n", f.paint(ansiBold, cleanLine(strings.ToUpper(upgradeHeading(p)))))
		for _, st := range p.Steps {
			fmt.Fprintf(b, "\n  %d. %s\n", st.N, f.paint(ansiBold, cleanLine(st.Title)))
			for _, d := range st.Detail {
				fmt.Fprintf(b, "     %s\n", cleanLine(d))
			}
			if st.Source != "" || st.DocURL != "" {
				fmt.Fprintf(b, "     %s\n", f.paint(ansiDim, cleanLine(strings.TrimSpace("["+st.Source+"] "+st.DocURL))))
			}
		}
		b.WriteString("\n")
	}
}

// results prints one section of results (nothing when there are none): the
// heading, then the results grouped by rule (under a severity heading at
// each change of severity when bySeverity), one line each:
// "    <mark> subject — message  (detail; detail)".
func (f *TextFormatter) results(b *strings.Builder, r *Report, color, heading string, results []Result, mark string, bySeverity bool, detail func(Result) []string) {
	if len(results) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\n", f.paint(color, heading))
	sev := ""
	for _, g := range groupByRule(results) {
		if s := strings.ToLower(g.Results[0].Severity); bySeverity && s != sev {
			sev = s
			fmt.Fprintf(b, "\n%s\n", f.paint(severityColor(s), strings.ToUpper(s)))
		}
		f.ruleHeader(b, r, g)
		for _, res := range g.Results {
			line := "    " + mark + " " + cleanLine(subjectLabel(res.Subject)) + " — " + cleanLine(res.Message)
			if det := detail(res); len(det) > 0 {
				line += "  (" + strings.Join(det, "; ") + ")"
			}
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\n")
}

// ruleHeader prints "  [SEVERITY] RULE-ID  Title  [source]  doc-url".
func (f *TextFormatter) ruleHeader(b *strings.Builder, r *Report, g ruleGroup) {
	res := g.Results[0]
	m := ruleMeta(r, res)
	line := "  "
	if res.Status != StatusFail {
		line += f.paint(severityColor(res.Severity), strings.ToLower(res.Severity)) + "  "
	}
	line += f.paint(ansiBold, cleanLine(g.Rule))
	if m.Title != "" {
		line += "  " + cleanLine(m.Title)
	}
	if m.Source != "" {
		line += "  [" + cleanLine(m.Source) + "]"
	}
	if m.DocURL != "" && res.Status == StatusFail {
		line += "  " + f.paint(ansiDim, cleanLine(m.DocURL))
	}
	b.WriteString(line + "\n")
}
