package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestPanicBecomesExit2: a command that panics (a bug) ends with exit 2 and
// the short internal-error message, never a stack trace.
func TestPanicBecomesExit2(t *testing.T) {
	for name, fn := range map[string]func(){
		"panic value":   func() { panic("kaboom") },
		"runtime error": func() { var m map[string]int; m["x"]++ },
		"nil pointer":   func() { var p *struct{ x int }; _ = p.x },
		"error value":   func() { panic(bytes.ErrTooLarge) },
	} {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			root := newRoot(strings.NewReader(""), &stdout, &stderr)
			root.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error { fn(); return nil }})
			code := execute(root, []string{"boom"}, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			msg := stderr.String()
			if !strings.HasPrefix(msg, "ssis-ha-lint: internal error: ") || !strings.Contains(msg, "please report it") {
				t.Errorf("message: %q", msg)
			}
			if n := strings.Count(strings.TrimSpace(msg), "\n"); n > 1 {
				t.Errorf("want a short message (two lines at most), got %d lines:\n%s", n+1, msg)
			}
			for _, bad := range []string{"goroutine ", ".go:", "runtime/debug"} {
				if strings.Contains(msg, bad) {
					t.Errorf("message contains %q:\n%s", bad, msg)
				}
			}
		})
	}
}

// TestRunRecoversToo: run itself (newRoot + execute) has the same guard;
// a normal command still gets its own exit code.
func TestRunRecoversToo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "ssis-ha-lint ") {
		t.Fatalf("version: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"no-such-command"}, strings.NewReader(""), &stdout, &stderr); code != 2 || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
		t.Fatalf("unknown command: exit %d, %q", code, stderr.String())
	}
	code := func() (code int) {
		defer recoverExit(&stderr, &code)
		panic("from run")
	}()
	if code != 2 {
		t.Errorf("recoverExit: code %d", code)
	}
}
