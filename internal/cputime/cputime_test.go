package cputime

import (
	"runtime"
	"testing"
	"time"
)

// 20 ms of busy work shows as at least 10 ms of CPU time on the platforms
// that measure it.
func TestProcessGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("not measured here")
	}
	start := Process()
	x := 0
	for deadline := time.Now().Add(20 * time.Millisecond); time.Now().Before(deadline); {
		for i := range 1 << 10 {
			x ^= i
		}
	}
	if d := Process() - start; d < 10*time.Millisecond {
		t.Fatalf("CPU time grew by %v after 20 ms of work (%d)", d, x)
	}
}
