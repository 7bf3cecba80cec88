//go:build !windows

package main

import "os"

// enableVT: terminals elsewhere process ANSI escapes.
func enableVT(*os.File) bool { return true }
