package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

func newReportCmd() *cobra.Command {
	c := &cobra.Command{Use: "report", Short: "Work with saved JSON reports"}
	var input string
	var out outputFlags
	conv := &cobra.Command{
		Use:   "convert",
		Short: "Re-render a saved JSON report in other formats, without re-collecting",
		Example: `  ssis-ha-lint scan --bundle evidence/ --format json > report.json
  ssis-ha-lint report convert --input report.json --format markdown --output html=report.html`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if input == "" {
				return &exitError{code: 2, err: fmt.Errorf("give --input REPORT.json")}
			}
			if err := out.validate(); err != nil {
				return &exitError{code: 2, err: err}
			}
			f, err := os.Open(input)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("read report: %w", err)}
			}
			defer f.Close()
			rep, err := reports.ReadJSON(f)
			if err != nil {
				return &exitError{code: 2, err: fmt.Errorf("%s: %w", input, err)}
			}
			if err := out.write(c, rep); err != nil {
				return &exitError{code: 2, err: err}
			}
			return nil
		},
	}
	conv.Flags().StringVarP(&input, "input", "i", "", "JSON report written by scan --format json")
	out.register(conv)
	c.AddCommand(conv)
	return c
}
