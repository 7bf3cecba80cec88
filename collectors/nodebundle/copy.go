package nodebundle

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// CopyNode copies node srcNode of an earlier collection into
// bundleDir/nodes/<name> (replacing what is there) and returns that
// directory. src is a bundle (directory with bundle.json, .zip or .tar.gz,
// read through collectors/bundle, so archive entry names are checked) or a
// directory holding one node's artifacts (host.json, services.json, ...). This
// is how an inventory node with `bundle:` is collected.
func CopyNode(bundleDir, name, src, srcNode string) (string, error) {
	name = strings.ToUpper(strings.TrimSpace(name))
	if err := ValidNodeName(name); err != nil {
		return "", err
	}
	if srcNode == "" {
		srcNode = name
	}
	files, err := readSource(src, "nodes/"+srcNode)
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", fmt.Errorf("%s has no node %s (no files under nodes/%s)", src, srcNode, srcNode)
	}
	return replaceNodeDir(bundleDir, name, func(dir string) error { return writeFiles(dir, files) })
}

// CopySQL copies the sql/<INSTANCE>/... results of an earlier bundle into
// bundleDir/sql and returns the instance names copied, sorted.
func CopySQL(bundleDir, src string) ([]string, error) {
	b, err := bundle.Open(src)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	seen := map[string]bool{}
	for _, p := range b.List("sql") {
		rel := strings.TrimPrefix(p, "sql/")
		inst, _, ok := strings.Cut(rel, "/")
		if !ok {
			continue
		}
		data, err := b.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files[rel] = data
		seen[inst] = true
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s has no sql/ results", src)
	}
	if err := writeFiles(filepath.Join(bundleDir, "sql"), files); err != nil {
		return nil, err
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// readSource returns the files under prefix (relative to it, slash paths).
func readSource(src, prefix string) (map[string][]byte, error) {
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	if st.IsDir() && !exists(filepath.Join(src, bundle.ManifestName)) && !exists(filepath.Join(src, "nodes")) {
		return readLoneNodeDir(src)
	}
	b, err := bundle.Open(src)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, p := range b.List(prefix) {
		data, err := b.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(p, prefix+"/")] = data
	}
	return out, nil
}

func readLoneNodeDir(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // never follow links out of the evidence
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	return out, err
}

func writeFiles(dir string, files map[string][]byte) error {
	for rel, data := range files {
		clean := path.Clean("/" + rel)[1:]
		if clean == "" || clean != rel || strings.Contains(rel, "\\") {
			return fmt.Errorf("refusing file name %q", rel)
		}
		p := filepath.Join(dir, filepath.FromSlash(clean))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
