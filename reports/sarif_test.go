package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// sarifDoc is the part of a SARIF log the assertions read, decoded without
// go-sarif so that nulls and types are checked as written.
type sarifDoc struct {
	Version string `json:"version"`
	Schema  string `json:"$schema"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name            string           `json:"name"`
				SemanticVersion string           `json:"semanticVersion"`
				InformationURI  string           `json:"informationUri"`
				Rules           []map[string]any `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Level     string `json:"level"`
			Kind      string `json:"kind"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Suppressions        []map[string]any  `json:"suppressions"`
			Properties          map[string]any    `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func decodeSARIF(t *testing.T, s string) sarifDoc {
	t.Helper()
	var d sarifDoc
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if len(d.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(d.Runs))
	}
	return d
}

func TestSARIFGolden(t *testing.T) {
	r := sampleReport()
	golden(t, "report.sarif", render(t, &SARIFFormatter{}, r))
	golden(t, "report-anchor-waived.sarif", render(t, &SARIFFormatter{
		IncludeWaived: true,
		Anchor:        &SARIFAnchor{Path: "/repo/deploy/ssis ha/prod-etl.yaml", Lines: map[string]int{"SQLN1": 12, "SQLN2": 18, "WRK1": 30, "": 3}},
		BaseDir:       "/repo",
	}, r))
}

var uriOK = regexp.MustCompile(`^[A-Za-z0-9._~%/-]+$`)

func TestSARIFStructure(t *testing.T) {
	for name, f := range map[string]*SARIFFormatter{
		"default":  {},
		"waived":   {IncludeWaived: true},
		"anchor":   {Anchor: &SARIFAnchor{Path: `C:\work\repo\inventory.yaml`, Lines: map[string]int{"SQLN2": 7}}, BaseDir: `C:\work\repo`},
		"basedir":  {BaseDir: "."},
		"nounknwn": {OmitUnknown: true},
	} {
		t.Run(name, func(t *testing.T) {
			rep := sampleReport()
			out := render(t, f, rep)
			d := checkGitHubSARIF(t, out, sarifWant{Report: rep, IncludeWaived: f.IncludeWaived, OmitUnknown: f.OmitUnknown})
			if drv := d.Runs[0].Tool.Driver; drv.SemanticVersion != "0.1.0" {
				t.Errorf("semanticVersion %q", drv.SemanticVersion)
			}
		})
	}
}

// sarifWant is what checkGitHubSARIF checks a SARIF log against: the
// report it was rendered from and the formatter's options.
type sarifWant struct {
	Report                     *Report
	IncludeWaived, OmitUnknown bool
}

var (
	securitySeverityRE = regexp.MustCompile(`^\d+\.\d$`)
	fingerprintRE      = regexp.MustCompile(`^[0-9a-f]{32}:1$`)
	driveLetterRE      = regexp.MustCompile(`^[A-Za-z]:`)
)

// findNull returns the JSON path of the first null in v outside a
// "properties" bag (whose values, such as an observed fact that was null,
// are free-form), or "".
func findNull(v any, path string) string {
	switch x := v.(type) {
	case nil:
		return path
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "properties" {
				continue
			}
			if p := findNull(x[k], path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, e := range x {
			if p := findNull(e, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// checkGitHubSARIF asserts GitHub code scanning's ingestion rules and the
// project's SARIF conventions (outputs.md) on one SARIF log: no nulls,
// version 2.1.0, the driver (name, semanticVersion, informationUri), one
// rules[] entry per rule used (descriptions, help text + markdown, helpUri,
// security-severity as a numeric string, 1..10 tags with "security" exactly
// when the rule has it, precision), runAutomationDetails.id per deployment,
// and on every result a valid ruleIndex, one physical location with
// startLine >= 1 and a repo-relative, forward-slash, percent-encoded URI (no
// absolute path, no drive letter), a logical location under the deployment,
// a well-formed fingerprint distinct per (rule, node, instance, object), and
// kind/level/suppressions matching the status. It returns the decoded log.
func checkGitHubSARIF(t *testing.T, out string, want sarifWant) sarifDoc {
	t.Helper()
	rep := want.Report
	var tree any
	if err := json.Unmarshal([]byte(out), &tree); err != nil {
		t.Fatalf("SARIF is not JSON: %v", err)
	}
	if p := findNull(tree, "$"); p != "" {
		t.Errorf("a null in the SARIF log at %s (only values inside a property bag may be null)", p)
	}
	d := decodeSARIF(t, out)
	if d.Version != "2.1.0" || d.Schema == "" {
		t.Errorf("version %q schema %q", d.Version, d.Schema)
	}
	run := d.Runs[0]
	drv := run.Tool.Driver
	if drv.Name != ToolName || drv.SemanticVersion == "" || drv.InformationURI == "" {
		t.Errorf("driver name %q semanticVersion %q informationUri %q", drv.Name, drv.SemanticVersion, drv.InformationURI)
	}
	if wantID := "ssis-ha-lint/" + rep.Deployment.Name + "/"; run.AutomationDetails.ID != wantID {
		t.Errorf("automationDetails.id = %q, want %q", run.AutomationDetails.ID, wantID)
	}
	used := map[string]bool{}
	for _, res := range run.Results {
		used[res.RuleID] = true
	}
	if len(drv.Rules) != len(used) {
		t.Errorf("%d rules for %d rules used", len(drv.Rules), len(used))
	}
	ruleIDs := map[string]bool{}
	for _, rule := range drv.Rules {
		id, _ := rule["id"].(string)
		if id == "" || ruleIDs[id] {
			t.Errorf("rule id %q empty or repeated", id)
		}
		ruleIDs[id] = true
		sd, ok := rule["shortDescription"].(map[string]any)
		if !ok || sd["text"] == "" {
			t.Errorf("%s: shortDescription %v", id, rule["shortDescription"])
		}
		help, _ := rule["help"].(map[string]any)
		if help["text"] == nil || help["text"] == "" || help["markdown"] == nil || help["markdown"] == "" {
			t.Errorf("%s: help %v", id, help)
		}
		if rule["helpUri"] == nil || rule["fullDescription"] == nil || rule["name"] == nil {
			t.Errorf("%s: helpUri/fullDescription/name missing", id)
		}
		props, _ := rule["properties"].(map[string]any)
		ss, ok := props["security-severity"].(string)
		if !ok || !securitySeverityRE.MatchString(ss) {
			t.Errorf("%s: security-severity %#v is not a numeric string", id, props["security-severity"])
		}
		tags, _ := props["tags"].([]any)
		if len(tags) == 0 || len(tags) > 10 {
			t.Errorf("%s: %d tags (GitHub keeps at most 10)", id, len(tags))
		}
		if props["precision"] != "high" {
			t.Errorf("%s: precision %v", id, props["precision"])
		}
		hasSec := false
		for _, tg := range tags {
			hasSec = hasSec || tg == "security"
		}
		wantSec := false
		for _, tg := range rep.Rules[id].Tags {
			wantSec = wantSec || tg == "security"
		}
		if hasSec != wantSec {
			t.Errorf("%s: security tag %v, want %v", id, hasSec, wantSec)
		}
	}
	seenFP := map[string]string{}
	seenSubject := map[string]bool{}
	for i, res := range run.Results {
		if res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(drv.Rules) {
			t.Fatalf("result %d: ruleIndex %v out of range", i, res.RuleIndex)
		}
		if got := drv.Rules[*res.RuleIndex]["id"]; got != res.RuleID {
			t.Errorf("result %d: ruleIndex points at %v, ruleId %s", i, got, res.RuleID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation == nil {
			t.Fatalf("result %d (%s): no physical location", i, res.RuleID)
		}
		pl := res.Locations[0].PhysicalLocation
		if pl.Region.StartLine < 1 {
			t.Errorf("result %d (%s): startLine %d", i, res.RuleID, pl.Region.StartLine)
		}
		u := pl.ArtifactLocation.URI
		if !uriOK.MatchString(u) || strings.HasPrefix(u, "/") || strings.Contains(u, `\`) || driveLetterRE.MatchString(u) || strings.Contains(u, "..") {
			t.Errorf("result %d (%s): bad uri %q", i, res.RuleID, u)
		}
		if len(res.Locations[0].LogicalLocations) == 0 || !strings.HasPrefix(res.Locations[0].LogicalLocations[0].FullyQualifiedName+"/", rep.Deployment.Name+"/") {
			t.Errorf("result %d (%s): logical location %+v", i, res.RuleID, res.Locations[0].LogicalLocations)
		}
		str := func(k string) string { s, _ := res.Properties[k].(string); return s }
		subject := strings.Join([]string{res.RuleID, str("node"), str("instance"), str("objectKey")}, "|")
		if seenSubject[subject] {
			t.Errorf("result %d: two results for (rule, node, instance, object) %s", i, subject)
		}
		seenSubject[subject] = true
		fp := res.PartialFingerprints[FingerprintKey]
		if !fingerprintRE.MatchString(fp) {
			t.Errorf("result %d (%s): fingerprint %q", i, subject, fp)
		} else if prev, dup := seenFP[fp]; dup {
			t.Errorf("result %d: fingerprint %q of %s already used by %s", i, fp, subject, prev)
		}
		seenFP[fp] = subject
		if res.Message.Text == "" {
			t.Errorf("result %d (%s): empty message", i, subject)
		}
		switch res.Properties["status"] {
		case StatusFail:
			if res.Kind != "" || res.Level == "" || res.Level == "none" {
				t.Errorf("result %d: fail with kind %q level %q", i, res.Kind, res.Level)
			}
		case StatusUnknown:
			if want.OmitUnknown {
				t.Errorf("result %d: unknown despite OmitUnknown", i)
			}
			if res.Kind != "open" || res.Level != "none" {
				t.Errorf("result %d: unknown with kind %q level %q", i, res.Kind, res.Level)
			}
		case StatusWaived:
			if !want.IncludeWaived || len(res.Suppressions) != 1 || res.Suppressions[0]["kind"] != "external" || res.Suppressions[0]["justification"] == "" {
				t.Errorf("result %d: waived result %+v", i, res.Suppressions)
			}
		default:
			t.Errorf("result %d: status %v must not be in SARIF", i, res.Properties["status"])
		}
	}
	// Every failing (and unknown unless omitted, waived when included)
	// result of the report is in the log.
	wantN := 0
	for _, res := range rep.Results {
		switch {
		case res.Status == StatusFail,
			res.Status == StatusUnknown && !want.OmitUnknown,
			res.Status == StatusWaived && want.IncludeWaived:
			wantN++
		}
	}
	if len(run.Results) != wantN {
		t.Errorf("%d SARIF results, want %d", len(run.Results), wantN)
	}
	return d
}

func TestSARIFLocations(t *testing.T) {
	rep := sampleReport()
	d := decodeSARIF(t, render(t, &SARIFFormatter{}, rep))
	byKey := map[string]string{}
	for _, res := range d.Runs[0].Results {
		pl := res.Locations[0].PhysicalLocation
		byKey[res.RuleID+"|"+res.Properties["node"].(string)] = pl.ArtifactLocation.URI + ":" + itoa(pl.Region.StartLine)
	}
	want := map[string]string{
		"MASTER-CERT-SAME-ALL-NODES|SQLN2":  "evidence/prod-etl/nodes/SQLN2/files/MasterSettings.config:7",
		"WRK-MASTER-THUMBPRINT|" + evilNode: "evidence/prod-etl/nodes/WRK%3Cscript%3Ealert%28%22x%22%29%3C/script%3E/files/WorkerSettings.config:4",
		"MASTER-HTTPSYS-BINDING|SQLN3":      "evidence/prod-etl/bundle.json:1",
		"MASTER-CERT-VALIDITY|SQLN1":        "evidence/prod-etl/nodes/SQLN1/certs/Root.json:1",
	}
	for k, v := range want {
		if byKey[k] != v {
			t.Errorf("%s located at %q, want %q", k, byKey[k], v)
		}
	}
	d = decodeSARIF(t, render(t, &SARIFFormatter{
		Anchor:  &SARIFAnchor{Path: `D:\src\repo\inv\prod etl.yaml`, Lines: map[string]int{"SQLN2": 9}},
		BaseDir: `d:\src\repo`,
	}, rep))
	for _, res := range d.Runs[0].Results {
		pl := res.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URI != "inv/prod%20etl.yaml" {
			t.Fatalf("anchor uri %q", pl.ArtifactLocation.URI)
		}
		if n := res.Properties["node"]; n == "SQLN2" && pl.Region.StartLine != 9 || n != "SQLN2" && pl.Region.StartLine != 1 {
			t.Errorf("node %v at line %d", n, pl.Region.StartLine)
		}
	}
}

func TestRelURI(t *testing.T) {
	cases := []struct{ base, p, want string }{
		{"", "evidence/prod-etl/nodes/SQLN2/files/MasterSettings.config", "evidence/prod-etl/nodes/SQLN2/files/MasterSettings.config"},
		{"", `C:\evidence\prod etl\bundle.json`, "evidence/prod%20etl/bundle.json"},
		{"/repo", "/repo/a/b.yaml", "a/b.yaml"},
		{"/repo/x", "/repo/a/b.yaml", "a/b.yaml"}, // ".." above the base is cleaned away
		{`C:\Repo`, `c:\repo\inv.yaml`, "inv.yaml"},
		{"", "//server/share/ev/x.json", "ev/x.json"},
		{"", "a/b:c/d#e?f%g", "a/b%3Ac/d%23e%3Ff%25g"},
		{"", "ünï/x", "%C3%BCn%C3%AF/x"},
	}
	for _, c := range cases {
		if got := relURI(c.base, c.p); got != c.want {
			t.Errorf("relURI(%q, %q) = %q, want %q", c.base, c.p, got, c.want)
		}
	}
}

func TestSARIFFingerprintStable(t *testing.T) {
	a := fingerprint("R", "prod", Subject{Node: "N1", Object: "o"})
	b := fingerprint("R", "prod", Subject{Node: "N2", Object: "o"})
	c := fingerprint("R", "prod", Subject{Node: "N1", Object: "o"})
	if a == b || a != c {
		t.Fatal("fingerprints not distinct per node or not stable")
	}
	// A different anchor line does not change the fingerprint.
	r := sampleReport()
	x := decodeSARIF(t, render(t, &SARIFFormatter{Anchor: &SARIFAnchor{Path: "inv.yaml", Lines: map[string]int{"SQLN2": 3}}}, r))
	y := decodeSARIF(t, render(t, &SARIFFormatter{Anchor: &SARIFAnchor{Path: "inv.yaml", Lines: map[string]int{"SQLN2": 40}}}, r))
	for i := range x.Runs[0].Results {
		if x.Runs[0].Results[i].PartialFingerprints[FingerprintKey] != y.Runs[0].Results[i].PartialFingerprints[FingerprintKey] {
			t.Fatal("fingerprint depends on the anchor line")
		}
	}
}

func TestSARIFEmptyReport(t *testing.T) {
	out := render(t, &SARIFFormatter{}, &Report{Tool: Tool{Name: ToolName, Version: "0.1.0"}, Deployment: DeploymentRef{Name: "dev"}})
	d := decodeSARIF(t, out)
	if d.Runs[0].Tool.Driver.Rules == nil || len(d.Runs[0].Results) != 0 {
		t.Fatalf("empty report: %s", out)
	}
	if regexp.MustCompile(`:\s*null\b`).MatchString(out) {
		t.Fatalf("null in an empty SARIF log: %s", out)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestSARIFOfficialValidator runs @microsoft/sarif-multitool validate (with
// the network off and SARIF2006 disabled) over the SARIF outputs, when
// SSIS_HA_LINT_SARIF_VALIDATOR names the multitool binary.
func TestSARIFOfficialValidator(t *testing.T) {
	tool := os.Getenv("SSIS_HA_LINT_SARIF_VALIDATOR")
	if tool == "" {
		t.Skip("set SSIS_HA_LINT_SARIF_VALIDATOR to the Sarif.Multitool binary (npm install @microsoft/sarif-multitool) to run the official SARIF validator")
	}
	dir := t.TempDir()
	rep := sampleReport()
	for name, f := range map[string]*SARIFFormatter{
		"default.sarif": {},
		"full.sarif":    {IncludeWaived: true, Anchor: &SARIFAnchor{Path: "deploy/prod-etl.yaml", Lines: map[string]int{"SQLN2": 4}}},
		"empty.sarif":   {},
	} {
		r := rep
		if name == "empty.sarif" {
			r = &Report{Tool: Tool{Name: ToolName, Version: "0.1.0"}, Deployment: DeploymentRef{Name: "dev"}}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(render(t, f, r)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.sarif"))
	cmd := exec.Command("sh", append([]string{filepath.Join("testdata", "validate-sarif.sh")}, files...)...)
	cmd.Env = append(os.Environ(), "SARIF_MULTITOOL="+tool)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the SARIF validator reported problems: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func TestSARIFAbsoluteBundleWithoutBaseDir(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	r := sampleReport()
	r.Bundle.Path = filepath.Join(wd, "testdata", "ev")
	d := decodeSARIF(t, render(t, &SARIFFormatter{}, r))
	for _, res := range d.Runs[0].Results {
		u := res.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if !strings.HasPrefix(u, "testdata/ev/") {
			t.Fatalf("absolute bundle path not made relative to the working directory: %s", u)
		}
	}
}
