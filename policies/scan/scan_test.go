package scan

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

var (
	engOnce sync.Once
	eng     *policies.Engine
	engErr  error
)

func engine(tb testing.TB) *policies.Engine {
	tb.Helper()
	engOnce.Do(func() { eng, engErr = policies.Load(context.Background()) })
	if engErr != nil {
		tb.Fatal(engErr)
	}
	return eng
}

func bundlePath(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "bundles", name)
}

func opts(b string) Options {
	return Options{Bundle: bundlePath(b), ToolVersion: "test", Now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
}

func TestHealthyAGHasNoFailureOrUnknown(t *testing.T) {
	rep, doc, err := Run(context.Background(), engine(t), opts("healthy-ag"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Fail != 0 || rep.Summary.Unknown != 0 || rep.ExitCode != 0 {
		for _, r := range rep.Results {
			if r.Status != reports.StatusPass {
				t.Errorf("%s %s %s: %s", r.Status, r.Rule, r.Subject.Node, r.Message)
			}
		}
	}
	if rep.Summary.Pass == 0 {
		t.Fatal("no passing result: nothing was checked")
	}
	if rep.Topology == nil || len(rep.Topology.Nodes) != len(doc.Nodes) || rep.Topology.MasterDNS == "" {
		t.Errorf("topology not filled: %+v", rep.Topology)
	}
	if rep.Tool.PolicyBundle == "" || rep.Deployment.Variant != "ag" {
		t.Errorf("report header: %+v %+v", rep.Tool, rep.Deployment)
	}
	for id := range rep.Rules {
		if _, ok := engine(t).Rule(id); !ok {
			t.Errorf("report names rule %s that the engine does not know", id)
		}
	}
}

// Rules of the other variant yield nothing (variant awareness).
func TestVariantFiltering(t *testing.T) {
	for _, b := range []string{"healthy-ag", "healthy-fci"} {
		rep, doc, err := Run(context.Background(), engine(t), opts(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Results {
			m, _ := engine(t).Rule(r.Rule)
			if !policies.AppliesTo(m, doc.Deployment.Variant) {
				t.Errorf("%s: %s (variant %s) reported on a %s deployment", b, r.Rule, m.Variant, doc.Deployment.Variant)
			}
		}
	}
}

func TestProfileFiltering(t *testing.T) {
	o := opts("healthy-ag")
	o.Profile = policies.ProfilePreUpgrade
	o.TargetVersion = "160"
	rep, _, err := Run(context.Background(), engine(t), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) == 0 {
		t.Fatal("pre-upgrade profile ran nothing")
	}
	for _, r := range rep.Results {
		m, _ := engine(t).Rule(r.Rule)
		if !policies.InProfile(m, policies.ProfilePreUpgrade) {
			t.Errorf("%s (severity %s, profiles %v) ran in pre-upgrade", r.Rule, m.Severity, m.Profiles)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{
		{Profile: "nope"},
		{Profile: policies.ProfilePreUpgrade},
		{FailOn: "severe"},
	} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// BenchmarkScanHealthyAG measures normalize + evaluate + report building
// of the healthy example (the bundle is read once; policies compiled once).
func BenchmarkScanHealthyAG(b *testing.B) {
	e := engine(b)
	o := opts("healthy-ag")
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	doc, err := Facts(o.Bundle)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("normalize", func(b *testing.B) {
		for b.Loop() {
			if _, err := Facts(o.Bundle); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, err := Evaluate(ctx, e, doc, o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read+normalize+evaluate", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := Run(ctx, e, o); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompile measures the once-per-process policy compile.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := policies.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
