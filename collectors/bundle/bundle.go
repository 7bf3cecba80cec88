// Package bundle reads an evidence bundle (shared/spec/bundle.md) from a
// directory, a .zip file or a .tar.gz/.tgz file into memory and validates its
// manifest. It never interprets the artifacts: that is the facts package's job.
package bundle

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
)

// Format is the value of bundle.json's "format".
const Format = "ssis-ha-lint-bundle"

// SupportedVersion is the bundle format version this reader understands.
const SupportedVersion = 1

// Limits applied while loading a bundle. They are variables so that a caller
// (or a test) can change them.
var (
	// MaxFileSize is the largest single file accepted, in bytes.
	MaxFileSize int64 = 64 << 20
	// MaxTotalSize is the largest total of all file sizes, in bytes.
	MaxTotalSize int64 = 512 << 20
	// MaxEntries is the largest number of entries (files and folders).
	MaxEntries = 100000
	// MaxJSONDepth is the deepest nesting of JSON arrays and objects
	// accepted by DecodeJSON.
	MaxJSONDepth = 64
	// MaxJSONString is the longest JSON string (key or value, in bytes as
	// written) accepted by DecodeJSON. Evidence holds names, thumbprints,
	// paths and messages: a string of megabytes is not evidence.
	MaxJSONString = 1 << 20
)

// Manifest is bundle.json.
type Manifest struct {
	Format      string             `json:"format"`
	Version     int                `json:"version"`
	CreatedUTC  string             `json:"created_utc"`
	ToolVersion string             `json:"tool_version"`
	Deployment  ManifestDeployment `json:"deployment"`
	Nodes       []ManifestNode     `json:"nodes"`
	SQL         []ManifestSQL      `json:"sql"`
}

// ManifestDeployment is what the operator declared.
type ManifestDeployment struct {
	Name            string `json:"name"`
	Variant         string `json:"variant"`
	MasterDNS       string `json:"master_dns"`
	MasterPort      int    `json:"master_port"`
	Listener        string `json:"listener"`
	ScaleOutVersion string `json:"scale_out_version"`
}

// ManifestNode is one machine of the deployment.
type ManifestNode struct {
	Name      string   `json:"name"`
	Roles     []string `json:"roles"`
	Collected bool     `json:"collected"`
	Error     string   `json:"error"`
}

// ManifestSQL is one SQL Server instance.
type ManifestSQL struct {
	Instance  string `json:"instance"`
	Collected bool   `json:"collected"`
	Error     string `json:"error"`
}

// Bundle is a bundle loaded into memory.
type Bundle struct {
	// Path is the directory or archive the bundle was read from.
	Path     string
	Manifest Manifest

	files map[string][]byte
	dirs  map[string]bool
	// names are the keys of files, sorted: List and Children find a
	// folder's files by binary search instead of scanning every file.
	names []string
}

// ManifestName is the name of the manifest file at the bundle's root.
const ManifestName = "bundle.json"

// Open reads the bundle at path: a directory, a .zip file or a .tar.gz/.tgz
// file (archives are also recognized by their first bytes).
func Open(p string) (*Bundle, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", p, err)
	}
	if st.IsDir() {
		files, err := readDir(p)
		if err != nil {
			return nil, err
		}
		return newBundle(p, files)
	}
	if st.Size() > MaxTotalSize {
		return nil, fmt.Errorf("bundle %s: archive is %d bytes, more than the limit of %d", p, st.Size(), MaxTotalSize)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", p, err)
	}
	defer f.Close()
	var head [4]byte
	n, _ := f.ReadAt(head[:], 0)
	lower := strings.ToLower(p)
	switch {
	case n >= 4 && bytes.Equal(head[:4], []byte("PK\x03\x04")), n >= 4 && bytes.Equal(head[:4], []byte("PK\x05\x06")),
		strings.HasSuffix(lower, ".zip") && !(n >= 2 && head[0] == 0x1f && head[1] == 0x8b):
		return FromZip(p, f, st.Size())
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b, strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return FromTarGz(p, f)
	}
	return nil, fmt.Errorf("bundle %s: not a directory, .zip or .tar.gz file", p)
}

// newBundle finishes loading: strips a single top-level folder, indexes the
// folders and validates the manifest.
func newBundle(p string, files map[string][]byte) (*Bundle, error) {
	files = stripTopFolder(files)
	b := &Bundle{Path: p, files: files, dirs: map[string]bool{}, names: make([]string, 0, len(files))}
	for name := range files {
		b.names = append(b.names, name)
		for d := path.Dir(name); d != "." && d != "/" && !b.dirs[d]; d = path.Dir(d) {
			b.dirs[d] = true
		}
	}
	sort.Strings(b.names)
	data, ok := files[ManifestName]
	if !ok {
		return nil, fmt.Errorf("bundle %s: %s: not found at the bundle root (is this an evidence bundle?): %w", p, ManifestName, fs.ErrNotExist)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", p, err)
	}
	b.Manifest = *m
	return b, nil
}

// stripTopFolder removes a single top-level folder that holds bundle.json
// (an archive made of the bundle's folder rather than of its content).
func stripTopFolder(files map[string][]byte) map[string][]byte {
	if _, ok := files[ManifestName]; ok {
		return files
	}
	top := ""
	for name := range files {
		i := strings.IndexByte(name, '/')
		if i < 0 {
			return files
		}
		if top == "" {
			top = name[:i]
		} else if top != name[:i] {
			return files
		}
	}
	if top == "" {
		return files
	}
	if _, ok := files[top+"/"+ManifestName]; !ok {
		return files
	}
	out := make(map[string][]byte, len(files))
	for name, data := range files {
		out[name[len(top)+1:]] = data
	}
	return out
}

// clean turns a caller's name into the key used in the files map.
func clean(name string) string {
	if isCleanRel(name) {
		return name // what the path.Clean below returns, without its allocation
	}
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	return name
}

// isCleanRel tells whether name is a non-empty slash path that path.Clean
// leaves alone and that does not start or end with a slash: no empty, "."
// or ".." element.
func isCleanRel(name string) bool {
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) && name[i] != '/' {
			continue
		}
		switch el := name[start:i]; el {
		case "", ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}

// ReadFile returns the content of the file name (a slash path relative to the
// bundle root). A missing file gives an error that matches fs.ErrNotExist.
func (b *Bundle) ReadFile(name string) ([]byte, error) {
	if b == nil {
		return nil, fmt.Errorf("%s: no bundle: %w", name, fs.ErrNotExist)
	}
	data, ok := b.files[clean(name)]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return data, nil
}

// Has tells whether the file name exists.
func (b *Bundle) Has(name string) bool {
	if b == nil {
		return false
	}
	_, ok := b.files[clean(name)]
	return ok
}

// HasDir tells whether the folder dir holds at least one file.
func (b *Bundle) HasDir(dir string) bool {
	if b == nil {
		return false
	}
	d := clean(dir)
	if d == "" {
		return len(b.files) > 0
	}
	return b.dirs[d]
}

// List returns the files under dir (recursively), sorted, as slash paths
// relative to the bundle root (for example "nodes/SQLN1/host.json"). An empty
// dir or "." lists every file.
func (b *Bundle) List(dir string) []string {
	if b == nil {
		return nil
	}
	d := clean(dir)
	prefix := ""
	if d != "" {
		prefix = d + "/"
	}
	lo := sort.SearchStrings(b.names, prefix)
	hi := lo
	for hi < len(b.names) && strings.HasPrefix(b.names[hi], prefix) {
		hi++
	}
	if lo == hi {
		return nil
	}
	return slices.Clone(b.names[lo:hi])
}

// Children returns the names of the entries (files and folders) directly in
// dir, sorted.
func (b *Bundle) Children(dir string) []string {
	seen := map[string]bool{}
	d := clean(dir)
	prefix := ""
	if d != "" {
		prefix = d + "/"
	}
	var out []string
	for _, name := range b.List(dir) {
		rest := strings.TrimPrefix(name, prefix)
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			rest = rest[:i]
		}
		if !seen[rest] {
			seen[rest] = true
			out = append(out, rest)
		}
	}
	return out
}

// ChildDirs returns the names of the folders directly in dir, sorted.
func (b *Bundle) ChildDirs(dir string) []string {
	d := clean(dir)
	var out []string
	for _, c := range b.Children(dir) {
		full := c
		if d != "" {
			full = d + "/" + c
		}
		if b.dirs[full] {
			out = append(out, c)
		}
	}
	return out
}

// ParseManifest decodes and validates bundle.json.
func ParseManifest(data []byte) (*Manifest, error) {
	var m Manifest
	if err := DecodeJSON(ManifestName, data, &m); err != nil {
		return nil, err
	}
	if m.Format != Format {
		return nil, fmt.Errorf("%s: format: got %q, want %q", ManifestName, m.Format, Format)
	}
	if m.Version != SupportedVersion {
		return nil, fmt.Errorf("%s: version: got %d, want %d (this build reads bundle format version %d only)", ManifestName, m.Version, SupportedVersion, SupportedVersion)
	}
	if m.Deployment.Variant != "ag" && m.Deployment.Variant != "fci" {
		return nil, fmt.Errorf("%s: deployment.variant: got %q, want \"ag\" or \"fci\"", ManifestName, m.Deployment.Variant)
	}
	if m.Deployment.MasterPort < 0 || m.Deployment.MasterPort > 65535 {
		return nil, fmt.Errorf("%s: deployment.master_port: got %d, want a TCP port (1-65535)", ManifestName, m.Deployment.MasterPort)
	}
	seen := map[string]int{}
	for i, n := range m.Nodes {
		name := strings.TrimSpace(n.Name)
		if name == "" {
			return nil, fmt.Errorf("%s: nodes[%d].name: got \"\", want a computer name", ManifestName, i)
		}
		if strings.ContainsAny(name, `/\:`) || name == "." || name == ".." {
			return nil, fmt.Errorf("%s: nodes[%d].name: got %q, want a computer name", ManifestName, i, n.Name)
		}
		key := strings.ToUpper(name)
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("%s: nodes[%d].name: %q is also nodes[%d].name, want unique node names", ManifestName, i, n.Name, j)
		}
		seen[key] = i
	}
	seenSQL := map[string]int{}
	for i, s := range m.SQL {
		name := strings.TrimSpace(s.Instance)
		if name == "" {
			return nil, fmt.Errorf("%s: sql[%d].instance: got \"\", want a SQL Server name", ManifestName, i)
		}
		if strings.ContainsAny(name, "/:") || strings.Contains(name, "..") {
			return nil, fmt.Errorf("%s: sql[%d].instance: got %q, want SERVER or SERVER\\INSTANCE", ManifestName, i, s.Instance)
		}
		key := strings.ToUpper(strings.Replace(name, "$", `\`, 1))
		if j, dup := seenSQL[key]; dup {
			return nil, fmt.Errorf("%s: sql[%d].instance: %q is also sql[%d].instance, want unique instances", ManifestName, i, s.Instance, j)
		}
		seenSQL[key] = i
	}
	return &m, nil
}

// errLimit builds the error for an exceeded limit.
func errLimit(bundlePath, what string, got, limit int64) error {
	return fmt.Errorf("bundle %s: %s: %d exceeds the limit of %d", bundlePath, what, got, limit)
}
