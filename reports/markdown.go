package reports

import (
	"fmt"
	"io"
	"net/url"
	"strings"
)

// MarkdownFormatter writes GitHub-flavoured Markdown for
// $GITHUB_STEP_SUMMARY and pull-request comments: the summary line, a table
// of fail/unknown/waived counts by severity, the failing rules with their
// subjects, observed/expected and fix ids, the unknown results with what was
// missing, the waived results, and the warnings. Every value from the facts
// is escaped (a '|' cannot break a table, a node name cannot inject markup).
type MarkdownFormatter struct{}

// Name implements Formatter.
func (*MarkdownFormatter) Name() string { return "markdown" }

// Write implements Formatter.
func (*MarkdownFormatter) Write(w io.Writer, r *Report) error {
	var b strings.Builder
	title := ToolName
	if r.Deployment.Name != "" {
		title += " — " + mdEscape(r.Deployment.Name)
		if r.Deployment.Variant != "" {
			title += " (" + mdEscape(r.Deployment.Variant) + ")"
		}
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	var meta []string
	if r.Profile != "" {
		meta = append(meta, "profile `"+mdCode(r.Profile)+"`")
	}
	if r.Tool.Version != "" {
		meta = append(meta, "ssis-ha-lint "+mdEscape(r.Tool.Version))
	}
	if r.Bundle.Path != "" {
		meta = append(meta, "bundle `"+mdCode(r.Bundle.Path)+"`")
	}
	if r.Bundle.CreatedUTC != "" {
		meta = append(meta, "collected "+mdEscape(r.Bundle.CreatedUTC))
	}
	if r.FailOn != "" {
		meta = append(meta, "fail on `"+mdCode(r.FailOn)+"`")
	}
	if len(meta) > 0 {
		fmt.Fprintf(&b, "%s\n\n", strings.Join(meta, " · "))
	}
	if r.Partial {
		b.WriteString("> **PARTIAL COLLECTION**: some nodes or instances were not collected; the results are incomplete (unknown is not pass).\n\n")
	}
	fmt.Fprintf(&b, "**%s**\n\n", mdEscape(summaryLine(r)))

	// Counts by severity.
	type counts struct{ fail, unknown, waived int }
	bySev := map[string]*counts{}
	var sevs []string
	for _, s := range Severities {
		bySev[s] = &counts{}
		sevs = append(sevs, s)
	}
	for _, res := range r.Results {
		s := strings.ToLower(res.Severity)
		c := bySev[s]
		if c == nil {
			c = &counts{}
			bySev[s] = c
			sevs = append(sevs, s)
		}
		switch res.Status {
		case StatusFail:
			c.fail++
		case StatusUnknown:
			c.unknown++
		case StatusWaived:
			c.waived++
		}
	}
	b.WriteString("| Severity | Failed | Unknown | Waived |\n|---|---:|---:|---:|\n")
	var tot counts
	for _, s := range sevs {
		c := bySev[s]
		tot.fail += c.fail
		tot.unknown += c.unknown
		tot.waived += c.waived
		if c.fail+c.unknown+c.waived == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", mdEscape(s), c.fail, c.unknown, c.waived)
	}
	fmt.Fprintf(&b, "| **total** | **%d** | **%d** | **%d** |\n\n", tot.fail, tot.unknown, tot.waived)

	results := sortForDisplay(r.Results)
	if fails := filterStatus(results, StatusFail); len(fails) > 0 {
		b.WriteString("### Failing rules\n\n")
		for _, g := range groupByRule(fails) {
			res := g.Results[0]
			m := ruleMeta(r, res)
			fmt.Fprintf(&b, "#### %s · `%s` — %s\n\n", mdEscape(strings.ToLower(res.Severity)), mdCode(g.Rule), mdEscape(m.Title))
			if ref := mdLink(m.Source, m.DocURL); ref != "" {
				fmt.Fprintf(&b, "Reference: %s\n\n", ref)
			}
			b.WriteString("| Node | Object | Message | Observed | Expected | Fix |\n|---|---|---|---|---|---|\n")
			for _, res := range g.Results {
				msg := mdEscape(res.Message)
				if res.Waiver != nil && res.Waiver.Expired {
					msg += " (waiver expired: " + mdEscape(waiverString(res.Waiver)) + ")"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
					mdEscape(nodeLabel(res.Subject)), mdCodeCell(res.Subject.Object), msg,
					mdValue(res.Observed), mdValue(res.Expected), mdCodeCell(fixID(res)))
			}
			b.WriteString("\n")
		}
	}

	if unk := filterStatus(results, StatusUnknown); len(unk) > 0 {
		b.WriteString("### Unknown (could not be checked)\n\n")
		b.WriteString("| Severity | Rule | Node | Object | Missing |\n|---|---|---|---|---|\n")
		for _, res := range unk {
			missing := res.Message
			if len(res.Missing) > 0 {
				missing = strings.Join(res.Missing, "; ")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEscape(strings.ToLower(res.Severity)), mdCodeCell(res.Rule),
				mdEscape(nodeLabel(res.Subject)), mdCodeCell(res.Subject.Object), mdEscape(missing))
		}
		b.WriteString("\n")
	}

	if wv := filterStatus(results, StatusWaived); len(wv) > 0 {
		b.WriteString("### Waived\n\n")
		b.WriteString("| Severity | Rule | Node | Reason | Owner | Expires |\n|---|---|---|---|---|---|\n")
		for _, res := range wv {
			var reason, owner, expires string
			if res.Waiver != nil {
				reason, owner, expires = res.Waiver.Reason, res.Waiver.Owner, res.Waiver.Expires
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdEscape(strings.ToLower(res.Severity)), mdCodeCell(res.Rule),
				mdEscape(nodeLabel(res.Subject)), mdEscape(reason), mdEscape(owner), mdEscape(expires))
		}
		b.WriteString("\n")
	}

	if len(r.Warnings) > 0 {
		b.WriteString("### Warnings\n\n")
		for _, wn := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", mdEscape(wn))
		}
		b.WriteString("\n")
	}

	if p := r.Upgrade; p != nil && len(p.Steps) > 0 {
		fmt.Fprintf(&b, "### %s\n\n", mdEscape(upgradeHeading(p)))
		for _, st := range p.Steps {
			fmt.Fprintf(&b, "%d. **%s**\n", st.N, mdEscape(st.Title))
			for _, d := range st.Detail {
				// "  - X" lines are sub-items of the line above.
				if rest, ok := strings.CutPrefix(d, "  - "); ok {
					fmt.Fprintf(&b, "     - %s\n", mdEscape(rest))
					continue
				}
				fmt.Fprintf(&b, "   - %s\n", mdEscape(d))
			}
			if ref := mdLink(st.Source, st.DocURL); ref != "" {
				fmt.Fprintf(&b, "   - Reference: %s\n", ref)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// nodeLabel is the node (and instance) of a subject, or its kind.
func nodeLabel(s Subject) string {
	switch {
	case s.Node != "" && s.Instance != "" && s.Instance != s.Node:
		return s.Node + " [" + s.Instance + "]"
	case s.Node != "":
		return s.Node
	case s.Instance != "":
		return s.Instance
	case s.Kind != "":
		return "(" + s.Kind + ")"
	}
	return "(deployment)"
}

// mdCodeCell is a code span, or nothing for an empty value.
func mdCodeCell(s string) string {
	if s == "" {
		return ""
	}
	return "`" + mdCode(s) + "`"
}

// mdValue renders an observed/expected value in a table cell.
func mdValue(v any) string {
	if v == nil {
		return ""
	}
	return mdCodeCell(valueString(v))
}

// mdLink renders [text](url) for an http(s) URL, else the escaped text.
func mdLink(text, link string) string {
	u, err := url.Parse(link)
	if link == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return mdEscape(text)
	}
	if text == "" {
		text = link
	}
	return "[" + mdEscape(text) + "](" + safeURL(u) + ")"
}

// safeURL re-encodes a URL so that it cannot close a Markdown link or an
// HTML attribute: spaces, parentheses, quotes and angle brackets are
// percent-encoded.
func safeURL(u *url.URL) string {
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", `"`, "%22", "'", "%27", "`", "%60", "|", "%7C", "\\", "%5C").Replace(u.String())
}
