//go:debug x509negativeserial=1

// Command ssis-ha-lint audits SSIS Scale Out high-availability deployments.
// This package only wires command-line flags to the packages that do the
// work.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the CLI and returns the exit code. A panic that escapes a
// command becomes exit 2 with a short message instead of a stack trace.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer recoverExit(stderr, &code)
	return execute(newRoot(stdin, stdout, stderr), args, stderr)
}

// execute runs root with args and turns its error (or panic) into an exit
// code, printing the message on stderr.
func execute(root *cobra.Command, args []string, stderr io.Writer) (code int) {
	defer recoverExit(stderr, &code)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "ssis-ha-lint: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "ssis-ha-lint: %v\n", err)
	return 2
}

// recoverExit, deferred, turns a panic into exit 2 and a short message.
func recoverExit(stderr io.Writer, code *int) {
	if p := recover(); p != nil {
		fmt.Fprintf(stderr, "ssis-ha-lint: internal error: %v\n(this is a bug: please report it with the command line and, if you can, the bundle)\n", p)
		*code = 2
	}
}

// exitError carries an exit code out of a command; err (optional) is
// printed on stderr.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func exitCode(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code: code}
}
