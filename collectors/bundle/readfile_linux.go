//go:build linux

package bundle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// readDirFast loads the directory bundle at real (root as the caller named
// it) with few, cheap system calls: every folder and file is opened
// relative to its parent folder's descriptor (the kernel resolves one name,
// not the whole path), and files are read with open, fstat and read
// without the os.File machinery. It gives exactly the files readDir's walk
// gives; ok is false at the first problem of any kind (a limit exceeded, a
// folder or file that cannot be read), and the caller then walks the
// bundle the portable way, which words the error.
func readDirFast(root, real string) (files map[string][]byte, ok bool) {
	fd, err := openat(atFDCWD, real, syscall.O_DIRECTORY)
	if err != nil {
		return nil, false
	}
	l := newLoader(root)
	if !l.walkFD(fd, len(real), "") {
		return nil, false
	}
	return l.files, true
}

// pathMax is Linux's PATH_MAX: a path this long (with its NUL) is refused.
const pathMax = 4096

// atFDCWD is Linux's AT_FDCWD (the syscall package does not export it):
// openat resolves a relative path from the working directory.
const atFDCWD = -0x64

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// walkFD loads the folder open as fd (closed on return), whose path is
// plen bytes long and whose bundle path is prefix ("" or ending with "/").
func (l *loader) walkFD(fd, plen int, prefix string) bool {
	entries, ok := readDirents(fd)
	if !ok {
		syscall.Close(fd)
		return false
	}
	defer syscall.Close(fd)
	for _, e := range entries {
		l.entries++
		if l.entries > MaxEntries {
			return false
		}
		if plen+1+len(e.name) >= pathMax {
			// The portable walk names files by their whole path, which
			// the kernel refuses from this length: let it decide.
			return false
		}
		switch e.typ {
		case syscall.DT_DIR:
			sub, err := openat(fd, e.name, syscall.O_DIRECTORY)
			if err != nil || !l.walkFD(sub, plen+1+len(e.name), prefix+e.name+"/") {
				return false
			}
		case syscall.DT_REG:
			f, err := openat(fd, e.name, 0)
			if err != nil {
				return false
			}
			bname := prefix + e.name
			data, _, err := l.readFD(f, bname, "")
			syscall.Close(f)
			if err != nil || l.addData(bname, data) != nil {
				return false
			}
		case syscall.DT_UNKNOWN:
			return false // a file system without types: the portable walk stats
		default:
			// links are never followed; devices, pipes and sockets skipped
		}
	}
	return true
}

// dirent is a folder entry: its name and its DT_ type.
type dirent struct {
	name string
	typ  uint8
}

// readDirents lists the folder open as fd, without "." and "..", in the
// order the kernel gives (the caller does not need any order).
func readDirents(fd int) ([]dirent, bool) {
	var out []dirent
	buf := make([]byte, 8192)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n < 0 || n > len(buf) {
			return nil, false
		}
		if n == 0 {
			return out, true
		}
		// One string for the names of this batch: the names are slices
		// of it. A linux_dirent64 is d_ino (8 bytes), d_off (8), d_reclen
		// (2), d_type (1) and the NUL-terminated name.
		text := string(buf[:n])
		for off := 0; off < n; {
			if n-off < 19 {
				return nil, false
			}
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen < 19 || reclen > n-off {
				return nil, false
			}
			name := text[off+19 : off+reclen]
			if i := strings.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			typ := buf[off+18]
			off += reclen
			if name == "." || name == ".." {
				continue
			}
			if name == "" || strings.IndexByte(name, '/') >= 0 {
				return nil, false
			}
			out = append(out, dirent{name, typ})
		}
	}
}

// readRegular reads the regular file at p (name is its bundle path) with
// the fewest system calls: open, fstat, read, close, without the os.File
// machinery (poller registration, non-blocking mode switches, cleanup).
// ok is false when the caller should read the file the ordinary way, which
// reports any problem with the same messages as before (the file cannot be
// opened or stat'ed, or is no longer a regular file). With ok true, err is
// the error to return for this file (a file over the limits or a read
// error), else data is its whole content.
func (l *loader) readRegular(root, name, p string) (data []byte, ok bool, err error) {
	fd, err := openat(atFDCWD, p, 0)
	if err != nil {
		return nil, false, nil
	}
	defer syscall.Close(fd)
	data, size, err := l.readFD(fd, name, p)
	switch err {
	case errNotRegular:
		return nil, false, nil
	case errTooBig:
		return nil, true, fmt.Errorf("bundle %s: %s: %d bytes exceeds the per-file limit of %d", root, name, size, MaxFileSize)
	}
	return data, true, err
}

// Errors of readFD that its callers word themselves.
var (
	errNotRegular = errors.New("not a regular file")
	errTooBig     = errors.New("over the per-file limit")
)

// readFD reads the regular file open as fd (name its bundle path, p its
// path, for errors: "" when the caller words them) and returns its content and its size as fstat tells. A file over
// MaxFileSize gives errTooBig, a file that is not regular errNotRegular.
func (l *loader) readFD(fd int, name, p string) ([]byte, int64, error) {
	var st syscall.Stat_t
	var err error
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, 0, errNotRegular
	}
	size := st.Size
	if size > MaxFileSize {
		return nil, size, errTooBig
	}
	if size > 0 && l.total+size > MaxTotalSize {
		return nil, size, errLimit(l.bundlePath, "total size", l.total+size, MaxTotalSize)
	}
	// One byte more than the size, so that the read that finds the end of
	// the file does not grow the buffer; the file may still change size
	// while it is read, and MaxFileSize+1 bytes are enough to refuse it.
	buf := make([]byte, 0, min(size, MaxFileSize)+1)
	for int64(len(buf)) <= MaxFileSize {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):min(int64(cap(buf)), MaxFileSize+1)]
		n, err := syscall.Read(fd, room)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, size, fmt.Errorf("bundle %s: entry %q: %w", l.bundlePath, name, readErr(&fs.PathError{Op: "read", Path: p, Err: err}))
		}
		if n <= 0 {
			break
		}
		buf = buf[:len(buf)+n]
		if n < len(room) && int64(len(buf)) == size {
			// A short read of a regular file is its end, here where
			// fstat said: no read is needed to find it.
			break
		}
	}
	return buf, size, nil
}
