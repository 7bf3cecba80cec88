package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
)

// HTMLFormatter writes one self-contained HTML page (no external asset, no
// network access; a Content-Security-Policy forbids loading anything and
// only allows the page's own script, by hash): summary cards, an SVG
// drawing of the topology (cluster and its nodes, the master role and its
// DNS name, the AG and its listener, the workers; red where a failing
// finding is about it, amber where one is unknown), the findings table with
// filters by status, severity and node (inline JavaScript, works offline),
// and per finding the evidence, observed/expected, fix id and waiver.
//
// Everything from the facts goes through html/template, so a crafted node
// name or message is text, never markup.
type HTMLFormatter struct{}

// Name implements Formatter.
func (*HTMLFormatter) Name() string { return "html" }

// Element states in the topology drawing (CSS classes).
const (
	stateOK      = "ok"
	stateFail    = "fail"
	stateUnknown = "unknown"
)

type htmlPage struct {
	Title      string
	R          *Report
	Summary    string
	CSP        string
	Script     template.JS
	Topo       *svgTopo
	Rows       []htmlRow
	Nodes      []string
	Severities []string
	Rules      []htmlRule
}

type htmlRow struct {
	Status, Severity, Rule, Title, DocURL, Source string
	Node, Instance, Object, Message               string
	Observed, Expected                            string
	HasValues                                     bool
	Missing                                       []string
	Evidence                                      []Evidence
	Fix                                           string
	Waiver                                        *Waiver
}

type htmlRule struct {
	M     RuleMeta
	Fails int
}

// Write implements Formatter.
func (*HTMLFormatter) Write(w io.Writer, r *Report) error {
	sum := sha256.Sum256([]byte(htmlScript))
	page := htmlPage{
		Title:   "ssis-ha-lint report",
		R:       r,
		Summary: summaryLine(r),
		CSP: "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
			base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'",
		Script:     template.JS(htmlScript),
		Severities: Severities,
	}
	if r.Deployment.Name != "" {
		page.Title += " — " + r.Deployment.Name
	}

	nodes := map[string]bool{}
	ruleFails := map[string]int{}
	var ruleIDs []string
	seenRule := map[string]bool{}
	for _, res := range sortForDisplay(r.Results) {
		m := ruleMeta(r, res)
		row := htmlRow{
			Status: res.Status, Severity: strings.ToLower(res.Severity), Rule: res.Rule, Title: m.Title,
			DocURL: m.DocURL, Source: m.Source,
			Node: res.Subject.Node, Instance: instanceIfDistinct(res.Subject), Object: res.Subject.Object,
			Message: res.Message, Missing: res.Missing, Evidence: res.Evidence, Fix: fixID(res), Waiver: res.Waiver,
		}
		if res.Observed != nil || res.Expected != nil {
			row.HasValues = true
			row.Observed, row.Expected = valueString(res.Observed), valueString(res.Expected)
		}
		page.Rows = append(page.Rows, row)
		if res.Subject.Node != "" {
			nodes[res.Subject.Node] = true
		}
		if res.Status == StatusFail {
			ruleFails[res.Rule]++
		}
		if !seenRule[res.Rule] && res.Status != StatusPass {
			seenRule[res.Rule] = true
			ruleIDs = append(ruleIDs, res.Rule)
		}
	}
	for n := range nodes {
		page.Nodes = append(page.Nodes, n)
	}
	sort.Strings(page.Nodes)
	for _, id := range ruleIDs {
		var first Result
		for _, res := range r.Results {
			if res.Rule == id {
				first = res
				break
			}
		}
		page.Rules = append(page.Rules, htmlRule{M: ruleMeta(r, first), Fails: ruleFails[id]})
	}
	page.Topo = buildTopo(r)

	var b bytes.Buffer
	if err := htmlTmpl.Execute(&b, page); err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// ---- topology drawing -------------------------------------------------

type svgTopo struct {
	Width, Height int
	Boxes         []svgBox
	Lines         []svgLine
	Texts         []svgText
	Note          string
}

type svgBox struct {
	X, Y, W, H int
	State      string // ok, fail, unknown
	Kind       string // cluster, role, ag, node
	Node       string // data-node for click-to-filter
	Title      string // <title> tooltip
	Lines      []string
	Bold       bool
	Badge      string // "2 failing", "1 unknown": bottom right of a node box
}

type svgLine struct {
	X1, Y1, X2, Y2 int
	Dashed         bool
}

type svgText struct {
	X, Y  int
	Text  string
	Class string
}

// elementState computes the state of a drawing element from the results
// that concern it.
func elementState(r *Report, about func(Result) bool) (string, []string) {
	state := stateOK
	var why []string
	for _, res := range r.Results {
		if !about(res) {
			continue
		}
		switch res.Status {
		case StatusFail:
			state = stateFail
			why = append(why, "FAIL "+res.Rule+": "+res.Message)
		case StatusUnknown:
			if state != stateFail {
				state = stateUnknown
			}
			why = append(why, "UNKNOWN "+res.Rule+": "+res.Message)
		}
	}
	return state, why
}

func isMasterRoleFinding(res Result) bool {
	k := strings.ToLower(res.Subject.Kind)
	return strings.HasPrefix(res.Rule, "CLUSTER-MASTER") || strings.HasPrefix(res.Rule, "FCI-MASTER") ||
		res.Rule == "CAT-MASTER-ADDRESS" || res.Rule == "MASTER-CERT-CN-DNS" || res.Rule == "FCI-CERT-CN-NETWORKNAME" ||
		k == "role" || k == "master_role" || k == "cluster_resource"
}

func isAGFinding(res Result) bool {
	k := strings.ToLower(res.Subject.Kind)
	return (strings.HasPrefix(res.Rule, "AG-") && res.Subject.Node == "") || strings.Contains(res.Rule, "LISTENER") ||
		k == "ag" || k == "availability_group" || k == "listener"
}

func isClusterFinding(res Result) bool {
	k := strings.ToLower(res.Subject.Kind)
	return (strings.HasPrefix(res.Rule, "CLUSTER-") && !strings.HasPrefix(res.Rule, "CLUSTER-MASTER") && res.Subject.Node == "") ||
		k == "cluster" || k == "wsfc"
}

func buildTopo(r *Report) *svgTopo {
	t := r.Topology
	if t == nil {
		return nil
	}
	const (
		boxW, boxH, gap, margin = 170, 72, 20, 20
		roleY, roleH            = 20, 58
		clusterY                = 120
	)
	var clusterNodes, workers []TopologyNode
	for _, n := range t.Nodes {
		if n.HasRole(RoleMaster) || n.HasRole(RoleReplica) || n.HasRole(RolePrimary) {
			clusterNodes = append(clusterNodes, n)
		} else {
			workers = append(workers, n)
		}
	}
	rowW := func(n int) int {
		if n == 0 {
			return 0
		}
		return n*boxW + (n-1)*gap
	}
	width := 2*margin + max(rowW(len(clusterNodes))+2*gap, rowW(len(workers)), 2*300+gap)
	top := &svgTopo{Width: width}

	// Cluster box with its nodes.
	clusterH := 40 + boxH + 24
	cState, cWhy := elementState(r, isClusterFinding)
	clusterTitle := "WSFC cluster"
	if t.ClusterName != "" {
		clusterTitle += " " + t.ClusterName
	}
	cw := max(rowW(len(clusterNodes))+2*gap, 2*300+gap)
	cx := (width - cw) / 2
	top.Boxes = append(top.Boxes, svgBox{X: cx, Y: clusterY, W: cw, H: clusterH, State: cState, Kind: "cluster",
		Title: strings.Join(append([]string{clusterTitle}, cWhy...), "\n"), Lines: []string{clusterTitle}})

	nodeBox := func(n TopologyNode, x, y int) svgBox {
		st, why := elementState(r, func(res Result) bool { return strings.EqualFold(res.Subject.Node, n.Name) })
		var roles []string
		for _, role := range n.Roles {
			switch {
			case role == RoleReplica && n.HasRole(RolePrimary):
				// shown as "primary replica"
			case role == RolePrimary:
				roles = append(roles, "primary replica")
			default:
				roles = append(roles, role)
			}
		}
		lines := []string{clip(n.Name, 22), clip(strings.Join(roles, " · "), 26)}
		active := t.ActiveMaster != "" && strings.EqualFold(n.Name, t.ActiveMaster)
		if active {
			lines = append(lines, "active master")
		}
		return svgBox{X: x, Y: y, W: boxW, H: boxH, State: st, Kind: "node", Node: n.Name,
			Title: strings.Join(append([]string{n.Name + " (" + strings.Join(n.Roles, ", ") + ")"}, why...), "\n"),
			Lines: lines, Bold: active, Badge: stateBadge(r, n.Name)}
	}
	nx := (width - rowW(len(clusterNodes))) / 2
	nodeY := clusterY + 40
	centers := map[string]int{}
	for i, n := range clusterNodes {
		x := nx + i*(boxW+gap)
		top.Boxes = append(top.Boxes, nodeBox(n, x, nodeY))
		centers[n.Name] = x + boxW/2
	}

	// Master role (top left) and AG (top right).
	roleW := 300
	mx := width/2 - gap/2 - roleW
	ax := width/2 + gap/2
	if t.Listener == "" && t.AGName == "" {
		mx = (width - roleW) / 2
	}
	mState, mWhy := elementState(r, isMasterRoleFinding)
	mLines := []string{"Scale Out Master role"}
	if t.MasterDNS != "" {
		dns := t.MasterDNS
		if t.MasterPort > 0 {
			dns += fmt.Sprintf(":%d", t.MasterPort)
		}
		mLines = append(mLines, clip(dns, 40))
	}
	top.Boxes = append(top.Boxes, svgBox{X: mx, Y: roleY, W: roleW, H: roleH, State: mState, Kind: "role",
		Title: strings.Join(append(append([]string(nil), mLines...), mWhy...), "\n"), Lines: mLines})
	for _, n := range clusterNodes {
		if n.HasRole(RoleMaster) {
			top.Lines = append(top.Lines, svgLine{X1: mx + roleW/2, Y1: roleY + roleH, X2: centers[n.Name], Y2: nodeY, Dashed: !strings.EqualFold(n.Name, t.ActiveMaster)})
		}
	}
	if t.Listener != "" || t.AGName != "" {
		aState, aWhy := elementState(r, isAGFinding)
		ag := "Availability group"
		if t.AGName != "" {
			ag += " " + t.AGName
		}
		aLines := []string{clip(ag, 40)}
		if t.Listener != "" {
			aLines = append(aLines, clip("listener "+t.Listener, 40))
		}
		top.Boxes = append(top.Boxes, svgBox{X: ax, Y: roleY, W: roleW, H: roleH, State: aState, Kind: "ag",
			Title: strings.Join(append(append([]string(nil), aLines...), aWhy...), "\n"), Lines: aLines})
		for _, n := range clusterNodes {
			if n.HasRole(RoleReplica) || n.HasRole(RolePrimary) {
				top.Lines = append(top.Lines, svgLine{X1: ax + roleW/2, Y1: roleY + roleH, X2: centers[n.Name], Y2: nodeY, Dashed: !n.HasRole(RolePrimary)})
			}
		}
	}

	// Workers below the cluster.
	y := clusterY + clusterH + 60
	if len(workers) > 0 {
		wx := (width - rowW(len(workers))) / 2
		for i, n := range workers {
			x := wx + i*(boxW+gap)
			top.Boxes = append(top.Boxes, nodeBox(n, x, y))
			top.Lines = append(top.Lines, svgLine{X1: x + boxW/2, Y1: y, X2: x + boxW/2, Y2: clusterY + clusterH, Dashed: true})
		}
		y += boxH
		if t.MasterDNS != "" {
			y += 22
			top.Texts = append(top.Texts, svgText{X: margin, Y: y, Text: "workers connect to https://" + clip(t.MasterDNS, 60) + portSuffix(t.MasterPort), Class: "note"})
		}
	}
	top.Height = y + margin
	return top
}

// stateBadge counts the failing (else unknown) findings about a node.
func stateBadge(r *Report, node string) string {
	var fail, unknown int
	for _, res := range r.Results {
		if !strings.EqualFold(res.Subject.Node, node) {
			continue
		}
		switch res.Status {
		case StatusFail:
			fail++
		case StatusUnknown:
			unknown++
		}
	}
	switch {
	case fail > 0:
		return fmt.Sprintf("%d failing", fail)
	case unknown > 0:
		return fmt.Sprintf("%d unknown", unknown)
	}
	return ""
}

func portSuffix(p int) string {
	if p > 0 {
		return fmt.Sprintf(":%d", p)
	}
	return ""
}

func without(ss []string, drop string) []string {
	var out []string
	for _, s := range ss {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// clip shortens a label for a box (the full text is in the tooltip).
func clip(s string, n int) string { return truncate(s, n) }

// ---- template -----------------------------------------------------------

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper":    strings.ToUpper,
	"evidence": evidenceString,
	"waiver":   waiverString,
	"join":     strings.Join,
	"add":      func(a, b int) int { return a + b },
	"mul":      func(a, b int) int { return a * b },
	// Upgrade plan detail lines "  - X" are sub-items of the line above.
	"isSub":   func(s string) bool { return strings.HasPrefix(s, "  - ") },
	"subText": func(s string) string { return strings.TrimPrefix(s, "  - ") },
}).Parse(htmlTemplate))

const htmlScript = `
(function () {
  var sel = function (id) { return document.getElementById(id); };
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings tbody tr"));
  function apply() {
    var st = sel("f-status").value, sv = sel("f-sev").value, nd = sel("f-node").value;
    var q = sel("f-text").value.toLowerCase();
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = (st === "all" || (st === "problems" ? tr.dataset.status !== "pass" : tr.dataset.status === st)) &&
        (sv === "all" || tr.dataset.sev === sv) &&
        (nd === "" || tr.dataset.node === nd) &&
        (q === "" || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      if (ok) { shown++; }
    });
    sel("f-count").textContent = shown + " of " + rows.length + " shown";
    sel("f-empty").hidden = shown !== 0;
  }
  ["f-status", "f-sev", "f-node", "f-text"].forEach(function (id) {
    sel(id).addEventListener("input", apply);
    sel(id).addEventListener("change", apply);
  });
  Array.prototype.forEach.call(document.querySelectorAll("svg [data-node]"), function (g) {
    g.addEventListener("click", function () {
      var n = g.getAttribute("data-node"), s = sel("f-node");
      for (var i = 0; i < s.options.length; i++) {
        if (s.options[i].value === n) { s.value = n; apply(); sel("findings").scrollIntoView(); return; }
      }
    });
  });
  apply();
})();
`

const htmlTemplate = `{{define "box"}}{{$b := .}}<g class="{{.Kind}} {{.State}}{{if .Bold}} bold{{end}}"{{if .Node}} data-node="{{.Node}}" tabindex="0"{{end}}><title>{{.Title}}</title><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="8"></rect>{{range $i, $l := .Lines}}<text class="t{{$i}}" x="{{add $b.X 10}}" y="{{add $b.Y (add 20 (mul $i 18))}}">{{$l}}</text>{{end}}{{with .Badge}}<text class="badge" x="{{add $b.X (add $b.W -10)}}" y="{{add $b.Y (add $b.H -10)}}">{{.}}</text>{{end}}</g>
{{end}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
:root { --fail: #c62828; --unknown: #e69500; --ok: #2e7d32; --waived: #757575; --line: #d0d7de; --bg: #fff; --fg: #1f2328; --muted: #59636e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
header, main { padding: 16px 24px; }
header { border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: var(--muted); }
.banner { background: #fff4e5; border: 2px solid var(--unknown); padding: 8px 12px; margin: 12px 0; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 120px; }
.card .n { font-size: 26px; font-weight: 700; }
.card.fail .n { color: var(--fail); } .card.unknown .n { color: var(--unknown); } .card.pass .n { color: var(--ok); } .card.waived .n { color: var(--waived); }
.summary { font-weight: 600; }
svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fafbfc; }
svg rect { stroke-width: 1.5; }
svg .cluster rect { fill: #f3f6f9; stroke: #8c959f; }
svg .ok rect { fill: #e8f5e9; stroke: var(--ok); }
svg .fail rect { fill: #ffebee; stroke: var(--fail); stroke-width: 3; }
svg .unknown rect { fill: #fff8e1; stroke: var(--unknown); stroke-width: 3; stroke-dasharray: 6 3; }
svg .cluster.fail rect { fill: #fff5f5; } svg .cluster.unknown rect { fill: #fffdf5; }
svg .bold rect { stroke-width: 4; }
svg text { font-size: 12px; fill: var(--fg); }
svg text.t0 { font-weight: 700; }
svg text.note { fill: var(--muted); font-style: italic; }
svg text.badge { text-anchor: end; font-weight: 700; font-size: 11px; }
svg .fail text.badge { fill: var(--fail); } svg .unknown text.badge { fill: #9a6700; }
svg line { stroke: #8c959f; stroke-width: 1.5; }
svg line.dashed { stroke-dasharray: 5 4; }
svg [data-node] { cursor: pointer; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; border: 2px solid; margin-right: 4px; vertical-align: -2px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
td code, li code { font-family: ui-monospace, SFMono-Regular, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
td code.id { overflow-wrap: normal; white-space: nowrap; }
td.rule code.id { white-space: normal; word-break: keep-all; }
.st { font-weight: 700; text-transform: uppercase; font-size: 12px; }
tr.fail .st { color: var(--fail); } tr.unknown .st { color: var(--unknown); } tr.pass .st { color: var(--ok); } tr.waived .st { color: var(--waived); }
.sev-critical { color: var(--fail); font-weight: 700; } .sev-high { color: var(--fail); } .sev-medium { color: #9a6700; }
.small { color: var(--muted); font-size: 12px; }
dl { margin: 0; } dt { font-weight: 600; } dd { margin: 0 0 4px 0; }
details summary { cursor: pointer; }
ol.plan > li { margin-bottom: 6px; } ol.plan li.sub { margin-left: 20px; list-style: circle; }
@media print { .filters { display: none; } tr[hidden] { display: table-row; } }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<div class="meta">
{{- with .R.Deployment}}deployment <b>{{.Name}}</b>{{if .Variant}} ({{.Variant}}){{end}}{{end}}
{{- if .R.Profile}} · profile {{.R.Profile}}{{end}}
{{- if .R.Tool.Version}} · ssis-ha-lint {{.R.Tool.Version}}{{end}}
{{- if .R.Bundle.Path}} · bundle <code>{{.R.Bundle.Path}}</code>{{end}}
{{- if .R.Bundle.CreatedUTC}} · collected {{.R.Bundle.CreatedUTC}}{{end}}
{{- if .R.FailOn}} · fail on {{.R.FailOn}}{{end}}
{{- if .R.Tool.PolicyBundle}} · policies <code>{{.R.Tool.PolicyBundle}}</code>{{end}}
</div>
</header>
<main>
{{if .R.Partial}}<div class="banner">PARTIAL COLLECTION: some nodes or instances were not collected; the results are incomplete (unknown is not pass).</div>{{end}}
<div class="cards">
<div class="card fail"><div class="n">{{.R.Summary.Fail}}</div>failed</div>
<div class="card unknown"><div class="n">{{.R.Summary.Unknown}}</div>unknown</div>
<div class="card pass"><div class="n">{{.R.Summary.Pass}}</div>passed</div>
<div class="card waived"><div class="n">{{.R.Summary.Waived}}</div>waived</div>
<div class="card"><div class="n">{{.R.ExitCode}}</div>exit code</div>
</div>
<p class="summary">{{.Summary}}</p>
{{with .R.Warnings}}<h2>Warnings</h2>
<ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

{{with .Topo}}<h2>Topology</h2>
<p class="legend small"><span><i style="border-color:var(--ok)"></i>no failing finding</span><span><i style="border-color:var(--fail)"></i>failing finding</span><span><i style="border-color:var(--unknown)"></i>unknown</span><span>solid line: active master / primary replica</span><span>click a node to filter the findings; hover for details</span></p>
<svg role="img" aria-label="Deployment topology" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{range .Boxes}}{{if eq .Kind "cluster"}}{{template "box" .}}{{end}}{{end}}
{{range .Lines}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"{{if .Dashed}} class="dashed"{{end}}></line>
{{end}}{{range .Boxes}}{{if ne .Kind "cluster"}}{{template "box" .}}{{end}}{{end}}
{{range .Texts}}<text class="{{.Class}}" x="{{.X}}" y="{{.Y}}">{{.Text}}</text>
{{end}}</svg>{{end}}

<h2 id="findings-h">Findings</h2>
<div class="filters">
<label>Status <select id="f-status"><option value="problems" selected>fail, unknown, waived</option><option value="all">all</option><option value="fail">fail</option><option value="unknown">unknown</option><option value="waived">waived</option><option value="pass">pass</option></select></label>
<label>Severity <select id="f-sev"><option value="all">all</option>{{range .Severities}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<label>Node <select id="f-node"><option value="">all</option>{{range .Nodes}}<option value="{{.}}">{{.}}</option>{{end}}</select></label>
<label>Search <input id="f-text" type="search" placeholder="rule, message, object"></label>
<span id="f-count" class="small"></span>
</div>
<table id="findings">
<thead><tr><th>Status</th><th>Severity</th><th>Rule</th><th>Node</th><th>Object</th><th>Finding</th><th>Evidence</th><th>Fix</th></tr></thead>
<tbody>
{{range .Rows}}<tr class="{{.Status}}" data-status="{{.Status}}" data-sev="{{.Severity}}" data-node="{{.Node}}">
<td class="st">{{.Status}}</td>
<td class="sev-{{.Severity}}">{{.Severity}}</td>
<td class="rule">{{if .DocURL}}<a href="{{.DocURL}}" rel="noreferrer noopener" target="_blank"><code class="id">{{.Rule}}</code></a>{{else}}<code class="id">{{.Rule}}</code>{{end}}{{if .Title}}<div class="small">{{.Title}}</div>{{end}}{{if .Source}}<div class="small">{{.Source}}</div>{{end}}</td>
<td>{{.Node}}{{if .Instance}}<div class="small">{{.Instance}}</div>{{end}}</td>
<td><code>{{.Object}}</code></td>
<td>{{.Message}}{{if .HasValues}}<dl class="small"><dt>observed</dt><dd><code>{{.Observed}}</code></dd><dt>expected</dt><dd><code>{{.Expected}}</code></dd></dl>{{end}}{{with .Missing}}<div class="small"><b>missing:</b> {{join . "; "}}</div>{{end}}{{with .Waiver}}<div class="small"><b>{{if .Expired}}waiver EXPIRED{{else}}waived{{end}}:</b> {{.Reason}}{{if .Owner}} · owner {{.Owner}}{{end}}{{if .Expires}} · expires {{.Expires}}{{end}}</div>{{end}}</td>
<td>{{range .Evidence}}<div><code>{{.Artifact}}</code>{{if .Key}}<div class="small">key {{.Key}}</div>{{end}}{{if .Line}}<div class="small">line {{.Line}}</div>{{end}}</div>{{end}}</td>
<td>{{if .Fix}}<code class="id">{{.Fix}}</code>{{end}}</td>
</tr>
{{end}}</tbody>
</table>
<p id="f-empty" class="small" hidden>No finding matches the filters (passing checks are listed with Status "all" or "pass").</p>

{{with .Rules}}<h2>Rules with findings</h2>
{{range .}}<details><summary><code>{{.M.ID}}</code> {{.M.Title}} <span class="sev-{{.M.Severity}}">{{.M.Severity}}</span>{{if .Fails}} · {{.Fails}} failing{{end}}</summary>
<dl>{{with .M.Description}}<dt>Check</dt><dd>{{.}}</dd>{{end}}{{with .M.Why}}<dt>Why it matters at failover</dt><dd>{{.}}</dd>{{end}}{{with .M.Facts}}<dt>Facts read</dt><dd>{{join . "; "}}</dd>{{end}}{{with .M.Remediation}}<dt>Remediation</dt><dd>{{.}}</dd>{{end}}{{with .M.Fix}}<dt>Fix script</dt><dd><code>{{.}}</code></dd>{{end}}{{if or .M.Source .M.DocURL}}<dt>Reference</dt><dd>{{.M.Source}}{{with .M.DocURL}} <a href="{{.}}" rel="noreferrer noopener" target="_blank">documentation</a>{{end}}</dd>{{end}}</dl>
</details>
{{end}}{{end}}
{{with .R.Upgrade}}<h2 id="upgrade">{{.Heading}}</h2>
<ol class="plan">{{range .Steps}}<li><b>{{.Title}}</b><ul>{{range .Detail}}{{if isSub .}}<li class="sub">{{subText .}}</li>{{else}}<li>{{.}}</li>{{end}}{{end}}{{if .DocURL}}<li class="small">{{.Source}} <a href="{{.DocURL}}" rel="noreferrer noopener" target="_blank">documentation</a></li>{{end}}</ul></li>
{{end}}</ol>
{{end}}<script>{{.Script}}</script>
</main>
</body>
</html>
`
