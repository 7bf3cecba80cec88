package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "ssis-ha-lint",
		Short: "Audit SSIS Scale Out high-availability deployments",
		Long: `ssis-ha-lint collects facts from every node of an SSIS Scale Out deployment set up for
high availability (masters in a Windows failover cluster, SSISDB in an Always On
availability group or on a failover cluster instance, workers), checks them against
Microsoft's documented requirements with embedded Rego policies, reports the result
(text, JSON, SARIF, JUnit, Markdown, HTML) and writes fix scripts.

Exit codes: 0 no failing finding at or above --fail-on; 1 failing findings;
2 the tool could not do its job (bad flags or input); 3 no failure, but some
checks are unknown because facts are missing.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 2, err: err}
	})
	root.AddCommand(
		newScanCmd(),
		newFactsCmd(),
		newRulesCmd(),
		newSchemaCmd(),
		newPolicyCmd(),
		newReportCmd(),
		newFixCmd(),
		newCollectCmd(),
		newBundleCmd(),
		newVersionCmd(),
	)
	return root
}
