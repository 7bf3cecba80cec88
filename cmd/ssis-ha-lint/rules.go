package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
)

func newRulesCmd() *cobra.Command {
	var policyDirs []string
	var profile string
	c := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog (rules show ID for one rule's documentation)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			eng, err := policies.Load(context.Background(), policyDirs...)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			tw := tabwriter.NewWriter(c.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tVARIANT\tPROFILES\tTITLE")
			for _, m := range eng.Rules() {
				if profile != "" && !policies.InProfile(m, profile) {
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Severity, m.Variant, strings.Join(m.Profiles, ","), m.Title)
			}
			return tw.Flush()
		},
	}
	c.Flags().StringArrayVar(&policyDirs, "policy", nil, "directory of extra .rego policies (repeatable)")
	c.Flags().StringVar(&profile, "profile", "", "only the rules of this profile (ha, pre-upgrade)")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one rule: why it matters at failover, the facts it reads, the fix, the source",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			eng, err := policies.Load(context.Background(), policyDirs...)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			m, ok := eng.Rule(args[0])
			if !ok {
				return &exitError{code: 2, err: fmt.Errorf("no rule %q (ssis-ha-lint rules lists them)", args[0])}
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "%s — %s\n\n", m.ID, m.Title)
			fmt.Fprintf(w, "Severity:    %s\nVariant:     %s\nProfiles:    %s\nFamily:      %s\n\n", m.Severity, m.Variant, strings.Join(m.Profiles, ", "), m.Family)
			fmt.Fprintf(w, "What must hold\n  %s\n\n", m.Description)
			fmt.Fprintf(w, "Why it matters at failover\n  %s\n\n", m.Why)
			fmt.Fprintf(w, "Facts read\n")
			for _, f := range m.Facts {
				fmt.Fprintf(w, "  - %s\n", f)
			}
			fmt.Fprintf(w, "\nFix (%s)\n  %s\n\n", m.Fix, m.Remediation)
			fmt.Fprintf(w, "Source\n  %s\n  %s\n", m.Source, m.DocURL)
			return nil
		},
	}
	c.AddCommand(show, newRulesExportCmd())
	return c
}

// newRulesExportCmd writes the embedded policies (without their tests) to a
// directory, for opa eval or conftest on the facts of "ssis-ha-lint facts".
func newRulesExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "export DIR",
		Short: "Write the embedded .rego policies (tests left out) to DIR, for opa or conftest",
		Example: `  ssis-ha-lint rules export rego/
  ssis-ha-lint facts --bundle evidence/ > facts.json
  opa eval -d rego/ -i facts.json data.ssis.main.results`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			srcs, err := policies.Embedded()
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			n := 0
			for _, s := range srcs {
				if policies.IsTest(s.Name) {
					continue
				}
				rel := strings.TrimPrefix(s.Name, "policies/")
				p := filepath.Join(args[0], filepath.FromSlash(rel))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return &exitError{code: 2, err: err}
				}
				if err := os.WriteFile(p, []byte(s.Text), 0o644); err != nil {
					return &exitError{code: 2, err: err}
				}
				n++
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %d policy files to %s (entrypoint %s)\n", n, args[0], policies.Query)
			return nil
		},
	}
}

func newPolicyCmd() *cobra.Command {
	c := &cobra.Command{Use: "policy", Short: "Work with the Rego policies"}
	test := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run the Rego unit tests of the embedded policies and of custom policy directories",
		RunE: func(c *cobra.Command, args []string) error {
			// The embedded tests run against the embedded policies alone
			// (some assert on the whole result set); a custom directory's
			// tests run against the embedded policies plus that directory.
			ctx := context.Background()
			eng, err := policies.Load(ctx)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			res, err := eng.RunTests(ctx)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if len(args) > 0 {
				custom, err := policies.Load(ctx, args...)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				more, err := custom.RunTests(ctx)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				n := 0
				for _, r := range more {
					if !strings.HasPrefix(r.File, "policies/") {
						res = append(res, r)
						n++
					}
				}
				if n == 0 {
					return &exitError{code: 2, err: fmt.Errorf("no Rego tests found in %s", strings.Join(args, ", "))}
				}
			}
			w := c.OutOrStdout()
			pass, fail, skip := 0, 0, 0
			for _, r := range res {
				switch {
				case r.Skip:
					skip++
				case r.Fail || r.Error != "":
					fail++
					fmt.Fprintf(w, "FAIL %s:%d %s.%s %s\n", r.File, r.Row, r.Package, r.Name, r.Error)
					if r.Output != "" {
						fmt.Fprintf(w, "%s\n", strings.TrimRight(r.Output, "\n"))
					}
				default:
					pass++
				}
			}
			fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", pass, fail, skip)
			if len(res) == 0 {
				return &exitError{code: 2, err: fmt.Errorf("no Rego tests found")}
			}
			if fail > 0 {
				return exitCode(1)
			}
			return nil
		},
	}
	c.AddCommand(test)
	return c
}
