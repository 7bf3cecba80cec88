package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports/fix"
)

func newFixCmd() *cobra.Command {
	var f scanFlags
	var outDir string
	c := &cobra.Command{
		Use:     "fix",
		Short:   "Write fix scripts (PowerShell per node, T-SQL per instance) for a bundle's failing findings",
		Example: `  ssis-ha-lint fix --bundle evidence/ --out fixes/`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if outDir == "" {
				return &exitError{code: 2, err: fmt.Errorf("give --out DIR")}
			}
			opts, err := f.options()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			ctx := context.Background()
			eng, err := policies.Load(ctx, f.policyDirs...)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			rep, _, err := scan.Run(ctx, eng, opts)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			plan, err := fix.Write(outDir, rep, fix.Options{RescanCommand: fix.DefaultRescanCommand(f.bundle)})
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("write fix scripts: %w", err)}
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %d file(s) to %s for %d fix(es), %d manual step(s); start with %s\n",
				len(plan.Files), outDir, plan.Fixed, len(plan.Manual), filepath.Join(outDir, "README.md"))
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVarP(&f.bundle, "bundle", "b", "", "evidence bundle: a directory, .zip or .tar.gz")
	fl.StringVar(&outDir, "out", "", "directory to write README.md, <NODE>.ps1 and <INSTANCE>.sql into")
	fl.StringVar(&f.profile, "profile", policies.ProfileHA, "rule profile: ha or pre-upgrade")
	fl.StringVar(&f.targetVersion, "target-version", "", "pre-upgrade profile: target version folder (160)")
	fl.StringVar(&f.waivers, "waivers", "", "waiver file: waived findings get no fix")
	fl.StringArrayVar(&f.policyDirs, "policy", nil, "directory of extra .rego policies (repeatable)")
	f.failOn = "none"
	f.allowUnknown = true
	return c
}
