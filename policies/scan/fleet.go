package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// RunFleet scans several bundles (one deployment each) with one compiled
// engine, up to GOMAXPROCS at a time. opts applies to every bundle
// (opts.Bundle is ignored). The reports are in the order of paths; the
// entry of a bundle that could not be scanned is nil and its error, named
// by path, is part of the returned error (errors.Join), so that the other
// deployments are still reported.
func RunFleet(ctx context.Context, eng *policies.Engine, paths []string, opts Options) ([]*reports.Report, error) {
	reps := make([]*reports.Report, len(paths))
	var errs []error
	err := RunFleetEach(ctx, eng, paths, opts, func(i int, rep *reports.Report, err error) error {
		reps[i] = rep
		if err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return reps, errors.Join(errs...)
}

// RunFleetEach is RunFleet handing each deployment's report (or its error,
// named by path) to fn as soon as it and every earlier one are done, in
// the order of paths, on the calling goroutine; a caller that does not keep
// the reports keeps the memory of a large fleet flat. An error from fn
// stops the scan and is returned.
func RunFleetEach(ctx context.Context, eng *policies.Engine, paths []string, opts Options, fn func(i int, rep *reports.Report, err error) error) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	// One deployment per core: each evaluation stays on its goroutine.
	ctx, cancel := context.WithCancel(policies.WithSerialEvaluation(ctx))
	defer cancel()
	type done struct {
		i   int
		rep *reports.Report
		err error
	}
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	next := make(chan int)
	results := make(chan done, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				o := opts
				o.Bundle = paths[i]
				rep, _, err := Run(ctx, eng, o)
				if err != nil {
					rep, err = nil, fmt.Errorf("%s: %w", paths[i], err)
				}
				results <- done{i, rep, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range paths {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := map[int]done{}
	deliver := 0
	var ferr error
	for d := range results {
		if ferr != nil {
			continue // drain
		}
		pending[d.i] = d
		for {
			x, ok := pending[deliver]
			if !ok {
				break
			}
			delete(pending, deliver)
			deliver++
			if err := fn(x.i, x.rep, x.err); err != nil {
				ferr = err
				cancel()
				break
			}
		}
	}
	if ferr != nil {
		return ferr
	}
	if deliver < len(paths) {
		// cancelled: report the bundles never scanned
		for i := deliver; i < len(paths); i++ {
			if err := fn(i, nil, fmt.Errorf("%s: %w", paths[i], context.Cause(ctx))); err != nil {
				return err
			}
		}
	}
	return nil
}

// FleetDir lists the bundles of a fleet directory: every subdirectory and
// every .zip, .tar.gz or .tgz file directly in dir, sorted by name.
func FleetDir(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("fleet directory: %w", err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		switch {
		case e.IsDir():
		case hasSuffixFold(name, ".zip"), hasSuffixFold(name, ".tar.gz"), hasSuffixFold(name, ".tgz"):
		default:
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("fleet directory %s: no bundle (a subdirectory, .zip or .tar.gz per deployment)", dir)
	}
	return out, nil
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// WorstExitCode is the exit code of a fleet: 2 when a bundle could not be
// scanned (a nil report), else 1 when any deployment has failing findings,
// else 3 when any has unknown checks, else 0.
func WorstExitCode(reps []*reports.Report) int {
	rank := map[int]int{0: 0, 3: 1, 1: 2, 2: 3}
	worst := 0
	for _, r := range reps {
		code := 2
		if r != nil {
			code = r.ExitCode
		}
		if rank[code] > rank[worst] {
			worst = code
		}
	}
	return worst
}
