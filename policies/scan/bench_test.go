package scan

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundlegen"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/internal/cputime"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// The benchmarks below run on synthetic deployments (bundlegen.Synthetic)
// written once per process into a temporary directory; they only run with
// -bench (go test -run '^$' -bench Synthetic -benchmem ./policies/scan).

// TestMain runs the tests and benchmarks with the binary's GC setting
// (policies.TuneGC), so that the numbers are those of ssis-ha-lint scan.
func TestMain(m *testing.M) {
	policies.TuneGC()
	os.Exit(m.Run())
}

// benchSizes are the deployment sizes (nodes) of issue 8.
var benchSizes = []int{2, 10, 100, 500}

// synthBundle writes the n-node synthetic bundle below dir and returns its path.
func synthBundle(tb testing.TB, dir string, n int, broken bool) string {
	tb.Helper()
	p := filepath.Join(dir, fmt.Sprintf("nodes-%d-broken-%v", n, broken))
	if err := bundlegen.Write(p, bundlegen.Synthetic(n, broken)); err != nil {
		tb.Fatal(err)
	}
	return p
}

// loop runs fn b.N times and reports the CPU time per op besides the wall
// time (ns/op).
func loop(b *testing.B, fn func() error) {
	b.Helper()
	start := cputime.Process()
	n := 0
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cputime.Process()-start)/float64(n)/1e6, "cpu-ms/op")
	}
}

func benchOpts(path string) Options {
	o := opts("healthy-ag")
	o.Bundle = path
	if err := o.Validate(); err != nil {
		panic(err)
	}
	return o
}

// BenchmarkSynthetic measures each stage of a scan for every size:
// read (bundle.Open), normalize (facts.Normalize), input (facts → AST
// value), evaluate (the prepared query only), report (evaluate + waivers +
// report building: scan.Evaluate), format=<f> (one formatter writing to
// io.Discard) and scan (read + normalize + report: scan.Run). The policies
// are compiled once, outside the measurement.
func BenchmarkSynthetic(b *testing.B) {
	e := engine(b)
	ctx := context.Background()
	// A benchmark with sub-benchmarks runs once: its TempDir outlives them.
	dir := b.TempDir()
	for _, n := range benchSizes {
		for _, broken := range []bool{false, true} {
			name := fmt.Sprintf("nodes=%d", n)
			if broken {
				name += "/broken"
			}
			b.Run(name, func(b *testing.B) {
				path := synthBundle(b, dir, n, broken)
				o := benchOpts(path)
				bun, err := bundle.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				doc, err := facts.Normalize(bun)
				if err != nil {
					b.Fatal(err)
				}
				input, err := policies.InputValue(doc, Params(o))
				if err != nil {
					b.Fatal(err)
				}
				rep, err := Evaluate(ctx, e, doc, o)
				if err != nil {
					b.Fatal(err)
				}
				b.Run("read", func(b *testing.B) {
					loop(b, func() error { _, err := bundle.Open(path); return err })
				})
				b.Run("normalize", func(b *testing.B) {
					loop(b, func() error { _, err := facts.Normalize(bun); return err })
				})
				b.Run("input", func(b *testing.B) {
					loop(b, func() error { _, err := policies.InputValue(doc, Params(o)); return err })
				})
				b.Run("evaluate", func(b *testing.B) {
					loop(b, func() error { _, err := e.Evaluate(ctx, input); return err })
				})
				b.Run("report", func(b *testing.B) {
					loop(b, func() error { _, err := Evaluate(ctx, e, doc, o); return err })
				})
				if !broken {
					for _, f := range reports.Names() {
						fm, err := reports.New(f, reports.Options{})
						if err != nil {
							b.Fatal(err)
						}
						b.Run("format="+f, func(b *testing.B) {
							loop(b, func() error { return fm.Write(io.Discard, rep) })
						})
					}
				}
				b.Run("scan", func(b *testing.B) {
					loop(b, func() error { _, _, err := Run(ctx, e, o); return err })
				})
			})
		}
	}
}

// BenchmarkFleet scans fleets of M healthy 10-node deployments with one
// engine, in parallel up to GOMAXPROCS (RunFleet). One op is the whole
// fleet.
func BenchmarkFleet(b *testing.B) {
	e := engine(b)
	ctx := context.Background()
	for _, m := range []int{100, 1000} {
		b.Run(fmt.Sprintf("deployments=%d", m), func(b *testing.B) {
			paths, err := bundlegen.WriteFleet(b.TempDir(), m, 10)
			if err != nil {
				b.Fatal(err)
			}
			o := benchOpts(paths[0])
			loop(b, func() error {
				reps, err := RunFleet(ctx, e, paths, o)
				if err == nil && len(reps) != m {
					err = fmt.Errorf("%d reports, want %d", len(reps), m)
				}
				return err
			})
		})
	}
}
