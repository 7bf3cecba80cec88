package sqlserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// WriteBundle writes res into the bundle directory dir:
// sql/<INSTANCE>/<query_id>.json for every result set and
// sql/<INSTANCE>/errors.json (an array, empty when nothing failed), with
// <INSTANCE> the ServerName with `\` written as `$`. It then adds or
// replaces the manifest's "sql" entries ({instance, collected, error}) in
// dir/bundle.json, creating a minimal manifest (format, version 1,
// created_utc, tool_version, deployment.variant, nodes: [], sql) when there
// is none. Other fields of an existing manifest are kept as they are.
func WriteBundle(dir string, res *Result) error {
	if res == nil {
		return errors.New("sqlserver: nil result")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var entries []bundle.ManifestSQL
	seen := map[string]bool{}
	for _, inst := range sortedInstances(res.Instances) {
		name := inst.Dir()
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/:*?"<>|`) {
			name = safeDirName(name)
		}
		if seen[strings.ToUpper(name)] {
			continue // the same instance twice (two names for one server)
		}
		seen[strings.ToUpper(name)] = true
		idir := filepath.Join(dir, "sql", name)
		if err := os.MkdirAll(idir, 0o755); err != nil {
			return err
		}
		for _, rs := range inst.Results {
			if err := writeJSON(filepath.Join(idir, rs.QueryID+".json"), rs); err != nil {
				return err
			}
		}
		errs := inst.Errors
		if errs == nil {
			errs = []QueryError{}
		}
		if err := writeJSON(filepath.Join(idir, "errors.json"), errs); err != nil {
			return err
		}
		entries = append(entries, bundle.ManifestSQL{Instance: name, Collected: inst.Collected, Error: inst.Error})
	}
	return updateManifest(dir, res, entries)
}

func safeDirName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`/:*?"<>|`, r) || r < 32 {
			b.WriteByte('_')
		} else {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 || b.String() == "." || b.String() == ".." {
		return "UNKNOWN"
	}
	return b.String()
}

func writeJSON(path string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// updateManifest merges the sql entries into bundle.json.
func updateManifest(dir string, res *Result, entries []bundle.ManifestSQL) error {
	path := filepath.Join(dir, bundle.ManifestName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		variant := res.Variant
		if variant == "" {
			variant = "ag" // required by the format; the operator's inventory overrides it
		}
		created := res.StartedUTC
		if created.IsZero() {
			created = time.Now().UTC()
		}
		tv := res.ToolVersion
		if tv == "" {
			tv = "dev"
		}
		m := bundle.Manifest{
			Format:      bundle.Format,
			Version:     bundle.SupportedVersion,
			CreatedUTC:  created.UTC().Format(time.RFC3339),
			ToolVersion: tv,
			Deployment:  bundle.ManifestDeployment{Variant: variant},
			Nodes:       []bundle.ManifestNode{},
			SQL:         entries,
		}
		if m.SQL == nil {
			m.SQL = []bundle.ManifestSQL{}
		}
		return writeJSON(path, m)
	}
	if err != nil {
		return err
	}
	old, err := bundle.ParseManifest(data)
	if err != nil {
		return fmt.Errorf("existing %s: %w", path, err)
	}
	merged := []bundle.ManifestSQL{}
	replaced := map[string]bool{}
	for _, e := range entries {
		replaced[sqlKey(e.Instance)] = true
	}
	for _, e := range old.SQL {
		if !replaced[sqlKey(e.Instance)] {
			merged = append(merged, e)
		}
	}
	merged = append(merged, entries...)
	// keep every other field byte for byte: only "sql" is replaced
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(bundleText(data), &raw); err != nil {
		return fmt.Errorf("existing %s: %w", path, err)
	}
	sqlJSON, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	raw["sql"] = sqlJSON
	return writeJSON(path, raw)
}

func sqlKey(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "$", `\`)) }

// bundleText strips a UTF-8 BOM.
func bundleText(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }
