// Package fix writes the fix plan for a report: a README.md with the order
// to run things in, one PowerShell script per Windows node and one T-SQL
// script per SQL Server instance, rendered from the structured fixes the
// rules return (docs/fix-catalog.md) with the embedded templates.
//
// Every value from the facts reaches a script only through an escaping or
// validating template function (psq, sqlstr, sqlid, guid, hex, int, ...);
// every change is guarded by a check of the current state and, in
// PowerShell, by $PSCmdlet.ShouldProcess; no secret is ever written.
package fix

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

//go:embed templates/*
var templateFS embed.FS

// DefaultTransferDir is where node scripts export certificate files for
// other nodes and import them from.
const DefaultTransferDir = `C:\ssis-ha-lint-fix`

// Options tune Write.
type Options struct {
	// RescanCommand is the exact command that re-checks the deployment after
	// the fixes ran. Default: "ssis-ha-lint scan --bundle <report bundle path>".
	RescanCommand string
	// TransferDir is the default of the node scripts' -TransferDir
	// parameter. Default DefaultTransferDir.
	TransferDir string
}

// Plan is what Write wrote, in the order the README gives.
type Plan struct {
	// Dir is the output directory.
	Dir string
	// Files are the names written inside Dir: README.md, then scripts in run order.
	Files []string
	// Steps are the script runs, in order.
	Steps []Step
	// Transfers are the files to copy between nodes after the Export stage.
	Transfers []Transfer
	// Manual are the steps without a safe automatic fix.
	Manual []ManualStep
	// RescanCommand is the command to run after everything.
	RescanCommand string
	// Fixed counts the failing results whose fix is in a script or a manual step.
	Fixed int
}

// Step is one run of one script.
type Step struct {
	Order   int
	Stage   string // Export, Apply, SQL, Restart
	File    string // script file name inside Dir
	Target  string // node or SQL instance
	Primary bool   // SQL: the primary replica
	Command string // how to run it
	Blocks  []BlockRef
}

// BlockRef names one block of a script.
type BlockRef struct {
	FixID string   // catalog id of docs/fix-catalog.md
	Block string   // the block (template) name: the fix id, or a part of it such as export-master-pfx
	Phase string   // phase name
	Rules []string // rules this block fixes
}

// Transfer is a file exported on one node that another node imports.
type Transfer struct {
	File string // file name inside the transfer directory
	From string
	To   []string
	// Secret is true for a .pfx (it carries the private key).
	Secret bool
}

// ManualStep is a fix without code.
type ManualStep struct {
	FixID    string
	Target   string
	Rules    []string
	Messages []string
	Steps    []string
	// Params are shown for unknown fix ids.
	Params map[string]string
}

// block is one unit of generated script.
type block struct {
	Tmpl     string // template name (fix id or derived name)
	FixID    string // the catalog id it came from
	Lang     string
	Stage    string
	Phase    int
	Target   string
	P        map[string]string
	L        map[string][]string
	Rules    []string
	Messages []string
	key      string
}

func (b *block) merge(o *block) {
	b.Rules = mergeSorted(b.Rules, o.Rules)
	b.Messages = mergeKeep(b.Messages, o.Messages)
	for k, v := range o.L {
		b.L[k] = mergeSorted(b.L[k], v)
	}
}

// fixError names the rule(s), target and param of a fix that cannot be
// rendered safely.
type fixError struct {
	rules  []string
	fixID  string
	tkind  string
	target string
	param  string
	err    error
}

func (e *fixError) Error() string {
	s := fmt.Sprintf("fix %s for rule %s on %s %q", e.fixID, strings.Join(e.rules, ", "), e.tkind, e.target)
	if e.param != "" {
		s += fmt.Sprintf(": param %q", e.param)
	}
	return s + ": " + e.err.Error()
}

func (e *fixError) Unwrap() error { return e.err }

// DefaultRescanCommand is "ssis-ha-lint scan --bundle <path>" with the path
// quoted when it holds anything but letters, digits and . _ / : \ -.
func DefaultRescanCommand(bundlePath string) string {
	return "ssis-ha-lint scan --bundle " + shellArg(bundlePath)
}

// Write renders the fix plan for r into dir (created if needed) and returns
// what it wrote. Files of an earlier run in dir that this run does not
// write are left alone: use a fresh dir per run. Only failing results with a fix are used (waived, passing
// and unknown results never are); identical fixes (same id, target and
// params) are written once, naming every rule they fix. A fix whose params
// fail validation makes Write fail before any file is written.
func Write(dir string, r *reports.Report, opts Options) (*Plan, error) {
	if r == nil {
		return nil, fmt.Errorf("fix: nil report")
	}
	if opts.TransferDir == "" {
		opts.TransferDir = DefaultTransferDir
	}
	if opts.RescanCommand == "" {
		opts.RescanCommand = DefaultRescanCommand(r.Bundle.Path)
	}
	g := &generator{r: r, opts: opts, blocks: map[string]*block{}}
	if err := g.collect(); err != nil {
		return nil, err
	}
	files, plan, err := g.render()
	if err != nil {
		return nil, err
	}
	plan.Dir = dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("fix: %w", err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
			return nil, fmt.Errorf("fix: %w", err)
		}
	}
	return plan, nil
}

type generator struct {
	r      *reports.Report
	opts   Options
	blocks map[string]*block
	order  []string // block keys in first-seen order
	manual []*ManualStep
	fixed  int
	// transfers: file -> transfer
	transfers map[string]*Transfer
}

func (g *generator) collect() error {
	manualByKey := map[string]*ManualStep{}
	g.transfers = map[string]*Transfer{}
	for _, res := range g.r.Results {
		if res.Status != reports.StatusFail || res.Fix == nil {
			continue
		}
		g.fixed++
		f := res.Fix
		sp, known := catalog[f.ID]
		tkind := "node"
		if strings.HasPrefix(f.ID, "sql-") {
			tkind = "instance"
		}
		target := strings.TrimSpace(f.Target)
		if target == "" {
			target = res.Subject.Node
			if tkind == "instance" && res.Subject.Instance != "" {
				target = res.Subject.Instance
			}
		}
		rules := []string{res.Rule}
		if !known || sp.lang == langManual {
			m := &ManualStep{FixID: f.ID, Target: target, Rules: rules, Messages: []string{res.Message}}
			if known {
				steps, err := toList(f.Params["steps"])
				if err != nil {
					return &fixError{rules, f.ID, "target", target, "steps", err}
				}
				m.Steps = steps
			} else {
				m.Params = map[string]string{}
				for k, v := range f.Params {
					if isSecretName(k) {
						continue
					}
					s, err := toString(v)
					if err != nil {
						b, _ := json.Marshal(v)
						s = string(b)
					}
					m.Params[k] = s
				}
			}
			k := manualKey(m)
			if old, ok := manualByKey[k]; ok {
				old.Rules = mergeSorted(old.Rules, m.Rules)
				old.Messages = mergeKeep(old.Messages, m.Messages)
				continue
			}
			manualByKey[k] = m
			g.manual = append(g.manual, m)
			continue
		}
		if target == "" {
			return &fixError{rules, f.ID, tkind, target, "", fmt.Errorf("the fix has no target %s", tkind)}
		}
		p, l, bad, err := sp.validate(f.Params)
		if err != nil {
			return &fixError{rules, f.ID, tkind, target, bad, err}
		}
		for _, b := range g.expand(f.ID, sp, target, p, l) {
			b.Rules = rules
			b.Messages = []string{res.Message}
			g.add(b)
		}
	}
	g.mergeWorkerRestarts()
	g.conflictingConfig()
	return nil
}

// conflictingConfig turns config changes that disagree (two rules want
// different values for one key of one file on one node) into a manual
// step: a script that set both would flip the value on every run.
func (g *generator) conflictingConfig() {
	groups := map[string][]string{}
	for _, k := range g.order {
		b := g.blocks[k]
		if b.Tmpl != "set-master-config" && b.Tmpl != "set-worker-config" {
			continue
		}
		ck := b.Target + "\x00" + strings.ToLower(b.P["path"]) + "\x00" + strings.ToLower(b.P["key"])
		groups[ck] = append(groups[ck], k)
	}
	drop := map[string]bool{}
	for _, ks := range groups {
		if len(ks) < 2 {
			continue
		}
		first := g.blocks[ks[0]]
		m := &ManualStep{FixID: "manual", Target: first.Target}
		for _, k := range ks {
			b := g.blocks[k]
			m.Rules = mergeSorted(m.Rules, b.Rules)
			m.Messages = mergeKeep(m.Messages, b.Messages)
			m.Steps = append(m.Steps, fmt.Sprintf("%s wants %s = %q in %s.", strings.Join(b.Rules, ", "), b.P["key"], b.P["value"], b.P["path"]))
			drop[k] = true
		}
		m.Steps = append(m.Steps, "These rules disagree on the value: no script sets it. Decide which is right, set it by hand (back up the file first) and re-scan.")
		g.manual = append(g.manual, m)
	}
	if len(drop) == 0 {
		return
	}
	kept := g.order[:0]
	for _, k := range g.order {
		if drop[k] {
			delete(g.blocks, k)
			continue
		}
		kept = append(kept, k)
	}
	g.order = kept
}

// mergeWorkerRestarts folds a "restart every worker service" block (from
// trust-master-cert, which does not name the service) into a restart block
// of a named worker service on the same node, so a node gets one restart.
func (g *generator) mergeWorkerRestarts() {
	named := map[string]*block{}
	for _, k := range g.order {
		if b := g.blocks[k]; b.Tmpl == "restart-worker" && b.P["service"] != "" && named[b.Target] == nil {
			named[b.Target] = b
		}
	}
	kept := g.order[:0]
	for _, k := range g.order {
		b := g.blocks[k]
		if b.Tmpl == "restart-worker" && b.P["service"] == "" && named[b.Target] != nil {
			named[b.Target].merge(b)
			delete(g.blocks, k)
			continue
		}
		kept = append(kept, k)
	}
	g.order = kept
}

func manualKey(m *ManualStep) string {
	b, _ := json.Marshal([]any{m.FixID, m.Target, m.Steps, m.Params})
	return string(b)
}

func (g *generator) add(b *block) {
	if b.L == nil {
		b.L = map[string][]string{}
	}
	keys := make([]string, 0, len(b.P))
	for k := range b.P {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	sb.WriteString(b.Tmpl + "\x00" + b.Target)
	for _, k := range keys {
		sb.WriteString("\x00" + k + "=" + b.P[k])
	}
	b.key = sb.String()
	if old, ok := g.blocks[b.key]; ok {
		old.merge(b)
		return
	}
	g.blocks[b.key] = b
	g.order = append(g.order, b.key)
}

func (g *generator) transfer(file, from, to string, secret bool) {
	if from == to {
		return
	}
	t, ok := g.transfers[file]
	if !ok {
		t = &Transfer{File: file, From: from, Secret: secret}
		g.transfers[file] = t
	}
	t.To = mergeSorted(t.To, []string{to})
}

// expand turns one catalog fix into the blocks that carry it out: a
// certificate copy becomes an export on the node that has it and an import
// on the node that needs it; a worker config change also queues a worker
// restart for the Restart stage.
func (g *generator) expand(id string, sp spec, target string, p map[string]string, l map[string][]string) []*block {
	mk := func(tmpl, stage string, phase int, tgt string, params map[string]string) *block {
		return &block{Tmpl: tmpl, FixID: id, Lang: sp.lang, Stage: stage, Phase: phase, Target: tgt, P: params, L: map[string][]string{}}
	}
	if sp.lang == langSQL {
		b := mk(id, stageSQL, phaseSQL, target, p)
		b.L = l
		return []*block{b}
	}
	switch id {
	case "import-master-cert":
		src := p["source_node"]
		exp := mk("export-master-pfx", stageExport, phaseExport, src, map[string]string{"thumbprint": p["thumbprint"]})
		exp.L["targets"] = []string{target}
		imp := mk("import-master-pfx", stageApply, phaseCert, target, map[string]string{
			"thumbprint": p["thumbprint"], "source_node": src, "store": p["store"]})
		g.transfer(p["thumbprint"]+".pfx", src, target, true)
		return []*block{exp, imp}
	case "trust-master-cert":
		src := p["source_node"]
		exp := mk("export-cer", stageExport, phaseExport, src, map[string]string{"thumbprint": p["thumbprint"]})
		exp.L["targets"] = []string{target}
		imp := mk("trust-cer", stageApply, phaseCert, target, map[string]string{
			"thumbprint": p["thumbprint"], "source_node": src, "cer_path": "", "role": "worker"})
		g.transfer(p["thumbprint"]+".cer", src, target, false)
		rst := mk("restart-worker", stageRestart, phaseRestartWorker, target, map[string]string{"service": ""})
		return []*block{exp, imp, rst}
	case "trust-worker-cert":
		src := p["worker"]
		imp := mk("trust-cer", stageApply, phaseCert, target, map[string]string{
			"thumbprint": p["thumbprint"], "source_node": src, "cer_path": p["cer_path"], "role": "master"})
		if p["cer_path"] != "" {
			return []*block{imp}
		}
		exp := mk("export-cer", stageExport, phaseExport, src, map[string]string{"thumbprint": p["thumbprint"]})
		exp.L["targets"] = []string{target}
		g.transfer(p["thumbprint"]+".cer", src, target, false)
		return []*block{exp, imp}
	case "set-worker-config":
		b := mk(id, stageApply, sp.phase, target, p)
		rst := mk("restart-worker", stageRestart, phaseRestartWorker, target, map[string]string{"service": p["service"]})
		return []*block{b, rst}
	case "replace-worker-cert":
		b := mk(id, stageApply, sp.phase, target, p)
		rst := mk("restart-worker", stageRestart, phaseRestartWorker, target, map[string]string{"service": p["service"]})
		return []*block{b, rst}
	case "restart-master", "start-worker":
		return []*block{mk(id, stageRestart, sp.phase, target, p)}
	}
	return []*block{mk(id, stageApply, sp.phase, target, p)}
}

type outFile struct {
	name string
	data []byte
}

// script is the data of one .ps1 or .sql template.
type script struct {
	File        string
	Target      string
	Lang        string
	Primary     bool
	Deployment  string
	Bundle      string
	Tool        string
	Rescan      string
	TransferDir string
	Blocks      []*blockData
	Stages      []string
	NeedPfx     bool
	NeedCred    bool
	Vars        []string // sqlcmd variables
}

type blockData struct {
	*block
	Num, Total int
	Rescan     string
	PhaseName  string
}

var fileUnsafe = regexp.MustCompile(`[^A-Za-z0-9._$-]`)

// FileName is the script file name for a node or instance: `\` becomes `$`
// and anything but letters, digits, '.', '_', '-' and '$' becomes '_'.
func FileName(target, ext string) string {
	n := strings.ReplaceAll(target, `\`, "$")
	n = fileUnsafe.ReplaceAllString(n, "_")
	if n == "" || strings.HasPrefix(n, ".") {
		n = "_" + n
	}
	return n + "." + ext
}

func (g *generator) render() ([]outFile, *Plan, error) {
	tmpl, err := template.New("fix").Funcs(funcMap()).ParseFS(templateFS, "templates/*")
	if err != nil {
		return nil, nil, fmt.Errorf("fix: templates: %w", err)
	}
	// group blocks per file
	type group struct {
		s      *script
		blocks []*block
	}
	groups := map[string]*group{}
	owner := map[string]string{} // file -> target, to catch name collisions
	for _, k := range g.order {
		b := g.blocks[k]
		name := FileName(b.Target, b.Lang)
		if prev, ok := owner[name]; ok && prev != b.Target {
			return nil, nil, &fixError{b.Rules, b.FixID, "target", b.Target, "",
				fmt.Errorf("its script name %s collides with the one of %q", name, prev)}
		}
		owner[name] = b.Target
		gr, ok := groups[name]
		if !ok {
			gr = &group{s: &script{File: name, Target: b.Target, Lang: b.Lang,
				Deployment: g.r.Deployment.Name, Bundle: g.r.Bundle.Path,
				Tool:   strings.TrimSpace(g.r.Tool.Name + " " + g.r.Tool.Version),
				Rescan: g.opts.RescanCommand, TransferDir: g.opts.TransferDir}}
			groups[name] = gr
		}
		gr.blocks = append(gr.blocks, b)
	}
	var files []outFile
	plan := &Plan{RescanCommand: g.opts.RescanCommand, Fixed: g.fixed}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	rendered := map[string][]byte{}
	for _, n := range names {
		gr := groups[n]
		sortBlocks(gr.blocks)
		s := gr.s
		stages := map[string]bool{}
		for i, b := range gr.blocks {
			s.Blocks = append(s.Blocks, &blockData{block: b, Num: i + 1, Total: len(gr.blocks),
				Rescan: g.opts.RescanCommand, PhaseName: phaseNames[b.Phase]})
			stages[b.Stage] = true
			switch b.Tmpl {
			case "export-master-pfx", "import-master-pfx", "renew-master-cert":
				s.NeedPfx = true
			case "set-master-account":
				s.NeedCred = true
			case "sql-create-logdb-login", "sql-alter-logdb-login", "sql-update-logdb-info":
				s.Vars = mergeKeep(s.Vars, []string{"LogDbPassword"})
			case "sql-dmk-by-smk":
				s.Vars = mergeKeep(s.Vars, []string{"SsisdbMasterKeyPassword"})
			}
			if b.Lang == langSQL && catalog[b.FixID].primary {
				s.Primary = true
			}
		}
		for _, st := range []string{stageExport, stageApply, stageSQL, stageRestart} {
			if stages[st] {
				s.Stages = append(s.Stages, st)
			}
		}
		var buf bytes.Buffer
		buf.WriteString("\ufeff") // UTF-8 BOM: Windows PowerShell 5.1 reads a BOM-less file in the ANSI code page
		if err := tmpl.ExecuteTemplate(&buf, s.Lang+"-header.tmpl", s); err != nil {
			return nil, nil, g.templateError(s, nil, err)
		}
		for _, bd := range s.Blocks {
			if err := tmpl.ExecuteTemplate(&buf, s.Lang+"-"+bd.Tmpl+".tmpl", bd); err != nil {
				return nil, nil, g.templateError(s, bd, err)
			}
		}
		if err := tmpl.ExecuteTemplate(&buf, s.Lang+"-footer.tmpl", s); err != nil {
			return nil, nil, g.templateError(s, nil, err)
		}
		rendered[n] = buf.Bytes()
	}
	scripts := make([]*script, 0, len(names))
	for _, n := range names {
		scripts = append(scripts, groups[n].s)
	}
	readme, err := g.plan(scripts, plan)
	if err != nil {
		return nil, nil, err
	}
	var rb bytes.Buffer
	if err := tmpl.ExecuteTemplate(&rb, "README.md.tmpl", readme); err != nil {
		return nil, nil, fmt.Errorf("fix: README.md: %w", err)
	}
	files = append(files, outFile{"README.md", rb.Bytes()})
	plan.Files = append(plan.Files, "README.md")
	seen := map[string]bool{}
	for _, st := range plan.Steps {
		if !seen[st.File] {
			seen[st.File] = true
			files = append(files, outFile{st.File, rendered[st.File]})
			plan.Files = append(plan.Files, st.File)
		}
	}
	return files, plan, nil
}

func (g *generator) templateError(s *script, bd *blockData, err error) error {
	// The Go-side validation runs first, so a template function failing here
	// means a template and the catalog disagree; name what we can.
	if bd != nil {
		return &fixError{bd.Rules, bd.FixID, "target", s.Target, "", err}
	}
	var rules []string
	for _, b := range s.Blocks {
		rules = mergeSorted(rules, b.Rules)
	}
	return &fixError{rules, "(script header)", "target", s.Target, "", err}
}

func sortBlocks(bs []*block) {
	sort.SliceStable(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if a.Phase != b.Phase {
			return a.Phase < b.Phase
		}
		if a.Lang == langSQL && sqlOrder[a.Tmpl] != sqlOrder[b.Tmpl] {
			return sqlOrder[a.Tmpl] < sqlOrder[b.Tmpl]
		}
		if a.Tmpl != b.Tmpl {
			return a.Tmpl < b.Tmpl
		}
		return a.key < b.key
	})
}

func mergeSorted(a, b []string) []string {
	m := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !m[s] {
			m[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func mergeKeep(a, b []string) []string {
	out := append([]string{}, a...)
	for _, s := range b {
		found := false
		for _, o := range out {
			if o == s {
				found = true
				break
			}
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:\\-]+$`)

// shellArg quotes a path for the README's command line: bare when it is
// plain, else single-quoted (PowerShell and POSIX shells read '...' alike
// when it holds no quote; a quote is doubled for PowerShell).
func shellArg(s string) string {
	if s == "" {
		return "<bundle>"
	}
	if shellSafe.MatchString(s) {
		return s
	}
	q, err := psq(s)
	if err != nil {
		return "<bundle>"
	}
	return q
}
