package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// JUnitFormatter writes JUnit XML for the Azure DevOps Tests tab, Jenkins
// and GitLab: one <testsuite> per rule family (RuleMeta.Family, else the id
// prefix before the first '-': MASTER, WRK, CLUSTER, AG, LOG, CAT, ...), one
// <testcase> per (rule, subject), passes included. A fail carries a
// <failure> with the message, observed/expected, the fix id, the evidence
// and the doc link (in the message too, since some viewers only show the
// message); unknown → <skipped message="unknown: reason"/>; waived →
// <skipped message="waived: reason (owner, expiry)"/>.
type JUnitFormatter struct{}

// Name implements Formatter.
func (*JUnitFormatter) Name() string { return "junit" }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Write implements Formatter.
func (*JUnitFormatter) Write(w io.Writer, r *Report) error {
	doc := junitSuites{Name: ToolName, Time: "0"}
	if r.Deployment.Name != "" {
		doc.Name += " " + r.Deployment.Name
	}
	byFamily := map[string]*junitSuite{}
	var families []string
	results := append([]Result(nil), r.Results...)
	sort.SliceStable(results, func(i, j int) bool { return results[i].Rule < results[j].Rule })
	for _, res := range results {
		meta := ruleMeta(r, res)
		fam := Family(res.Rule, meta)
		s := byFamily[fam]
		if s == nil {
			s = &junitSuite{Name: fam, Time: "0", Timestamp: junitTimestamp(r.Bundle.CreatedUTC), Properties: junitProps(r)}
			byFamily[fam] = s
			families = append(families, fam)
		}
		c := junitCase{
			Name:      res.Rule + ": " + subjectLabel(res.Subject),
			Classname: classname(r.Deployment.Name, fam, res.Rule),
			Time:      "0",
		}
		switch res.Status {
		case StatusFail:
			c.Failure = &junitFailure{
				Message: junitFailureMessage(res, meta),
				Type:    strings.ToLower(res.Severity),
				Text:    xmlSafe(junitFailureText(res, meta)),
			}
			s.Failures++
		case StatusUnknown:
			msg := "unknown: " + res.Message
			if len(res.Missing) > 0 {
				msg = "unknown: " + strings.Join(res.Missing, "; ")
			}
			c.Skipped = &junitSkipped{Message: msg}
			c.SystemOut = res.Message
			s.Skipped++
		case StatusWaived:
			msg := "waived"
			if res.Waiver != nil {
				msg = "waived: " + waiverString(res.Waiver)
			}
			c.Skipped = &junitSkipped{Message: msg}
			c.SystemOut = res.Message
			s.Skipped++
		default:
			c.SystemOut = res.Message
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	sort.Strings(families)
	for _, fam := range families {
		s := byFamily[fam]
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
		doc.Suites = append(doc.Suites, *s)
	}

	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	b.WriteString("\n")
	_, err := w.Write(b.Bytes())
	return err
}

func classname(deployment, family, rule string) string {
	parts := nonEmpty(deployment, family, rule)
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, ".", "_")
	}
	return strings.Join(parts, ".")
}

func junitFailureMessage(res Result, m RuleMeta) string {
	msg := res.Message
	if id := fixID(res); id != "" {
		msg += " [fix: " + id + "]"
	}
	if m.DocURL != "" {
		msg += " (" + m.DocURL + ")"
	}
	return msg
}

func junitFailureText(res Result, m RuleMeta) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", res.Message)
	fmt.Fprintf(&b, "rule: %s (%s)", res.Rule, strings.ToLower(res.Severity))
	if m.Title != "" {
		fmt.Fprintf(&b, " — %s", m.Title)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "subject: %s\n", subjectLabel(res.Subject))
	if res.Observed != nil || res.Expected != nil {
		fmt.Fprintf(&b, "observed: %s\nexpected: %s\n", valueString(res.Observed), valueString(res.Expected))
	}
	for _, e := range res.Evidence {
		fmt.Fprintf(&b, "evidence: %s\n", evidenceString(e))
	}
	if id := fixID(res); id != "" {
		fmt.Fprintf(&b, "fix: %s\n", id)
	}
	if m.Remediation != "" {
		fmt.Fprintf(&b, "remediation: %s\n", m.Remediation)
	}
	if res.Waiver != nil && res.Waiver.Expired {
		fmt.Fprintf(&b, "waiver expired: %s\n", waiverString(res.Waiver))
	}
	if m.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", m.Source)
	}
	if m.DocURL != "" {
		fmt.Fprintf(&b, "doc: %s\n", m.DocURL)
	}
	return b.String()
}

func junitProps(r *Report) []junitProperty {
	var p []junitProperty
	add := func(k, v string) {
		if v != "" {
			p = append(p, junitProperty{Name: k, Value: v})
		}
	}
	add("deployment", r.Deployment.Name)
	add("variant", r.Deployment.Variant)
	add("profile", r.Profile)
	add("bundle", r.Bundle.Path)
	add("tool_version", r.Tool.Version)
	add("policy_bundle", r.Tool.PolicyBundle)
	if r.Partial {
		add("partial", "true")
	}
	return p
}

// junitTimestamp turns an RFC 3339 UTC time into JUnit's ISO 8601 without
// zone ("2026-11-27T09:15:00"); anything else is left out.
func junitTimestamp(s string) string {
	if len(s) >= 19 && s[4] == '-' && s[10] == 'T' {
		return s[:19]
	}
	return ""
}

// xmlSafe replaces characters XML 1.0 does not allow (in CDATA too) with
// U+FFFD; encoding/xml does this for escaped text, not for CDATA.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
