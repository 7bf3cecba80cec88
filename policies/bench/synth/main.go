// Command synth writes a synthetic deployment bundle (or a fleet of them)
// for benchmarks: go run ./policies/bench/synth -nodes 100 -out DIR.
// Not part of the shipped binary.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundlegen"
)

func main() {
	nodes := flag.Int("nodes", 100, "nodes of the deployment (>= 2)")
	broken := flag.Bool("broken", false, "the broken variant (bundlegen.SyntheticBrokenRules)")
	fleet := flag.Int("fleet", 0, "write a fleet of this many healthy deployments (one subdirectory each) instead of one bundle")
	out := flag.String("out", "", "output directory (created)")
	flag.Parse()
	if *out == "" || *nodes < 2 {
		fmt.Fprintln(os.Stderr, "usage: synth -nodes N [-broken] [-fleet M] -out DIR")
		os.Exit(2)
	}
	var err error
	if *fleet > 0 {
		_, err = bundlegen.WriteFleet(*out, *fleet, *nodes)
	} else {
		err = bundlegen.Write(*out, bundlegen.Synthetic(*nodes, *broken))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}
