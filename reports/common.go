package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// ToolName is the value of tool.name in every findings document.
const ToolName = "ssis-ha-lint"

// DefaultInformationURI is the project page (SARIF driver.informationUri).
const DefaultInformationURI = "https://github.com/ssis-ha-lint/ssis-ha-lint"

// severityRank orders severities, most severe first; unknown severities sort
// after info.
func severityRank(s string) int {
	for i, v := range Severities {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return len(Severities)
}

// sortForDisplay returns the results (the caller's order kept inside each
// group) ordered by severity, then rule id.
func sortForDisplay(in []Result) []Result {
	out := append([]Result(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := severityRank(out[i].Severity), severityRank(out[j].Severity)
		if si != sj {
			return si < sj
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// filterStatus returns the results with the given status, in order.
func filterStatus(in []Result, status string) []Result {
	var out []Result
	for _, r := range in {
		if r.Status == status {
			out = append(out, r)
		}
	}
	return out
}

// ruleGroup is the results of one rule, in order.
type ruleGroup struct {
	Rule    string
	Results []Result
}

// groupByRule groups consecutive results by rule (input sorted by rule
// inside a severity, as sortForDisplay returns).
func groupByRule(in []Result) []ruleGroup {
	var out []ruleGroup
	for _, r := range in {
		if n := len(out); n > 0 && out[n-1].Rule == r.Rule {
			out[n-1].Results = append(out[n-1].Results, r)
			continue
		}
		out = append(out, ruleGroup{Rule: r.Rule, Results: []Result{r}})
	}
	return out
}

// ruleMeta returns the metadata of a rule, falling back on what a result of
// that rule carries when the report has no entry for it.
func ruleMeta(rep *Report, res Result) RuleMeta {
	m, ok := rep.Rules[res.Rule]
	if !ok {
		m = RuleMeta{ID: res.Rule}
	}
	if m.ID == "" {
		m.ID = res.Rule
	}
	if m.Title == "" {
		m.Title = res.Title
	}
	if m.Severity == "" {
		m.Severity = res.Severity
	}
	if m.Source == "" {
		m.Source = res.Source
	}
	if m.DocURL == "" {
		m.DocURL = res.DocURL
	}
	if m.Fix == "" && res.Fix != nil {
		m.Fix = res.Fix.ID
	}
	return m
}

// ruleTitle is the rule's title (report metadata first), else its id.
func ruleTitle(rep *Report, res Result) string {
	if t := ruleMeta(rep, res).Title; t != "" {
		return t
	}
	return res.Rule
}

// Family is the rule family of a rule: RuleMeta.Family when set, else the id
// prefix before the first '-' (MASTER, WRK, CLUSTER, AG, LOG, CAT, ...).
func Family(id string, meta RuleMeta) string {
	if meta.Family != "" {
		return strings.ToUpper(meta.Family)
	}
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	if id == "" {
		return "OTHER"
	}
	return id
}

// subjectLabel names a subject on one line: "NODE [INSTANCE] OBJECT".
func subjectLabel(s Subject) string {
	var parts []string
	if s.Node != "" {
		parts = append(parts, s.Node)
	}
	if s.Instance != "" && s.Instance != s.Node {
		parts = append(parts, "["+s.Instance+"]")
	}
	if s.Object != "" {
		parts = append(parts, s.Object)
	}
	if len(parts) == 0 {
		if s.Kind != "" {
			return "(" + s.Kind + ")"
		}
		return "(deployment)"
	}
	return strings.Join(parts, " ")
}

// valueString renders an observed/expected value compactly: JSON, without
// HTML escaping ("9F1E..." quoted, numbers bare, null for nil).
func valueString(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	return strings.TrimRight(b.String(), "\n")
}

// hasValue reports whether observed/expected carry anything worth printing.
func hasValue(v any) bool { return v != nil }

// fixID returns the result's fix id, or "".
func fixID(r Result) string {
	if r.Fix == nil {
		return ""
	}
	return r.Fix.ID
}

// firstEvidence returns the result's first evidence, or a zero value.
func firstEvidence(r Result) Evidence {
	if len(r.Evidence) == 0 {
		return Evidence{}
	}
	return r.Evidence[0]
}

// evidenceString renders an evidence pointer: artifact[#key][:line].
func evidenceString(e Evidence) string {
	s := e.Artifact
	if e.Key != "" {
		s += "#" + e.Key
	}
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	return s
}

// waiverString renders a waiver: reason (owner, expires DATE[, EXPIRED]).
func waiverString(w *Waiver) string {
	if w == nil {
		return ""
	}
	var meta []string
	if w.Owner != "" {
		meta = append(meta, "owner "+w.Owner)
	}
	if w.Expires != "" {
		meta = append(meta, "expires "+w.Expires)
	}
	if w.Expired {
		meta = append(meta, "EXPIRED")
	}
	if len(meta) == 0 {
		return w.Reason
	}
	return w.Reason + " (" + strings.Join(meta, ", ") + ")"
}

// summaryLine is "4 failed, 2 unknown, 51 passed, 1 waived — exit 1".
func summaryLine(r *Report) string {
	s := r.Summary
	return fmt.Sprintf("%d failed, %d unknown, %d passed, %d waived — exit %d",
		s.Fail, s.Unknown, s.Pass, s.Waived, r.ExitCode)
}

// cleanLine makes a value safe to print on one terminal line: control
// characters (ESC, CR, newlines, ...) become visible escapes so a crafted
// node name or message cannot move the cursor or recolour the terminal.
func cleanLine(s string) string {
	if strings.IndexFunc(s, isCtl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(" ")
		case isCtl(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isCtl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isCtl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// camelCase turns a rule id into a name: MASTER-CERT-SAME-ALL-NODES →
// MasterCertSameAllNodes.
func camelCase(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(strings.ToLower(part))
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	return b.String()
}

// mdEscape escapes a value for Markdown (GitHub-flavoured, tables included):
// CommonMark punctuation that could start markup is backslash-escaped, '&'
// becomes &amp; (no entity tricks), line breaks become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '#', '~', '!', '{', '}':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			if isCtl(r) {
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode makes a value safe inside an inline `code span` in a table cell.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "|", `\|`, "\n", " ", "\r", " ").Replace(s)
	return strings.Map(func(r rune) rune {
		if isCtl(r) {
			return ' '
		}
		return r
	}, s)
}

// mentionsAll reports whether the message already names every missing fact
// (policies often put them in the message), so they are not printed twice.
func mentionsAll(msg string, missing []string) bool {
	for _, m := range missing {
		if !strings.Contains(msg, m) {
			return false
		}
	}
	return true
}
