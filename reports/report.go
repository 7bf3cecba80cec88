// Package reports holds the findings document (the JSON report every other
// format is rendered from) and its formatters, one per file behind the
// Formatter interface.
package reports

import (
	"io"
)

// Status values of a result.
const (
	StatusFail    = "fail"
	StatusPass    = "pass"
	StatusUnknown = "unknown"
	StatusWaived  = "waived"
)

// Severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// Report is the findings document (outputs.md).
type Report struct {
	Tool       Tool          `json:"tool"`
	Deployment DeploymentRef `json:"deployment"`
	Profile    string        `json:"profile"`
	Bundle     BundleRef     `json:"bundle"`
	Summary    Summary       `json:"summary"`
	Results    []Result      `json:"results"`
	// Warnings are problems that did not stop the scan (stale waivers,
	// sidecar mismatches, a partial collection).
	Warnings []string `json:"warnings"`
	// Partial is true when some nodes or instances were not collected.
	Partial bool `json:"partial"`
	// Rules is the metadata of every rule that appears in Results.
	Rules map[string]RuleMeta `json:"rules"`
	// FailOn and ExitCode record the gate that was applied.
	FailOn   string `json:"fail_on"`
	ExitCode int    `json:"exit_code"`
	// Topology is the shape of the deployment as collected (optional; the
	// scan pipeline fills it, the HTML report draws it).
	Topology *Topology `json:"topology,omitempty"`
	// Upgrade is the ordered upgrade plan of the pre-upgrade profile
	// (PlanUpgrade; nil for the ha profile). The text and Markdown reports
	// end with it.
	Upgrade *UpgradePlan `json:"upgrade,omitempty"`
}

// Node roles in a Topology.
const (
	RoleMaster  = "master"  // a possible owner of the Scale Out Master role
	RoleReplica = "replica" // an AG replica (or FCI node) hosting SSISDB
	RolePrimary = "primary" // the current primary replica
	RoleWorker  = "worker"  // a Scale Out Worker
)

// Topology is the deployment as collected: the cluster, the master role and
// its DNS name, the SSISDB availability group and its listener, the nodes.
type Topology struct {
	ClusterName  string         `json:"cluster_name,omitempty"`
	MasterDNS    string         `json:"master_dns,omitempty"`
	MasterPort   int            `json:"master_port,omitempty"`
	AGName       string         `json:"ag_name,omitempty"`
	Listener     string         `json:"listener,omitempty"`
	ActiveMaster string         `json:"active_master,omitempty"`
	Nodes        []TopologyNode `json:"nodes,omitempty"`
}

// TopologyNode is one machine and its roles (RoleMaster, RoleReplica,
// RolePrimary, RoleWorker).
type TopologyNode struct {
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// HasRole reports whether the node has the role.
func (n TopologyNode) HasRole(role string) bool {
	for _, r := range n.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Tool identifies the scanner and the policies it ran.
type Tool struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	PolicyBundle string `json:"policy_bundle"`
}

// DeploymentRef names the deployment.
type DeploymentRef struct {
	Name    string `json:"name"`
	Variant string `json:"variant"`
}

// BundleRef names the evidence.
type BundleRef struct {
	Path       string `json:"path"`
	CreatedUTC string `json:"created_utc"`
}

// Summary counts results.
type Summary struct {
	Fail       int            `json:"fail"`
	Pass       int            `json:"pass"`
	Unknown    int            `json:"unknown"`
	Waived     int            `json:"waived"`
	BySeverity map[string]int `json:"by_severity"`
}

// Subject is what a result is about.
type Subject struct {
	Kind     string `json:"kind"`
	Node     string `json:"node,omitempty"`
	Instance string `json:"instance,omitempty"`
	Object   string `json:"object,omitempty"`
}

// Evidence points at the artifact (and key or line) a result was read from.
type Evidence struct {
	Artifact string `json:"artifact"`
	Key      string `json:"key,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// Fix is the structured fix a rule returns; reports/fix renders it.
type Fix struct {
	ID     string         `json:"id"`
	Target string         `json:"target"`
	Params map[string]any `json:"params"`
}

// Waiver is the waiver that applied to a result.
type Waiver struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"`
	Expired bool   `json:"expired"`
}

// Result is one rule's verdict on one subject.
type Result struct {
	Rule     string     `json:"rule"`
	Title    string     `json:"title"`
	Severity string     `json:"severity"`
	Status   string     `json:"status"`
	Subject  Subject    `json:"subject"`
	Message  string     `json:"message"`
	Observed any        `json:"observed"`
	Expected any        `json:"expected"`
	Missing  []string   `json:"missing,omitempty"`
	Evidence []Evidence `json:"evidence"`
	Fix      *Fix       `json:"fix"`
	Source   string     `json:"source"`
	DocURL   string     `json:"doc_url"`
	Waiver   *Waiver    `json:"waiver"`
}

// RuleMeta is a rule's documentation, from its METADATA annotation.
type RuleMeta struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Variant     string   `json:"variant"`
	Profiles    []string `json:"profiles"`
	Family      string   `json:"family"`
	Description string   `json:"description"`
	Why         string   `json:"why"`
	Facts       []string `json:"facts"`
	Remediation string   `json:"remediation"`
	Source      string   `json:"source"`
	DocURL      string   `json:"doc_url"`
	Fix         string   `json:"fix"`
	Tags        []string `json:"tags"`
}

// Formatter renders a report.
type Formatter interface {
	// Name is the --format value (text, json, sarif, junit, markdown, html).
	Name() string
	Write(w io.Writer, r *Report) error
}
