package nodebundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteNode writes the node's artifacts as <bundleDir>/nodes/<NODE>/... and
// returns the node directory. The node directory is built beside the final
// one and then swapped in, so a re-collection never leaves stale files of an
// earlier run. errors.json is always written (an empty list when nothing
// failed). The error is about writing only; collection errors are in a.Errors.
func WriteNode(bundleDir string, a *NodeArtifacts) (string, error) {
	name := strings.ToUpper(strings.TrimSpace(a.Name))
	if err := ValidNodeName(name); err != nil {
		return "", err
	}
	return replaceNodeDir(bundleDir, name, func(dir string) error {
		if err := writeNodeFiles(dir, a); err != nil {
			return fmt.Errorf("writing node %s: %w", name, err)
		}
		return nil
	})
}

// replaceNodeDir fills a new directory beside <bundleDir>/nodes/<name> with
// fill, then swaps it in for whatever is there and returns its path: a
// failed fill leaves the old directory as it was, and a new one never keeps
// stale files of an earlier run.
func replaceNodeDir(bundleDir, name string, fill func(dir string) error) (string, error) {
	nodesDir := filepath.Join(bundleDir, "nodes")
	if err := os.MkdirAll(nodesDir, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(nodesDir, "."+name+".tmp-")
	if err != nil {
		return "", err
	}
	defer RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return "", err
	}
	final := filepath.Join(nodesDir, name)
	if err := RemoveAll(final); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	return final, nil
}

func writeNodeFiles(dir string, a *NodeArtifacts) error {
	errs := append([]ArtifactError{}, a.Errors...)
	if a.Host != nil {
		if err := writeJSON(filepath.Join(dir, "host.json"), a.Host); err != nil {
			return err
		}
	}
	if a.Services != nil {
		if err := writeJSON(filepath.Join(dir, "services.json"), a.Services); err != nil {
			return err
		}
	}
	for _, st := range a.Stores {
		loc, store := safeName(st.Location), safeName(st.Store)
		if loc == "" || store == "" {
			errs = append(errs, ArtifactError{Artifact: ArtifactCerts, Error: fmt.Sprintf("bad store name %q\\%q", st.Location, st.Store)})
			continue
		}
		sdir := filepath.Join(dir, "certs", loc, store)
		if err := os.MkdirAll(sdir, 0o755); err != nil {
			return err
		}
		for _, c := range st.Certs {
			if len(c.DER) == 0 {
				continue
			}
			tp := c.Thumbprint()
			if err := os.WriteFile(filepath.Join(sdir, tp+".cer"), c.DER, 0o644); err != nil {
				return err
			}
			side := Sidecar{Store: loc + `\` + store, HasPrivateKey: c.HasPrivateKey, FriendlyName: c.FriendlyName, PrivateKeyReaders: c.PrivateKeyReaders}
			if err := writeJSON(filepath.Join(sdir, tp+".json"), side); err != nil {
				return err
			}
		}
	}
	if a.Files != nil {
		list := []File{}
		seen := map[string]bool{}
		for _, f := range a.Files {
			n := safeName(f.Name)
			if n == "" || seen[strings.ToLower(n)] {
				errs = append(errs, ArtifactError{Artifact: ArtifactFiles + "/" + f.Name, Error: "bad or duplicate file name"})
				continue
			}
			seen[strings.ToLower(n)] = true
			f.Name = n
			if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "files", n), f.Data, 0o644); err != nil {
				return err
			}
			list = append(list, f)
		}
		if err := writeJSON(filepath.Join(dir, "files.json"), list); err != nil {
			return err
		}
	}
	if a.Registry != nil {
		if err := writeJSON(filepath.Join(dir, "registry.json"), a.Registry); err != nil {
			return err
		}
	}
	if a.HTTPSys != nil {
		if err := os.WriteFile(filepath.Join(dir, "httpsys.txt"), []byte(*a.HTTPSys), 0o644); err != nil {
			return err
		}
	}
	if a.Firewall != nil {
		if err := writeJSON(filepath.Join(dir, "firewall.json"), a.Firewall); err != nil {
			return err
		}
	}
	if a.Cluster != nil {
		if err := writeJSON(filepath.Join(dir, "cluster.json"), a.Cluster); err != nil {
			return err
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Artifact < errs[j].Artifact })
	return writeJSON(filepath.Join(dir, "errors.json"), errs)
}

// RemoveAll is os.RemoveAll with a fallback that removes entries one by one
// with os.Remove: under Wine 8, os.RemoveAll's unlinkat path fails with
// "Invalid function" (FileDispositionInformationEx is not implemented).
func RemoveAll(path string) error {
	err := os.RemoveAll(path)
	if err == nil {
		return nil
	}
	var paths []string
	walkErr := filepath.Walk(path, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if walkErr != nil {
		if os.IsNotExist(walkErr) {
			return nil
		}
		return err
	}
	for i := len(paths) - 1; i >= 0; i-- {
		if rerr := os.Remove(paths[i]); rerr != nil && !os.IsNotExist(rerr) {
			return rerr
		}
	}
	return nil
}

// safeName returns name if it is usable as one path element, else "".
func safeName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `\/:*?"<>|`) || strings.ContainsRune(name, 0) {
		return ""
	}
	return name
}

// MarshalJSON renders v as the bundle writes JSON: two-space indent, no HTML
// escaping, trailing newline.
func MarshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(path string, v any) error {
	b, err := MarshalJSON(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
