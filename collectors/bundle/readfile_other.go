//go:build !linux

package bundle

// readRegular is the fast path of readDir on Linux; elsewhere the file is
// read the ordinary way.
func (l *loader) readRegular(root, name, p string) (data []byte, ok bool, err error) {
	return nil, false, nil
}

// readDirFast is the fast path of readDir on Linux; elsewhere the bundle is
// walked the portable way.
func readDirFast(root, real string) (files map[string][]byte, ok bool) {
	return nil, false
}
