package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports/fix"
)

// fleetFlags scan several deployments in one run (scan --fleet).
type fleetFlags struct {
	paths []string
}

func (f *fleetFlags) register(c *cobra.Command) {
	c.Flags().StringArrayVar(&f.paths, "fleet", nil, "scan several deployments in parallel with one compiled policy set: a directory "+
		"with one bundle per subdirectory (or .zip/.tar.gz), or a bundle (repeatable); the exit code is the worst one")
}

func (f *fleetFlags) active() bool { return len(f.paths) > 0 }

// bundles expands the --fleet values: a bundle (a directory with
// bundle.json, or an archive) stands for itself, any other directory for
// its bundles.
func (f *fleetFlags) bundles() ([]string, error) {
	var out []string
	for _, p := range f.paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--fleet: %w", err)
		}
		if !st.IsDir() || regularFile(filepath.Join(p, "bundle.json")) {
			out = append(out, p)
			continue
		}
		more, err := scan.FleetDir(p)
		if err != nil {
			return nil, fmt.Errorf("--fleet: %w", err)
		}
		out = append(out, more...)
	}
	return out, nil
}

func regularFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// formatExt is the file extension of a report format (--output FORMAT=DIR
// in fleet mode writes DIR/<deployment>.<ext>).
var formatExt = map[string]string{"text": "txt", "markdown": "md", "junit": "xml"}

// runFleet scans every bundle of --fleet. Stdout gets, per deployment, the
// text report (with --quiet its summary line), prefixed by the bundle, and
// a closing fleet line; --output FORMAT=DIR writes one file per deployment
// into DIR; --fix-dir DIR writes DIR/<deployment>/.
func runFleet(c *cobra.Command, f *scanFlags) error {
	if f.bundle != "" {
		return &exitError{code: 2, err: fmt.Errorf("give either --bundle or --fleet, not both")}
	}
	if f.out.format != "text" {
		return &exitError{code: 2, err: fmt.Errorf("--fleet prints text on stdout; write other formats per deployment with --output %s=DIR", f.out.format)}
	}
	if err := f.out.validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	paths, err := f.fleet.bundles()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	opts := scan.Options{Profile: f.profile, TargetVersion: f.targetVersion, FailOn: f.failOn,
		AllowUnknown: f.allowUnknown, ToolVersion: version}
	if opts.Waivers, err = loadWaivers(f.waivers); err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := opts.Validate(); err != nil {
		return &exitError{code: 2, err: err}
	}
	ctx := context.Background()
	eng, err := policies.Load(ctx, f.policyDirs...)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	stdout := bufio.NewWriter(c.OutOrStdout())
	defer stdout.Flush()
	textOpts := f.out.formatterOptions()
	textOpts.Color = f.out.useColor(c.OutOrStdout())
	text, err := reports.New("text", textOpts)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	targets, err := f.out.targets()
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	// Each deployment is written out as soon as it (and every earlier one)
	// is scanned, and not kept.
	codes := make([]*reports.Report, 0, len(paths))
	var failing, unknown, broken int
	err = scan.RunFleetEach(ctx, eng, paths, opts, func(i int, rep *reports.Report, err error) error {
		if err != nil {
			broken++
			codes = append(codes, nil)
			fmt.Fprintf(c.ErrOrStderr(), "ssis-ha-lint: %v\n", err)
			return nil
		}
		codes = append(codes, &reports.Report{ExitCode: rep.ExitCode})
		switch rep.ExitCode {
		case 1:
			failing++
		case 3:
			unknown++
		}
		name := deploymentFileName(rep, paths[i])
		var buf bytes.Buffer
		if err := text.Write(&buf, rep); err != nil {
			return err
		}
		if f.out.quiet {
			fmt.Fprintf(stdout, "%s: %s", paths[i], buf.String())
		} else {
			fmt.Fprintf(stdout, "== %s (%s)\n%s\n", paths[i], rep.Deployment.Name, buf.String())
		}
		for _, t := range targets[1:] {
			fm, err := reports.New(t.format, f.out.formatterOptions())
			if err != nil {
				return err
			}
			ext := t.format
			if e, ok := formatExt[t.format]; ok {
				ext = e
			}
			p := filepath.Join(t.path, name+"."+ext)
			if err := writeFile(p, func(w io.Writer) error { return fm.Write(w, rep) }); err != nil {
				return fmt.Errorf("write %s report %s: %w", t.format, p, err)
			}
		}
		if f.fixDir != "" {
			if _, err := fix.Write(filepath.Join(f.fixDir, name), rep, fix.Options{RescanCommand: fix.DefaultRescanCommand(paths[i])}); err != nil {
				return fmt.Errorf("write fix scripts: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	code := scan.WorstExitCode(codes)
	fmt.Fprintf(stdout, "fleet: %d deployments, %d with failing findings, %d with unknown checks, %d not scanned — exit %d\n",
		len(codes), failing, unknown, broken, code)
	if err := stdout.Flush(); err != nil {
		return &exitError{code: 2, err: err}
	}
	return exitCode(code)
}

// deploymentFileName names a deployment's files: the bundle's base name
// (unique within a fleet directory), without an archive extension.
func deploymentFileName(rep *reports.Report, path string) string {
	base := filepath.Base(filepath.Clean(path))
	for _, ext := range []string{".tar.gz", ".tgz", ".zip"} {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			base = base[:len(base)-len(ext)]
			break
		}
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		base = rep.Deployment.Name
	}
	return base
}
