//go:build linux

package bundle

import (
	"fmt"
	"io/fs"
	"syscall"
)

// readRegular reads the regular file at p (name is its bundle path) with
// the fewest system calls: open, fstat, read, close, without the os.File
// machinery (poller registration, non-blocking mode switches, cleanup).
// ok is false when the caller should read the file the ordinary way, which
// reports any problem with the same messages as before (the file cannot be
// opened or stat'ed, or is no longer a regular file). With ok true, err is
// the error to return for this file (a file over the limits or a read
// error), else data is its whole content.
func (l *loader) readRegular(root, name, p string) (data []byte, ok bool, err error) {
	var fd int
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, false, nil
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, false, nil
	}
	size := st.Size
	if size > MaxFileSize {
		return nil, true, fmt.Errorf("bundle %s: %s: %d bytes exceeds the per-file limit of %d", root, name, size, MaxFileSize)
	}
	if size > 0 && l.total+size > MaxTotalSize {
		return nil, true, errLimit(l.bundlePath, "total size", l.total+size, MaxTotalSize)
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
			return nil, true, fmt.Errorf("bundle %s: entry %q: %w", l.bundlePath, name, readErr(&fs.PathError{Op: "read", Path: p, Err: err}))
		}
		if n <= 0 {
			break
		}
		buf = buf[:len(buf)+n]
	}
	return buf, true, nil
}
