// Package waivers reads a waiver file and applies it to scan results: a
// waived failing result stops counting for the exit code until its waiver
// expires.
package waivers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// DefaultFile is looked up beside the inventory.
const DefaultFile = ".ssis-ha-lint-waivers.yaml"

// Waiver is one entry of the file.
type Waiver struct {
	Rule       string `yaml:"rule"`
	Deployment string `yaml:"deployment"`
	Node       string `yaml:"node"`
	Object     string `yaml:"object"`
	Reason     string `yaml:"reason"`
	Owner      string `yaml:"owner"`
	Expires    string `yaml:"expires"`

	expires time.Time
	line    int
}

// File is a parsed waiver file.
type File struct {
	Path    string
	Waivers []*Waiver
}

// Load reads and validates a waiver file.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read waivers %s: %w", path, err)
	}
	return Parse(path, b)
}

// maxSize bounds a waiver file; a larger one is refused.
const maxSize = 4 << 20

// Parse parses waiver file content; name is used in error messages.
func Parse(name string, b []byte) (*File, error) {
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s: waiver file larger than %d bytes", name, maxSize)
	}
	var doc struct {
		Waivers []yaml.Node `yaml:"waivers"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty waiver file, want a top-level 'waivers:' list", name)
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	f := &File{Path: name}
	for i := range doc.Waivers {
		n := &doc.Waivers[i]
		w := &Waiver{line: n.Line}
		if err := n.Decode(w); err != nil {
			return nil, fmt.Errorf("%s:%d: waiver %d: %s", name, n.Line, i+1, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if err := checkKeys(n); err != nil {
			return nil, fmt.Errorf("%s:%d: waiver %d: %w", name, n.Line, i+1, err)
		}
		w.Rule = strings.ToUpper(strings.TrimSpace(w.Rule))
		w.Node = strings.ToUpper(strings.TrimSpace(w.Node))
		var missing []string
		if w.Rule == "" {
			missing = append(missing, "rule")
		}
		if strings.TrimSpace(w.Reason) == "" {
			missing = append(missing, "reason")
		}
		if strings.TrimSpace(w.Expires) == "" {
			missing = append(missing, "expires")
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s:%d: waiver %d: missing %s (every waiver needs a rule, a reason and an expiry date)", name, n.Line, i+1, strings.Join(missing, ", "))
		}
		t, err := time.Parse("2006-01-02", strings.TrimSpace(w.Expires))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: waiver %d: expires %q, want a date like 2027-03-31", name, n.Line, i+1, w.Expires)
		}
		w.expires = t.Add(24*time.Hour - time.Nanosecond) // valid through the whole day, UTC
		f.Waivers = append(f.Waivers, w)
	}
	return f, nil
}

var knownKeys = map[string]bool{"rule": true, "deployment": true, "node": true, "object": true, "reason": true, "owner": true, "expires": true}

func checkKeys(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("want a mapping with rule, reason, expires")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !knownKeys[k] {
			return fmt.Errorf("line %d: unknown key %q (known: rule, deployment, node, object, reason, owner, expires)", n.Content[i].Line, k)
		}
	}
	return nil
}

func (w *Waiver) matches(deployment string, r *reports.Result) bool {
	if w.Rule != r.Rule {
		return false
	}
	if w.Deployment != "" && !strings.EqualFold(w.Deployment, deployment) {
		return false
	}
	if w.Node != "" && !strings.EqualFold(w.Node, r.Subject.Node) {
		return false
	}
	if w.Object != "" && !strings.EqualFold(w.Object, r.Subject.Object) {
		return false
	}
	return true
}

// Apply marks matching failing results waived (or records an expired
// waiver on them) and returns warnings: expired and stale waivers.
func (f *File) Apply(deployment string, results []reports.Result, now time.Time) []string {
	if f == nil {
		return nil
	}
	var warnings []string
	used := make([]bool, len(f.Waivers))
	for i := range results {
		r := &results[i]
		if r.Status != reports.StatusFail {
			continue
		}
		for j, w := range f.Waivers {
			if !w.matches(deployment, r) {
				continue
			}
			used[j] = true
			expired := now.After(w.expires)
			r.Waiver = &reports.Waiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Expired: expired}
			if !expired {
				r.Status = reports.StatusWaived
				break
			}
		}
	}
	for j, w := range f.Waivers {
		switch {
		case now.After(w.expires):
			warnings = append(warnings, fmt.Sprintf("%s:%d: waiver for %s expired on %s and no longer waives anything", f.Path, w.line, w.Rule, w.Expires))
		case !used[j]:
			warnings = append(warnings, fmt.Sprintf("%s:%d: waiver for %s%s matched no failing result (stale: remove it)", f.Path, w.line, w.Rule, scope(w)))
		}
	}
	return warnings
}

func scope(w *Waiver) string {
	var parts []string
	if w.Deployment != "" {
		parts = append(parts, "deployment "+w.Deployment)
	}
	if w.Node != "" {
		parts = append(parts, "node "+w.Node)
	}
	if w.Object != "" {
		parts = append(parts, "object "+w.Object)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
