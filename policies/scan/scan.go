// Package scan runs the checking half of the pipeline on one evidence
// bundle: read → normalize → evaluate → waivers → findings report.
package scan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/waivers"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// Options of one scan.
type Options struct {
	// Bundle is the path of the evidence bundle (directory, .zip, .tar.gz).
	Bundle        string
	Profile       string
	TargetVersion string
	FailOn        string
	AllowUnknown  bool
	Waivers       *waivers.File
	// Now is the wall clock for waiver expiry (rules use the bundle's
	// collection time instead).
	Now         time.Time
	ToolVersion string
}

// Validate checks the options that do not depend on the input.
func (o *Options) Validate() error {
	switch o.Profile {
	case "":
		o.Profile = policies.ProfileHA
	case policies.ProfileHA, policies.ProfilePreUpgrade:
	default:
		return fmt.Errorf("--profile %q: want %s or %s", o.Profile, policies.ProfileHA, policies.ProfilePreUpgrade)
	}
	if o.Profile == policies.ProfilePreUpgrade && o.TargetVersion == "" {
		return fmt.Errorf("--profile pre-upgrade needs --target-version (e.g. 160)")
	}
	if o.FailOn == "" {
		o.FailOn = "medium"
	}
	if err := reports.ValidFailOn(o.FailOn); err != nil {
		return err
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	return nil
}

// Facts reads and normalizes a bundle.
func Facts(path string) (*facts.Document, error) {
	b, err := bundle.Open(path)
	if err != nil {
		return nil, err
	}
	doc, err := facts.Normalize(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// Run scans one bundle.
func Run(ctx context.Context, eng *policies.Engine, opts Options) (*reports.Report, *facts.Document, error) {
	if err := opts.Validate(); err != nil {
		return nil, nil, err
	}
	doc, err := Facts(opts.Bundle)
	if err != nil {
		return nil, nil, err
	}
	r, err := Evaluate(ctx, eng, doc, opts)
	return r, doc, err
}

// Params is the "params" object of the policy input.
func Params(opts Options) map[string]any {
	return map[string]any{"profile": opts.Profile, "target_version": opts.TargetVersion}
}

// Evaluate checks a facts document and builds the report.
func Evaluate(ctx context.Context, eng *policies.Engine, doc *facts.Document, opts Options) (*reports.Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	input, err := policies.InputValue(doc, Params(opts))
	if err != nil {
		return nil, err
	}
	results, err := eng.Evaluate(ctx, input)
	if err != nil {
		return nil, err
	}
	kept := results[:0]
	rules := map[string]reports.RuleMeta{}
	for _, r := range results {
		m, _ := eng.Rule(r.Rule)
		if !policies.InProfile(m, opts.Profile) || !policies.AppliesTo(m, doc.Deployment.Variant) {
			continue
		}
		kept = append(kept, r)
		rules[m.ID] = m
	}
	rep := &reports.Report{
		Tool:       reports.Tool{Name: "ssis-ha-lint", Version: opts.ToolVersion, PolicyBundle: eng.Digest()},
		Deployment: reports.DeploymentRef{Name: doc.Deployment.Name, Variant: doc.Deployment.Variant},
		Profile:    opts.Profile,
		Bundle:     reports.BundleRef{Path: doc.Bundle.Path, CreatedUTC: doc.Bundle.CreatedUTC},
		Results:    kept,
		Rules:      rules,
		Warnings:   []string{},
	}
	rep.Warnings = append(rep.Warnings, partialWarnings(doc)...)
	rep.Partial = len(rep.Warnings) > 0
	rep.Warnings = append(rep.Warnings, opts.Waivers.Apply(doc.Deployment.Name, rep.Results, opts.Now)...)
	policies.SortResults(rep.Results)
	rep.Topology = Topology(doc, rep.Results)
	rep.Upgrade = reports.PlanUpgrade(rep, doc.Deployment.MasterVersion, opts.TargetVersion)
	rep.Summarize()
	rep.Gate(opts.FailOn, opts.AllowUnknown)
	return rep, nil
}

// partialWarnings names every node and instance that was not collected.
func partialWarnings(doc *facts.Document) []string {
	var w []string
	for _, name := range slices.Sorted(maps.Keys(doc.Nodes)) {
		n := doc.Nodes[name]
		if !n.Collected {
			w = append(w, fmt.Sprintf("node %s was not collected: %s", name, orUnknown(n.Error)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(doc.SQL)) {
		i := doc.SQL[name]
		if !i.Collected {
			w = append(w, fmt.Sprintf("SQL instance %s was not collected: %s", name, orUnknown(i.Error)))
		}
	}
	return w
}

func orUnknown(s string) string {
	if s == "" {
		return "no reason given"
	}
	return s
}
