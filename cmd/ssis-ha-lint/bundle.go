package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/collect"
)

func newBundleCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "bundle",
		Short: "Work with evidence bundles (merge parts collected separately)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return &exitError{code: 2, err: fmt.Errorf("give a subcommand: bundle merge")}
		},
	}
	c.AddCommand(newBundleMergeCmd())
	return c
}

func newBundleMergeCmd() *cobra.Command {
	var out, name, variant string
	var quiet bool
	c := &cobra.Command{
		Use:   "merge --out DIR PART...",
		Short: "Combine bundle parts (collect --local on each node, collect --sql) into one bundle",
		Long: `Combine bundle parts into one evidence bundle: the node parts written by
"collect --local" on each node, a SQL part written by "collect --sql", or whole
bundles (directories, .zip or .tar.gz). The merged bundle.json lists every node
and SQL instance of every part. A node or SQL instance found in two parts, or
parts that declare different deployments, is an error (exit 2); --deployment
and --variant settle the deployment's name and variant.`,
		Example: `  ssis-ha-lint bundle merge --out evidence/ part-SQLN1 part-SQLN2 part-WRK1.zip part-sql
  ssis-ha-lint scan --bundle evidence/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, parts []string) error {
			if out == "" {
				return &exitError{code: 2, err: fmt.Errorf("give --out DIR")}
			}
			if len(parts) == 0 {
				return &exitError{code: 2, err: fmt.Errorf("give the parts to merge: bundle merge --out DIR PART...")}
			}
			res, err := collect.Merge(out, parts, collect.MergeOptions{Name: name, Variant: variant, ToolVersion: version})
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("bundle merge: %w", err)}
			}
			stderr := c.ErrOrStderr()
			for _, w := range res.Warnings {
				fmt.Fprintf(stderr, "ssis-ha-lint: warning: %s\n", w)
			}
			if !quiet {
				fmt.Fprintf(stderr, "merged %d parts into %s: %d nodes, %d SQL instances; next: ssis-ha-lint scan --bundle %s\n",
					len(parts), out, len(res.Manifest.Nodes), len(res.Manifest.SQL), out)
			}
			return nil
		},
	}
	fl := c.Flags()
	fl.StringVar(&out, "out", "", "directory to write the merged bundle into (new or empty)")
	fl.StringVar(&name, "deployment", "", "the deployment's name (overrides the parts')")
	fl.StringVar(&variant, "variant", "", "the deployment's variant, ag or fci (overrides the parts')")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing but errors and warnings")
	return c
}
