package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/waivers"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports/fix"
)

type scanFlags struct {
	bundle        string
	profile       string
	targetVersion string
	failOn        string
	allowUnknown  bool
	waivers       string
	policyDirs    []string
	fixDir        string
	out           outputFlags
	fleet         fleetFlags
	sql           sqlFlags
	inventory     string
	progress      progressFlags
}

func (f *scanFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVarP(&f.bundle, "bundle", "b", "", "evidence bundle to scan: a directory, .zip or .tar.gz")
	fl.StringVar(&f.profile, "profile", policies.ProfileHA, "rule profile: ha or pre-upgrade")
	fl.StringVar(&f.targetVersion, "target-version", "", "pre-upgrade profile: the SQL Server version folder to upgrade to (150, 160)")
	fl.StringVar(&f.failOn, "fail-on", "medium", "exit 1 when a failing finding is at or above this severity: critical|high|medium|low|info|none")
	fl.BoolVar(&f.allowUnknown, "allow-unknown", false, "exit 0 instead of 3 when checks are unknown because facts are missing")
	fl.StringVar(&f.waivers, "waivers", "", "waiver file (YAML); see docs")
	fl.StringArrayVar(&f.policyDirs, "policy", nil, "directory of extra .rego policies (repeatable)")
	fl.StringVar(&f.fixDir, "fix-dir", "", "also write fix scripts for the failing findings into this directory")
	f.out.register(c)
	f.fleet.register(c)
	f.sql.register(c)
	fl.StringVarP(&f.inventory, "inventory", "i", "", "inventory file (ssis-ha.yaml): collect every node and the SQL side into a temporary bundle, then scan it")
	f.progress.register(c)
}

func (f *scanFlags) options() (scan.Options, error) {
	opts := scan.Options{
		Bundle: f.bundle, Profile: f.profile, TargetVersion: f.targetVersion,
		FailOn: f.failOn, AllowUnknown: f.allowUnknown, ToolVersion: version,
	}
	inputs := 0
	for _, in := range []string{f.bundle, f.sql.server, f.inventory} {
		if in != "" {
			inputs++
		}
	}
	if inputs == 0 {
		return opts, fmt.Errorf("no input: give --bundle DIR|ZIP|TAR.GZ, -i INVENTORY or --sql SERVER to collect first")
	}
	if inputs > 1 {
		return opts, fmt.Errorf("give only one of --bundle, -i and --sql")
	}
	if f.waivers == "" && f.inventory != "" {
		// the waivers kept beside the inventory apply by default
		if p := filepath.Join(filepath.Dir(f.inventory), waivers.DefaultFile); regularFileExists(p) {
			f.waivers = p
		}
	}
	w, err := loadWaivers(f.waivers)
	if err != nil {
		return opts, err
	}
	opts.Waivers = w
	return opts, opts.Validate()
}

func newScanCmd() *cobra.Command {
	var f scanFlags
	c := &cobra.Command{
		Use:   "scan",
		Short: "Check a deployment's evidence bundle and report",
		Example: `  ssis-ha-lint scan --bundle testdata/bundles/healthy-ag
  ssis-ha-lint scan --bundle evidence.zip --format json --output sarif=out.sarif --fail-on high
  ssis-ha-lint scan --bundle evidence/ --profile pre-upgrade --target-version 160
  ssis-ha-lint scan -i ssis-ha.yaml --output sarif=out.sarif`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			policies.TuneGC()
			if f.fleet.active() {
				return runFleet(c, &f)
			}
			opts, err := f.options()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if err := f.out.validate(); err != nil {
				return &exitError{code: 2, err: err}
			}
			ctx := context.Background()
			// compiled while the bundle is read and normalized
			pending := scan.LoadAsync(func() (*policies.Engine, error) { return policies.Load(ctx, f.policyDirs...) })
			if f.inventory != "" || f.sql.server != "" {
				// a policy error stops the command before a collection
				if _, err := pending.Wait(); err != nil {
					return &exitError{code: 2, err: err}
				}
			}
			rescan := fix.DefaultRescanCommand(f.bundle)
			if f.inventory != "" {
				inv, err := loadInventory(f.inventory)
				if err != nil {
					return err
				}
				if f.out.sarifAnchor == "" {
					f.out.sarifAnchor = f.inventory
					f.out.anchorLines = map[string]int{}
					for _, n := range inv.Nodes {
						f.out.anchorLines[n.Name] = inv.NodeLine(n.Name)
					}
				}
				dir, err := os.MkdirTemp("", "ssis-ha-lint-bundle-")
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer os.RemoveAll(dir)
				if _, err := collectInventory(ctx, inv, dir, f.progress, &f.sql, f.out.quiet, c.InOrStdin(), c.ErrOrStderr()); err != nil {
					return err
				}
				opts.Bundle = dir
				rescan = strings.Replace(fix.DefaultRescanCommand(f.inventory), "--bundle", "-i", 1)
			}
			if f.sql.server != "" {
				dir, err := os.MkdirTemp("", "ssis-ha-lint-bundle-")
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer os.RemoveAll(dir)
				if err := f.sql.collectSQL(ctx, dir, c.InOrStdin(), c.ErrOrStderr()); err != nil {
					return &exitError{code: 2, err: err}
				}
				opts.Bundle = dir
			}
			rep, _, err := scan.RunPending(ctx, pending, opts)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if f.fixDir != "" {
				if _, err := fix.Write(f.fixDir, rep, fix.Options{RescanCommand: rescan}); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("write fix scripts: %w", err)}
				}
			}
			if err := f.out.write(c, rep); err != nil {
				return &exitError{code: 2, err: err}
			}
			return exitCode(rep.ExitCode)
		},
	}
	f.register(c)
	return c
}

func regularFileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
