package collect

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// MergeOptions tune Merge.
type MergeOptions struct {
	// Name and Variant, when set, are the merged deployment's name and
	// variant, whatever the parts say (the way out of a conflict between
	// them).
	Name    string
	Variant string
	// ToolVersion is written to the merged bundle.json.
	ToolVersion string
}

// ConflictError is a merge that cannot be done: two parts hold the same node
// or SQL instance, or declare different deployments.
type ConflictError struct {
	Msg string
}

func (e *ConflictError) Error() string { return e.Msg }

// MergeResult is what Merge wrote.
type MergeResult struct {
	Manifest *bundle.Manifest
	// Warnings are things left out (a node folder no part's manifest lists).
	Warnings []string
}

type mergePart struct {
	path string
	b    *bundle.Bundle
}

// Merge combines bundle parts collected separately into one bundle in
// outDir (created; it must be empty or not exist): node parts written by
// `collect --local` on each node (bundle.json listing that node, plus
// nodes/<NODE>/), SQL parts written by `collect --sql` (sql/<INSTANCE>/...),
// or whole bundles. Each part is a directory, .zip or .tar.gz. The merged
// manifest lists every node and SQL instance of every part; the declared
// deployment is the union of the parts' (a field two parts set differently is
// a conflict, unless MergeOptions overrides it); created_utc is the earliest
// part's. A node or instance in two parts is a conflict. On a conflict
// nothing is written and the error is a *ConflictError.
func Merge(outDir string, parts []string, o MergeOptions) (*MergeResult, error) {
	if len(parts) == 0 {
		return nil, errors.New("bundle merge: give the parts to merge")
	}
	if o.Variant != "" && o.Variant != "ag" && o.Variant != "fci" {
		return nil, fmt.Errorf("variant %q: want ag or fci", o.Variant)
	}
	var ps []mergePart
	for _, p := range parts {
		if same(p, outDir) {
			return nil, fmt.Errorf("part %s is the output directory", p)
		}
		b, err := bundle.Open(p)
		if err != nil {
			return nil, fmt.Errorf("part %s: %w", p, err)
		}
		ps = append(ps, mergePart{path: p, b: b})
	}

	res := &MergeResult{}
	m := &bundle.Manifest{Format: bundle.Format, Version: bundle.SupportedVersion, ToolVersion: o.ToolVersion,
		Nodes: []bundle.ManifestNode{}, SQL: []bundle.ManifestSQL{}}
	if m.ToolVersion == "" {
		m.ToolVersion = "dev"
	}
	if err := mergeDeployment(&m.Deployment, ps, o); err != nil {
		return nil, err
	}

	var created time.Time
	nodeFrom := map[string]string{}
	sqlFrom := map[string]string{}
	type copyItem struct {
		b      *bundle.Bundle
		prefix string
	}
	var copies []copyItem
	for _, p := range ps {
		pm := p.b.Manifest
		if t, err := time.Parse(time.RFC3339, pm.CreatedUTC); err == nil && (created.IsZero() || t.Before(created)) {
			created = t
		}
		listed := map[string]bool{}
		for _, n := range pm.Nodes {
			key := strings.ToUpper(strings.TrimSpace(n.Name))
			if prev, dup := nodeFrom[key]; dup {
				return nil, &ConflictError{Msg: fmt.Sprintf("node %s is in two parts: %s and %s (collect each node once, or leave one part out)", key, prev, p.path)}
			}
			nodeFrom[key] = p.path
			listed[key] = true
			n.Name = key
			if len(n.Roles) == 0 {
				n.Roles = []string{}
				res.Warnings = append(res.Warnings, fmt.Sprintf("part %s: node %s has no roles (collect --local --roles master,replica|worker)", p.path, key))
			}
			m.Nodes = append(m.Nodes, n)
			if dir := findDir(p.b, "nodes", key); dir != "" {
				copies = append(copies, copyItem{p.b, dir})
			}
		}
		for _, d := range p.b.ChildDirs("nodes") {
			if !listed[strings.ToUpper(d)] {
				res.Warnings = append(res.Warnings, fmt.Sprintf("part %s: nodes/%s is not in its bundle.json; left out", p.path, d))
			}
		}
		insts := map[string]bundle.ManifestSQL{}
		for _, e := range pm.SQL {
			insts[strings.ToUpper(e.Instance)] = e
		}
		for _, d := range p.b.ChildDirs("sql") {
			if _, ok := insts[strings.ToUpper(d)]; !ok {
				insts[strings.ToUpper(d)] = bundle.ManifestSQL{Instance: d, Collected: true}
			}
		}
		keys := make([]string, 0, len(insts))
		for k := range insts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			e := insts[key]
			if prev, dup := sqlFrom[key]; dup {
				return nil, &ConflictError{Msg: fmt.Sprintf("SQL instance %s is in two parts: %s and %s (collect the SQL side once)", e.Instance, prev, p.path)}
			}
			sqlFrom[key] = p.path
			m.SQL = append(m.SQL, e)
			if dir := findDir(p.b, "sql", e.Instance); dir != "" {
				copies = append(copies, copyItem{p.b, dir})
			}
		}
	}
	if created.IsZero() {
		created = time.Now().UTC()
	}
	m.CreatedUTC = created.UTC().Format(time.RFC3339)

	if err := prepareOut(outDir); err != nil {
		return nil, err
	}
	for _, c := range copies {
		if err := copyTree(c.b, c.prefix, outDir); err != nil {
			return nil, err
		}
	}
	if err := writeManifest(outDir, m); err != nil {
		return nil, err
	}
	res.Manifest = m
	return res, nil
}

// mergeDeployment fills d from the parts, field by field.
func mergeDeployment(d *bundle.ManifestDeployment, ps []mergePart, o MergeOptions) error {
	type fieldOf struct {
		name string
		get  func(bundle.ManifestDeployment) string
		set  func(string)
		over string
	}
	fields := []fieldOf{
		{"name", func(x bundle.ManifestDeployment) string { return x.Name }, func(v string) { d.Name = v }, o.Name},
		{"variant", func(x bundle.ManifestDeployment) string { return x.Variant }, func(v string) { d.Variant = v }, o.Variant},
		{"master_dns", func(x bundle.ManifestDeployment) string { return strings.ToLower(x.MasterDNS) }, func(v string) { d.MasterDNS = v }, ""},
		{"master_port", func(x bundle.ManifestDeployment) string {
			if x.MasterPort == 0 {
				return ""
			}
			return fmt.Sprint(x.MasterPort)
		}, func(v string) { fmt.Sscan(v, &d.MasterPort) }, ""},
		{"listener", func(x bundle.ManifestDeployment) string { return strings.ToLower(x.Listener) }, func(v string) { d.Listener = v }, ""},
		{"scale_out_version", func(x bundle.ManifestDeployment) string { return x.ScaleOutVersion }, func(v string) { d.ScaleOutVersion = v }, ""},
	}
	for _, f := range fields {
		if f.over != "" {
			f.set(f.over)
			continue
		}
		var val, from string
		for _, p := range ps {
			v := f.get(p.b.Manifest.Deployment)
			if v == "" {
				continue
			}
			if val == "" {
				val, from = v, p.path
				continue
			}
			if v != val {
				hint := ""
				switch f.name {
				case "name":
					hint = " (give --deployment NAME to choose)"
				case "variant":
					hint = " (give --variant ag|fci to choose)"
				}
				return &ConflictError{Msg: fmt.Sprintf("the parts declare different deployments: deployment.%s is %q in %s but %q in %s%s", f.name, val, from, v, p.path, hint)}
			}
		}
		if val != "" {
			f.set(val)
		}
	}
	// keep the declared spelling of the case-folded fields
	for _, p := range ps {
		x := p.b.Manifest.Deployment
		if d.MasterDNS != "" && strings.EqualFold(x.MasterDNS, d.MasterDNS) {
			d.MasterDNS = x.MasterDNS
		}
		if d.Listener != "" && strings.EqualFold(x.Listener, d.Listener) {
			d.Listener = x.Listener
		}
	}
	if d.Variant == "" {
		d.Variant = "ag"
	}
	return nil
}

// findDir returns the slash path of parent/<name> in b, matched
// case-insensitively ("" when the part has no such folder).
func findDir(b *bundle.Bundle, parent, name string) string {
	for _, d := range b.ChildDirs(parent) {
		if strings.EqualFold(d, name) {
			return parent + "/" + d
		}
	}
	return ""
}

// copyTree writes every file under prefix of b to the same path under dir;
// a node folder is written under its upper-case name.
func copyTree(b *bundle.Bundle, prefix, dir string) error {
	target := prefix
	if strings.HasPrefix(prefix, "nodes/") {
		target = "nodes/" + strings.ToUpper(strings.TrimPrefix(prefix, "nodes/"))
	}
	for _, p := range b.List(prefix) {
		rel := strings.TrimPrefix(p, prefix+"/")
		clean := path.Clean("/" + rel)[1:]
		if clean == "" || clean != rel || strings.Contains(rel, "\\") {
			return fmt.Errorf("%s: refusing file name %q", b.Path, p)
		}
		data, err := b.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(target), filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// same reports whether two paths name the same existing file or directory.
func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return os.SameFile(sa, sb)
}
