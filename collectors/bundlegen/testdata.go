package bundlegen

import (
	"os"
	"path/filepath"
)

// OwnedPaths are the paths below testdata/ that WriteTestdata writes (and
// that TestTestdata compares); everything else in testdata/ belongs to
// someone else.
func OwnedPaths() []string {
	var p []string
	for _, e := range Examples() {
		p = append(p, "bundles/"+e.Name)
	}
	p = append(p, "bundles/README.md")
	for _, m := range malformed() {
		p = append(p, "malformed/"+m.name)
	}
	return p
}

// WriteTestdata writes every example bundle, the README and the malformed
// inputs below root (the repository's testdata directory). Owned paths are
// removed first so that stale files do not survive.
func WriteTestdata(root string) error {
	for _, p := range OwnedPaths() {
		if err := os.RemoveAll(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			return err
		}
	}
	for _, e := range Examples() {
		if err := Write(filepath.Join(root, "bundles", e.Name), e.Build()); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(root, "bundles", "README.md"), README(), 0o644); err != nil {
		return err
	}
	for _, m := range malformed() {
		if err := m.write(filepath.Join(root, "malformed", m.name)); err != nil {
			return err
		}
	}
	return nil
}
