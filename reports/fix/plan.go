package fix

import (
	"sort"
	"strings"
)

// readmeData is the data of README.md.tmpl.
type readmeData struct {
	Deployment  string
	Variant     string
	Profile     string
	Bundle      string
	Created     string
	Tool        string
	Rescan      string
	TransferDir string
	Fixed       int
	Files       int
	Blocks      int
	Sections    []section
	Transfers   []Transfer
	Manual      []ManualStep
	Findings    []findingRow
	NeedPfx     bool
	NeedCred    bool
	Vars        []string
}

// section is one numbered part of the plan.
type section struct {
	Num   int
	Title string
	Intro string
	Steps []Step
	Kind  string // export, apply, sql, restart
}

type findingRow struct {
	Rule, Target, FixID, File string
}

func (g *generator) plan(scripts []*script, plan *Plan) (*readmeData, error) {
	d := &readmeData{
		Deployment: g.r.Deployment.Name, Variant: g.r.Deployment.Variant, Profile: g.r.Profile,
		Bundle: g.r.Bundle.Path, Created: g.r.Bundle.CreatedUTC,
		Tool:   strings.TrimSpace(g.r.Tool.Name + " " + g.r.Tool.Version),
		Rescan: g.opts.RescanCommand, TransferDir: g.opts.TransferDir, Fixed: g.fixed,
	}
	var ps, sqlPrimary, sqlOther []*script
	for _, s := range scripts {
		d.Blocks += len(s.Blocks)
		d.NeedPfx = d.NeedPfx || s.NeedPfx
		d.NeedCred = d.NeedCred || s.NeedCred
		d.Vars = mergeKeep(d.Vars, s.Vars)
		switch {
		case s.Lang == langPS:
			ps = append(ps, s)
		case s.Primary:
			sqlPrimary = append(sqlPrimary, s)
		default:
			sqlOther = append(sqlOther, s)
		}
		for _, b := range s.Blocks {
			for _, r := range b.Rules {
				d.Findings = append(d.Findings, findingRow{r, b.Target, b.FixID, s.File})
			}
		}
	}
	d.Files = len(scripts)
	sort.SliceStable(d.Findings, func(i, j int) bool {
		a, b := d.Findings[i], d.Findings[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return a.FixID < b.FixID
	})
	d.Findings = dedupeRows(d.Findings)

	stepsFor := func(stage string, list []*script, filter func(*script) bool) []Step {
		var out []Step
		for _, s := range list {
			if filter != nil && !filter(s) {
				continue
			}
			var refs []BlockRef
			for _, b := range s.Blocks {
				if b.Stage == stage {
					refs = append(refs, BlockRef{FixID: b.FixID, Block: b.Tmpl, Phase: phaseNames[b.Phase], Rules: b.Rules})
				}
			}
			if len(refs) == 0 {
				continue
			}
			st := Step{Stage: stage, File: s.File, Target: s.Target, Primary: s.Primary, Blocks: refs}
			if s.Lang == langPS {
				st.Command = `powershell.exe -NoProfile -ExecutionPolicy Bypass -File ` + shellArg(`.\`+s.File) + ` -Stage ` + stage + ` -WhatIf`
			} else {
				st.Command = sqlcmdLine(s)
			}
			out = append(out, st)
		}
		return out
	}
	hasMasterRestart := func(s *script) bool {
		for _, b := range s.Blocks {
			if b.Tmpl == "restart-master" {
				return true
			}
		}
		return false
	}
	restart := append(stepsFor(stageRestart, ps, hasMasterRestart),
		stepsFor(stageRestart, ps, func(s *script) bool { return !hasMasterRestart(s) })...)
	parts := []section{
		{Kind: "export", Title: "Export certificates on the nodes that have them",
			Steps: stepsFor(stageExport, ps, nil)},
		{Kind: "apply", Title: "Certificates and trust, configuration keys, bindings / registry / firewall, service account",
			Steps: stepsFor(stageApply, ps, nil)},
		{Kind: "sql", Title: "T-SQL: the primary replica first, then the secondaries",
			Steps: append(stepsFor(stageSQL, sqlPrimary, nil), stepsFor(stageSQL, sqlOther, nil)...)},
		{Kind: "restart", Title: "Restarts, last: the master through its cluster resource on the active node, then the workers",
			Steps: restart},
	}
	n := 0
	order := 0
	for _, p := range parts {
		if len(p.Steps) == 0 {
			continue
		}
		n++
		p.Num = n
		for i := range p.Steps {
			order++
			p.Steps[i].Order = order
		}
		d.Sections = append(d.Sections, p)
		plan.Steps = append(plan.Steps, p.Steps...)
	}
	for _, t := range g.transfers {
		d.Transfers = append(d.Transfers, *t)
	}
	sort.Slice(d.Transfers, func(i, j int) bool { return d.Transfers[i].File < d.Transfers[j].File })
	plan.Transfers = d.Transfers
	for _, m := range g.manual {
		d.Manual = append(d.Manual, *m)
	}
	sort.SliceStable(d.Manual, func(i, j int) bool {
		a, b := d.Manual[i], d.Manual[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		return strings.Join(a.Rules, ",") < strings.Join(b.Rules, ",")
	})
	plan.Manual = d.Manual
	return d, nil
}

func dedupeRows(in []findingRow) []findingRow {
	var out []findingRow
	for i, r := range in {
		if i > 0 && r == in[i-1] {
			continue
		}
		out = append(out, r)
	}
	return out
}

// sqlcmdLine is the README's command for one .sql file. The secrets are
// never on it: sqlcmd reads scripting variables from environment variables
// of the same name, which the README says to set first.
func sqlcmdLine(s *script) string {
	return "sqlcmd -S " + shellArg(s.Target) + " -E -b -i " + shellArg(s.File)
}
