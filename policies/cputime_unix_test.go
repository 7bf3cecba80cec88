//go:build unix

package policies

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the process has used; the
// benchmarks report it per op as cpu-ms/op, which a busy shared machine
// disturbs less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
