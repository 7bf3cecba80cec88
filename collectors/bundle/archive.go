package bundle

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// loader accumulates files while enforcing the limits.
type loader struct {
	bundlePath string
	files      map[string][]byte
	entries    int
	total      int64
}

func newLoader(p string) *loader {
	return &loader{bundlePath: p, files: map[string][]byte{}}
}

func (l *loader) countEntry() error {
	l.entries++
	if l.entries > MaxEntries {
		return errLimit(l.bundlePath, "number of entries", int64(l.entries), int64(MaxEntries))
	}
	return nil
}

// add reads one file of declared size (-1 when unknown) from r.
func (l *loader) add(name string, declared int64, r io.Reader) error {
	if _, dup := l.files[name]; dup {
		return fmt.Errorf("bundle %s: entry %q: appears twice", l.bundlePath, name)
	}
	if declared > MaxFileSize {
		return fmt.Errorf("bundle %s: entry %q: %d bytes exceeds the per-file limit of %d", l.bundlePath, name, declared, MaxFileSize)
	}
	if declared > 0 && l.total+declared > MaxTotalSize {
		return errLimit(l.bundlePath, "total size", l.total+declared, MaxTotalSize)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return fmt.Errorf("bundle %s: entry %q: %w", l.bundlePath, name, readErr(err))
	}
	return l.addData(name, data)
}

// addData finishes add once the content is read.
func (l *loader) addData(name string, data []byte) error {
	if int64(len(data)) > MaxFileSize {
		return fmt.Errorf("bundle %s: entry %q: more than the per-file limit of %d bytes", l.bundlePath, name, MaxFileSize)
	}
	l.total += int64(len(data))
	if l.total > MaxTotalSize {
		return errLimit(l.bundlePath, "total size", l.total, MaxTotalSize)
	}
	l.files[name] = data
	return nil
}

func readErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated or corrupt archive: %w", err)
	}
	return err
}

// CheckEntryName validates an archive entry name and returns its cleaned
// slash path. It rejects absolute paths, drive letters, backslashes and ".."
// elements (zip-slip).
func CheckEntryName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty entry name")
	case strings.ContainsRune(name, '\\'):
		return "", fmt.Errorf("entry %q: backslash in name, want a slash path (Windows PowerShell 5.1's Compress-Archive writes such names: zip the folder with another tool, or pass the folder itself)", name)
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("entry %q: absolute path, want a path relative to the bundle root", name)
	case len(name) >= 2 && name[1] == ':' && isLetter(name[0]):
		return "", fmt.Errorf("entry %q: drive letter, want a path relative to the bundle root", name)
	case strings.ContainsRune(name, 0):
		return "", fmt.Errorf("entry %q: NUL byte in name", name)
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return "", fmt.Errorf("entry %q: \"..\" in path, want a path inside the bundle", name)
		}
		if strings.ContainsRune(el, ':') {
			return "", fmt.Errorf("entry %q: colon in path element %q", name, el)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// isJunk tells whether an archive entry is metadata that archivers add
// (macOS resource forks), which would defeat the top-folder detection.
func isJunk(name string) bool {
	return name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/")
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// FromZip reads a bundle from a zip archive of the given size; name is used
// in messages and as Bundle.Path.
func FromZip(name string, r io.ReaderAt, size int64) (*Bundle, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: not a readable zip archive (truncated or corrupt?): %w", name, err)
	}
	if len(zr.File) > MaxEntries {
		return nil, errLimit(name, "number of entries", int64(len(zr.File)), int64(MaxEntries))
	}
	// The central directory declares every size: refuse a bomb before
	// inflating anything (a reader also stops at the declared size).
	var declared uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > uint64(MaxTotalSize)-declared {
			return nil, fmt.Errorf("bundle %s: total size: the entries declare more than the limit of %d bytes (a zip bomb?)", name, MaxTotalSize)
		}
		declared += f.UncompressedSize64
	}
	l := newLoader(name)
	for _, f := range zr.File {
		if err := l.countEntry(); err != nil {
			return nil, err
		}
		clean, err := CheckEntryName(f.Name)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: unsafe archive %w", name, err)
		}
		mode := f.Mode()
		if clean == "" || isJunk(clean) || mode.IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		if mode&fs.ModeSymlink != 0 || !mode.IsRegular() {
			continue // links and devices are never followed
		}
		if f.UncompressedSize64 > uint64(MaxFileSize) {
			return nil, fmt.Errorf("bundle %s: entry %q: %d bytes exceeds the per-file limit of %d", name, f.Name, f.UncompressedSize64, MaxFileSize)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("bundle %s: entry %q: %w", name, f.Name, err)
		}
		err = l.add(clean, int64(f.UncompressedSize64), rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	return newBundle(name, l.files)
}

// FromTarGz reads a bundle from a gzip-compressed tar stream; name is used
// in messages and as Bundle.Path.
func FromTarGz(name string, r io.Reader) (*Bundle, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: not a readable .tar.gz file: %w", name, readErr(err))
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	l := newLoader(name)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			// Read the rest of the gzip stream so that its checksum and
			// length are verified (a cut file is an error).
			if _, err := io.Copy(io.Discard, io.LimitReader(gz, MaxTotalSize)); err != nil {
				return nil, fmt.Errorf("bundle %s: not a readable .tar.gz file (truncated or corrupt?): %w", name, readErr(err))
			}
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bundle %s: not a readable .tar.gz file (truncated or corrupt?): %w", name, readErr(err))
		}
		if err := l.countEntry(); err != nil {
			return nil, err
		}
		entry := strings.TrimPrefix(h.Name, "./")
		if entry == "" || entry == "." {
			continue
		}
		clean, err := CheckEntryName(entry)
		if err != nil {
			return nil, fmt.Errorf("bundle %s: unsafe archive %w", name, err)
		}
		if clean == "" || isJunk(clean) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeRegA: //nolint:staticcheck // old archives use TypeRegA
		default:
			continue // folders, links, devices, PAX headers
		}
		if h.Size > MaxFileSize {
			return nil, fmt.Errorf("bundle %s: entry %q: %d bytes exceeds the per-file limit of %d", name, h.Name, h.Size, MaxFileSize)
		}
		if err := l.add(clean, h.Size, tr); err != nil {
			return nil, err
		}
	}
	return newBundle(name, l.files)
}

// readDir loads a directory bundle. Symbolic links are skipped: a bundle
// never reads anything outside its folder.
func readDir(root string) (map[string][]byte, error) {
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", root, err)
	}
	if files, ok := readDirFast(root, real); ok {
		return files, nil
	}
	return readDirPortable(root, real)
}

// readDirPortable loads the directory bundle at real (root as the caller
// named it) with filepath.WalkDir; its errors are the ones readDir gives.
func readDirPortable(root, real string) (map[string][]byte, error) {
	l := newLoader(root)
	err := filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("bundle %s: %w", root, err)
		}
		if p == real {
			return nil
		}
		if err := l.countEntry(); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // never followed
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		var rel string
		if len(p) > len(real)+1 && p[:len(real)] == real && os.IsPathSeparator(p[len(real)]) {
			rel = p[len(real)+1:] // WalkDir joins real and the names below it
		} else if rel, err = filepath.Rel(real, p); err != nil {
			return fmt.Errorf("bundle %s: %w", root, err)
		}
		name := filepath.ToSlash(rel)
		if data, ok, err := l.readRegular(root, name, p); ok {
			if err != nil {
				return err
			}
			return l.addData(name, data)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("bundle %s: %s: %w", root, name, err)
		}
		if info.Size() > MaxFileSize {
			return fmt.Errorf("bundle %s: %s: %d bytes exceeds the per-file limit of %d", root, name, info.Size(), MaxFileSize)
		}
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("bundle %s: %w", root, err)
		}
		defer f.Close()
		return l.add(name, info.Size(), f)
	})
	if err != nil {
		return nil, err
	}
	return l.files, nil
}
