package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
)

func newFactsCmd() *cobra.Command {
	var bundlePath string
	c := &cobra.Command{
		Use:   "facts",
		Short: "Print the normalized facts document of a bundle (the policies' input)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if bundlePath == "" {
				return &exitError{code: 2, err: fmt.Errorf("give --bundle DIR|ZIP|TAR.GZ")}
			}
			doc, err := scan.Facts(bundlePath)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			enc := json.NewEncoder(c.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(doc); err != nil {
				return &exitError{code: 2, err: fmt.Errorf("write facts: %w", err)}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&bundlePath, "bundle", "b", "", "evidence bundle: a directory, .zip or .tar.gz")
	return c
}

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the facts document (for writing custom policies)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := c.OutOrStdout().Write(facts.Schema())
			return err
		},
	}
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the policy bundle digest",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			eng, err := policies.Load(context.Background())
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "ssis-ha-lint %s\n", version)
			fmt.Fprintf(w, "policies     %s (%d rules, catalog version 1)\n", eng.Digest(), len(eng.Rules()))
			fmt.Fprintf(w, "bundle       format version 1\n")
			fmt.Fprintf(w, "go           %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
