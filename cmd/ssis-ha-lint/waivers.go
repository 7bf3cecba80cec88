package main

import (
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/waivers"
)

func loadWaivers(path string) (*waivers.File, error) {
	if path == "" {
		return nil, nil
	}
	return waivers.Load(path)
}
