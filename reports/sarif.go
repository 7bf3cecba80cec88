package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// SARIFFormatter writes SARIF 2.1.0 for GitHub code scanning and Azure
// DevOps (outputs.md, "SARIF").
//
// What goes in:
//   - fail results, level from the result's severity (critical/high → error,
//     medium → warning, low/info → note), one result per (rule, node, object);
//   - unknown results, with kind "open" and level "none" (SARIF §3.27.9/10:
//     "open" is "insufficient information to decide whether a problem
//     exists", and a kind other than "fail" requires level "none"). GitHub
//     ignores kind and opens an alert for them anyway, which is what we want:
//     unknown is not pass. OmitUnknown drops them;
//   - waived results only with IncludeWaived, then with
//     suppressions[{kind: external, status: accepted, justification}]
//     (GitHub ignores suppressions, hence off by default);
//   - passes never.
//
// Every result has a physical location with region.startLine ≥ 1: the
// Anchor file at the node's line when an anchor is given, else the evidence
// artifact inside the bundle (Report.Bundle.Path joined with the artifact,
// made relative to BaseDir) at the evidence line (or 1), else the bundle's
// bundle.json at line 1. URIs are relative, forward slashes,
// percent-encoded, never a drive letter.
type SARIFFormatter struct {
	// IncludeWaived keeps waived results, with a suppression.
	IncludeWaived bool
	// OmitUnknown leaves unknown results out.
	OmitUnknown bool
	// Anchor places every result on a file of the user's repository (the
	// inventory, or --sarif-anchor PATH) instead of the bundle's artifacts.
	Anchor *SARIFAnchor
	// BaseDir is the directory URIs are made relative to (the repository
	// root / checkout). When "", relative paths are kept as given and
	// absolute ones are made relative to the working directory.
	BaseDir string
	// InformationURI is driver.informationUri; DefaultInformationURI if "".
	InformationURI string
}

// SARIFAnchor is a repository file every result is located on.
type SARIFAnchor struct {
	// Path of the file (absolute, or relative to the working directory; it
	// is made relative to SARIFFormatter.BaseDir).
	Path string
	// Lines maps a node name to the line of its entry (1-based). A subject
	// without a node, or a node not in the map, uses Lines[""] when set,
	// else line 1.
	Lines map[string]int
}

// Name implements Formatter.
func (*SARIFFormatter) Name() string { return "sarif" }

// SecuritySeverity maps a severity to GitHub's security-severity score
// (a string). Critical is above 9.0 because GitHub's "critical" starts after
// 9.0.
func SecuritySeverity(sev string) string {
	switch strings.ToLower(sev) {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "2.0"
	default:
		return "0.0"
	}
}

// SARIFLevel maps a severity to a SARIF level.
func SARIFLevel(sev string) string {
	switch strings.ToLower(sev) {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	default:
		return "note"
	}
}

func problemSeverity(sev string) string {
	switch SARIFLevel(sev) {
	case "error":
		return "error"
	case "warning":
		return "warning"
	default:
		return "recommendation"
	}
}

// FingerprintKey is the partialFingerprints key GitHub reads.
const FingerprintKey = "primaryLocationLineHash"

// fingerprint is a stable digest of rule + deployment + node + object.
func fingerprint(rule, deployment string, s Subject) [32]byte {
	obj := s.Object
	if s.Instance != "" && s.Instance != s.Node {
		obj = s.Instance + "/" + obj
	}
	return sha256.Sum256([]byte(strings.Join([]string{rule, deployment, s.Node, obj}, "\x00")))
}

// Write implements Formatter.
func (f *SARIFFormatter) Write(w io.Writer, r *Report) error {
	log, err := f.Build(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// Build returns the SARIF log (for callers that post-process it).
func (f *SARIFFormatter) Build(r *Report) (*sarif.Report, error) {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, err
	}
	infoURI := f.InformationURI
	if infoURI == "" {
		infoURI = DefaultInformationURI
	}
	name := r.Tool.Name
	if name == "" {
		name = ToolName
	}
	run := sarif.NewRunWithInformationURI(name, infoURI)
	if v := strings.TrimPrefix(r.Tool.Version, "v"); v != "" {
		run.Tool.Driver.Version = sp(r.Tool.Version)
		run.Tool.Driver.SemanticVersion = sp(v)
	}
	// One category per deployment, so scanning two deployments from one
	// repository does not close each other's alerts.
	autoID := ToolName + "/"
	if r.Deployment.Name != "" {
		autoID += r.Deployment.Name + "/"
	}
	run.AutomationDetails = &sarif.RunAutomationDetails{ID: sp(autoID)}

	// Pick the results first, so rules[] only lists rules that appear, and
	// the rules are in place before any result refers to them.
	var picked []Result
	for _, res := range r.Results {
		switch res.Status {
		case StatusFail:
		case StatusUnknown:
			if f.OmitUnknown {
				continue
			}
		case StatusWaived:
			if !f.IncludeWaived {
				continue
			}
		default:
			continue
		}
		picked = append(picked, res)
	}
	ruleIndex := map[string]int{}
	var ids []string
	firstOf := map[string]Result{}
	for _, res := range picked {
		if _, ok := firstOf[res.Rule]; !ok {
			firstOf[res.Rule] = res
			ids = append(ids, res.Rule)
		}
	}
	sort.Strings(ids)
	for i, id := range ids {
		ruleIndex[id] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(ruleMeta(r, firstOf[id])))
	}
	for _, res := range picked {
		run.Results = append(run.Results, f.sarifResult(r, res, ruleIndex[res.Rule]))
	}

	props := sarif.Properties{
		"deployment": r.Deployment.Name,
		"variant":    r.Deployment.Variant,
		"profile":    r.Profile,
		"partial":    r.Partial,
		"exitCode":   r.ExitCode,
		"summary": map[string]int{
			"fail": r.Summary.Fail, "unknown": r.Summary.Unknown,
			"pass": r.Summary.Pass, "waived": r.Summary.Waived,
		},
	}
	if r.Tool.PolicyBundle != "" {
		props["policyBundle"] = r.Tool.PolicyBundle
	}
	if r.FailOn != "" {
		props["failOn"] = r.FailOn
	}
	if len(r.Warnings) > 0 {
		props["warnings"] = r.Warnings
	}
	run.Properties = props
	log.AddRun(run)
	return log, nil
}

func sarifRule(m RuleMeta) *sarif.ReportingDescriptor {
	short := m.Title
	if short == "" {
		short = m.ID
	}
	full := m.Description
	if full == "" {
		full = short
	}
	rule := sarif.NewRule(m.ID).
		WithName(truncate(camelCase(m.ID), 255)).
		WithShortDescription(sarif.NewMultiformatMessageString(truncate(short, 1024))).
		WithFullDescription(sarif.NewMultiformatMessageString(truncate(full, 1024))).
		WithTextHelp(ruleHelpText(m)).
		WithMarkdownHelp(ruleHelpMarkdown(m)).
		WithDefaultConfiguration(&sarif.ReportingConfiguration{Level: SARIFLevel(m.Severity)})
	if m.DocURL != "" {
		rule.WithHelpURI(m.DocURL)
	}
	rule.Properties = sarif.Properties{
		"tags":              ruleTags(m),
		"precision":         "high",
		"security-severity": SecuritySeverity(m.Severity),
		"problem.severity":  problemSeverity(m.Severity),
	}
	return rule
}

// ruleTags: "security" first when the rule has it, then the rule's own
// tags, the family and the product; at most 10 (GitHub keeps 10).
func ruleTags(m RuleMeta) []string {
	var tags []string
	seen := map[string]bool{}
	addTag := func(t string) {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] || len(tags) >= 10 {
			return
		}
		seen[t] = true
		tags = append(tags, t)
	}
	for _, t := range m.Tags {
		if strings.EqualFold(t, "security") {
			addTag(t)
		}
	}
	addTag("ssis-scale-out")
	addTag("high-availability")
	addTag(Family(m.ID, m))
	for _, t := range m.Tags {
		addTag(t)
	}
	return tags
}

func ruleHelpText(m RuleMeta) string {
	var b strings.Builder
	title := m.Title
	if title == "" {
		title = m.ID
	}
	fmt.Fprintf(&b, "%s (%s, %s)\n", title, m.ID, strings.ToLower(m.Severity))
	if m.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", m.Description)
	}
	if m.Why != "" {
		fmt.Fprintf(&b, "\nWhy it matters at failover: %s\n", m.Why)
	}
	if len(m.Facts) > 0 {
		fmt.Fprintf(&b, "\nHow it was detected (facts read): %s\n", strings.Join(m.Facts, "; "))
	}
	if m.Remediation != "" {
		fmt.Fprintf(&b, "\nRemediation: %s\n", m.Remediation)
	}
	if m.Fix != "" {
		fmt.Fprintf(&b, "Fix script: %s (ssis-ha-lint fix)\n", m.Fix)
	}
	if m.Source != "" || m.DocURL != "" {
		fmt.Fprintf(&b, "\nReference: %s\n", strings.TrimSpace(m.Source+" "+m.DocURL))
	}
	return strings.TrimRight(b.String(), "\n")
}

func ruleHelpMarkdown(m RuleMeta) string {
	var b strings.Builder
	title := m.Title
	if title == "" {
		title = m.ID
	}
	fmt.Fprintf(&b, "**%s** (`%s`, %s)\n", mdEscape(title), m.ID, strings.ToLower(m.Severity))
	if m.Description != "" {
		fmt.Fprintf(&b, "\n%s\n", mdEscape(m.Description))
	}
	if m.Why != "" {
		fmt.Fprintf(&b, "\n### Why it matters at failover\n\n%s\n", mdEscape(m.Why))
	}
	if len(m.Facts) > 0 {
		b.WriteString("\n### How it was detected\n\nFacts read:\n\n")
		for _, fact := range m.Facts {
			fmt.Fprintf(&b, "- %s\n", mdEscape(fact))
		}
	}
	if m.Remediation != "" || m.Fix != "" {
		b.WriteString("\n### Remediation\n\n")
		if m.Remediation != "" {
			fmt.Fprintf(&b, "%s\n", mdEscape(m.Remediation))
		}
		if m.Fix != "" {
			fmt.Fprintf(&b, "\nFix script: `%s` (generated by `ssis-ha-lint fix`).\n", mdCode(m.Fix))
		}
	}
	if m.Source != "" || m.DocURL != "" {
		b.WriteString("\n### Reference\n\n")
		switch {
		case m.DocURL != "" && m.Source != "":
			fmt.Fprintf(&b, "[%s](%s)\n", mdEscape(m.Source), m.DocURL)
		case m.DocURL != "":
			fmt.Fprintf(&b, "<%s>\n", m.DocURL)
		default:
			fmt.Fprintf(&b, "%s\n", mdEscape(m.Source))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (f *SARIFFormatter) sarifResult(r *Report, res Result, idx int) *sarif.Result {
	out := sarif.NewRuleResult(res.Rule).WithRuleIndex(idx)
	fp := fingerprint(res.Rule, r.Deployment.Name, res.Subject)

	switch res.Status {
	case StatusUnknown:
		out.Kind = sp("open")
		out.Level = sp("none")
	default:
		out.Level = sp(SARIFLevel(res.Severity))
	}
	out.Message = sarif.Message{Text: sp(resultMessage(res))}

	uri, line := f.locate(r, res)
	phys := &sarif.PhysicalLocation{
		ArtifactLocation: &sarif.ArtifactLocation{URI: sp(uri)},
		Region:           &sarif.Region{StartLine: ip(line)},
	}
	fqn := strings.Join(nonEmpty(r.Deployment.Name, res.Subject.Node, instanceIfDistinct(res.Subject), res.Subject.Object), "/")
	loc := &sarif.Location{PhysicalLocation: phys}
	if fqn != "" {
		kind := "object"
		if res.Subject.Object == "" {
			kind = "module"
		}
		loc.LogicalLocations = []*sarif.LogicalLocation{{
			Name:               sp(firstNonEmpty(res.Subject.Object, res.Subject.Node, r.Deployment.Name)),
			FullyQualifiedName: sp(fqn),
			Kind:               sp(kind),
		}}
	}
	out.Locations = []*sarif.Location{loc}
	out.PartialFingerprints = map[string]interface{}{
		FingerprintKey:  hex.EncodeToString(fp[:16]) + ":1",
		"ssisHaLint/v1": hex.EncodeToString(fp[:]),
	}

	props := sarif.Properties{
		"status":     res.Status,
		"severity":   res.Severity,
		"deployment": r.Deployment.Name,
	}
	if res.Subject.Kind != "" {
		props["subjectKind"] = res.Subject.Kind
	}
	if res.Subject.Node != "" {
		props["node"] = res.Subject.Node
	}
	if res.Subject.Instance != "" {
		props["instance"] = res.Subject.Instance
	}
	if res.Subject.Object != "" {
		props["objectKey"] = res.Subject.Object
	}
	if res.Observed != nil {
		props["observed"] = res.Observed
	}
	if res.Expected != nil {
		props["expected"] = res.Expected
	}
	if id := fixID(res); id != "" {
		props["fix"] = id
	}
	if len(res.Missing) > 0 {
		props["missing"] = res.Missing
	}
	if len(res.Evidence) > 0 {
		ev := make([]string, len(res.Evidence))
		for i, e := range res.Evidence {
			ev[i] = evidenceString(e)
		}
		props["evidence"] = ev
	}
	if res.Waiver != nil {
		props["waiver"] = map[string]any{
			"reason": res.Waiver.Reason, "owner": res.Waiver.Owner,
			"expires": res.Waiver.Expires, "expired": res.Waiver.Expired,
		}
	}
	out.Properties = props

	if res.Status == StatusWaived {
		just := "waived"
		if res.Waiver != nil {
			just = waiverString(res.Waiver)
		}
		g := uuidFrom(fp)
		out.Suppressions = []*sarif.Suppression{{
			Kind:          "external",
			Status:        sp("accepted"),
			Justification: sp(just),
			Guid:          sp(g),
			Location:      loc,
		}}
	}
	return out
}

// resultMessage: the first sentence names the node and the problem, then
// observed/expected, the missing facts, the fix id.
func resultMessage(res Result) string {
	msg := strings.TrimSpace(res.Message)
	if msg == "" {
		msg = res.Title
	}
	if msg == "" {
		msg = res.Rule
	}
	if n := res.Subject.Node; n != "" && !strings.Contains(msg, n) {
		msg = n + ": " + msg
	}
	if res.Status == StatusUnknown {
		msg = "Could not be checked: " + msg
	}
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	var extra []string
	if res.Subject.Object != "" {
		extra = append(extra, "Object: "+res.Subject.Object+".")
	}
	if res.Observed != nil || res.Expected != nil {
		extra = append(extra, "Observed: "+valueString(res.Observed)+"; expected: "+valueString(res.Expected)+".")
	}
	if len(res.Missing) > 0 && !mentionsAll(res.Message, res.Missing) {
		extra = append(extra, "Missing: "+strings.Join(res.Missing, "; ")+".")
	}
	if id := fixID(res); id != "" {
		extra = append(extra, "Fix: "+id+".")
	}
	if res.Status == StatusWaived && res.Waiver != nil {
		extra = append(extra, "Waived: "+waiverString(res.Waiver)+".")
	}
	if len(extra) > 0 {
		msg += " " + strings.Join(extra, " ")
	}
	return msg
}

// locate returns the relative URI and the line of a result's location.
func (f *SARIFFormatter) locate(r *Report, res Result) (string, int) {
	if f.Anchor != nil && f.Anchor.Path != "" {
		line := f.Anchor.Lines[res.Subject.Node]
		if line < 1 {
			line = f.Anchor.Lines[""]
		}
		if line < 1 {
			line = 1
		}
		return relURI(f.baseFor(f.Anchor.Path), f.Anchor.Path), line
	}
	ev := firstEvidence(res)
	artifact := ev.Artifact
	line := ev.Line
	if artifact == "" {
		artifact, line = "bundle.json", 1
	}
	if line < 1 {
		line = 1
	}
	p := slashPath(artifact)
	if r.Bundle.Path != "" && !isAbsSlash(p) {
		p = strings.TrimSuffix(slashPath(r.Bundle.Path), "/") + "/" + p
	}
	return relURI(f.baseFor(p), p), line
}

// baseFor is BaseDir, or for an absolute path when BaseDir is not set the
// working directory (in CI, the checkout), so that an absolute bundle path
// still becomes repository-relative.
func (f *SARIFFormatter) baseFor(p string) string {
	if f.BaseDir != "" || !isAbsSlash(slashPath(p)) {
		return f.BaseDir
	}
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return ""
}

// slashPath turns any path (Windows or not) into forward slashes.
func slashPath(p string) string { return strings.ReplaceAll(p, `\`, "/") }

// volumeOf returns a drive letter ("C:") or UNC prefix ("//host/share") of
// a slash path, and the rest.
func volumeOf(p string) (string, string) {
	if len(p) >= 2 && p[1] == ':' && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')) {
		return strings.ToUpper(p[:2]), p[2:]
	}
	if strings.HasPrefix(p, "//") {
		parts := strings.SplitN(p[2:], "/", 3)
		if len(parts) >= 2 {
			vol := "//" + parts[0] + "/" + parts[1]
			return vol, strings.TrimPrefix(p, vol)
		}
	}
	return "", p
}

func isAbsSlash(p string) bool {
	vol, rest := volumeOf(p)
	return vol != "" || strings.HasPrefix(rest, "/")
}

// relURI makes p relative to base and encodes it as a relative URI
// reference: forward slashes, no drive letter, no leading '/', every
// segment percent-encoded.
func relURI(base, p string) string {
	p = slashPath(p)
	if base != "" {
		base = slashPath(base)
		if isAbsSlash(p) != isAbsSlash(base) {
			if ab, err := filepath.Abs(filepath.FromSlash(base)); err == nil {
				base = slashPath(ab)
			}
			if ap, err := filepath.Abs(filepath.FromSlash(p)); err == nil {
				p = slashPath(ap)
			}
		}
		if rel, ok := relSlash(base, p); ok {
			p = rel
		}
	}
	_, p = volumeOf(p)
	p = path.Clean("/" + p)[1:] // no leading slash, no "." or ".." above root
	if p == "" {
		p = "."
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = uriEscape(s)
	}
	return strings.Join(segs, "/")
}

// relSlash is filepath.Rel for slash paths of either OS.
func relSlash(base, p string) (string, bool) {
	bv, br := volumeOf(base)
	pv, pr := volumeOf(p)
	if !strings.EqualFold(bv, pv) {
		return "", false
	}
	bs := splitClean(br)
	ps := splitClean(pr)
	i := 0
	for i < len(bs) && i < len(ps) && (bs[i] == ps[i] || (bv != "" && strings.EqualFold(bs[i], ps[i]))) {
		i++
	}
	if i < len(bs) && bs[i] == ".." {
		return "", false
	}
	var out []string
	for range bs[i:] {
		out = append(out, "..")
	}
	out = append(out, ps[i:]...)
	if len(out) == 0 {
		return ".", true
	}
	return strings.Join(out, "/"), true
}

func splitClean(p string) []string {
	c := path.Clean(p)
	var out []string
	for _, s := range strings.Split(c, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// uriEscape percent-encodes everything but RFC 3986 unreserved characters
// (so ':' cannot be read as a scheme, nor '%' as an escape).
func uriEscape(s string) string {
	if s == ".." || s == "." {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func uuidFrom(h [32]byte) string {
	u := h[:16]
	u[6] = (u[6] & 0x0f) | 0x50 // version 5-like (name based)
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 4122 variant
	x := hex.EncodeToString(u)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func instanceIfDistinct(s Subject) string {
	if s.Instance != s.Node {
		return s.Instance
	}
	return ""
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// truncate shortens s to at most n runes (…-terminated).
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }
