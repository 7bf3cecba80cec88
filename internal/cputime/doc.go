// Package cputime reads the CPU time the process has used. The benchmarks
// report it per operation (cpu-ms/op), which a busy shared machine
// disturbs less than wall time.
package cputime
