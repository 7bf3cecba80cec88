package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// outputFlags are the report flags shared by scan and report convert.
type outputFlags struct {
	format  string
	outputs []string
	quiet   bool
	color   string

	sarifAnchor        string
	sarifIncludeWaived bool
	sarifOmitUnknown   bool
	sarifBaseDir       string
	// anchorLines maps a node to its line in the anchor file (the
	// inventory's node entries); set by the command, not a flag.
	anchorLines map[string]int
}

func (o *outputFlags) register(c *cobra.Command) {
	fl := c.Flags()
	fl.StringVarP(&o.format, "format", "f", "text", "format written to stdout: "+strings.Join(reports.Names(), ", "))
	fl.StringArrayVarP(&o.outputs, "output", "o", nil, "also write FORMAT=PATH (repeatable), e.g. --output sarif=out.sarif --output html=report.html")
	fl.BoolVarP(&o.quiet, "quiet", "q", false, "text: print the summary line only")
	fl.StringVar(&o.color, "color", "auto", "text colour: auto (a terminal without NO_COLOR), always, never")
	fl.StringVar(&o.sarifAnchor, "sarif-anchor", "", "SARIF: anchor every result on this file of your repository (default: the inventory, else the bundle artifact)")
	fl.BoolVar(&o.sarifIncludeWaived, "sarif-include-waived", false, "SARIF: keep waived results, as suppressions")
	fl.BoolVar(&o.sarifOmitUnknown, "sarif-omit-unknown", false, "SARIF: leave out unknown results (kind open)")
	fl.StringVar(&o.sarifBaseDir, "sarif-base-dir", "", "SARIF: make locations relative to this directory (default: the working directory, e.g. the repository checkout)")
}

func (o *outputFlags) formatterOptions() reports.Options {
	opts := reports.Options{
		Quiet:              o.quiet,
		SARIFIncludeWaived: o.sarifIncludeWaived,
		SARIFOmitUnknown:   o.sarifOmitUnknown,
		BaseDir:            o.sarifBaseDir,
	}
	if o.sarifAnchor != "" {
		opts.SARIFAnchor = &reports.SARIFAnchor{Path: o.sarifAnchor, Lines: o.anchorLines}
	}
	return opts
}

type target struct {
	format string
	path   string // "" = stdout
}

func (o *outputFlags) targets() ([]target, error) {
	ts := []target{{format: o.format}}
	for _, spec := range o.outputs {
		f, p, ok := strings.Cut(spec, "=")
		if !ok || f == "" || p == "" {
			return nil, fmt.Errorf("--output %q: want FORMAT=PATH, e.g. sarif=out.sarif", spec)
		}
		ts = append(ts, target{format: f, path: p})
	}
	for _, t := range ts {
		if _, err := reports.New(t.format, reports.Options{}); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

func (o *outputFlags) validate() error {
	switch o.color {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("--color %q: want auto, always or never", o.color)
	}
	_, err := o.targets()
	return err
}

// useColor: only on a terminal, never with NO_COLOR set.
func (o *outputFlags) useColor(w io.Writer) bool {
	switch o.color {
	case "always":
		return true
	case "never":
		return false
	}
	if v, ok := os.LookupEnv("NO_COLOR"); ok && v != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// write renders the report in every requested format. Files are written
// whole (created or truncated) so an old, longer report never survives.
func (o *outputFlags) write(c *cobra.Command, rep *reports.Report) error {
	ts, err := o.targets()
	if err != nil {
		return err
	}
	for _, t := range ts {
		opts := o.formatterOptions()
		if t.path == "" {
			opts.Color = o.useColor(c.OutOrStdout())
			f, err := reports.New(t.format, opts)
			if err != nil {
				return err
			}
			bw := bufio.NewWriter(c.OutOrStdout())
			if err := f.Write(bw, rep); err != nil {
				return fmt.Errorf("write %s report: %w", t.format, err)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("write %s report: %w", t.format, err)
			}
			continue
		}
		opts.Quiet = false
		f, err := reports.New(t.format, opts)
		if err != nil {
			return err
		}
		if err := writeFile(t.path, func(w io.Writer) error { return f.Write(w, rep) }); err != nil {
			return fmt.Errorf("write %s report %s: %w", t.format, t.path, err)
		}
	}
	return nil
}

func writeFile(path string, fn func(io.Writer) error) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := fn(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
