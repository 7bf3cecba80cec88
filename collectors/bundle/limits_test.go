package bundle

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// TestZipDeclaredTotalRefusedBeforeInflating: entries whose declared sizes
// add up to more than MaxTotalSize are refused from the central directory,
// before anything is inflated (a zip bomb fails fast, with a message).
func TestZipDeclaredTotalRefusedBeforeInflating(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("bundle.json")
	w.Write([]byte(goodManifest))
	for i := 0; i < 3; i++ {
		// raw entries that declare 40 MiB each but hold one byte
		fw, err := zw.CreateRaw(&zip.FileHeader{Name: "nodes/SQLN1/f" + string(rune('a'+i)), Method: zip.Store,
			CompressedSize64: 1, UncompressedSize64: 40 << 20})
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte("x"))
	}
	zw.Close()
	defer func(old int64) { MaxTotalSize = old }(MaxTotalSize)
	MaxTotalSize = 100 << 20
	_, err := FromZip("bomb.zip", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err == nil || !strings.Contains(err.Error(), "bomb.zip") || !strings.Contains(err.Error(), "declare more than the limit") {
		t.Fatalf("err = %v", err)
	}
	// a declared size near 2^64 must not wrap the sum around
	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ = zw.Create("bundle.json")
	w.Write([]byte(goodManifest))
	for i := 0; i < 2; i++ {
		fw, _ := zw.CreateRaw(&zip.FileHeader{Name: "f" + string(rune('a'+i)), Method: zip.Store,
			CompressedSize64: 1, UncompressedSize64: 1<<64 - 1 - uint64(i)})
		fw.Write([]byte("x"))
	}
	zw.Close()
	if _, err := FromZip("wrap.zip", bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeJSONRefusesHugeStrings(t *testing.T) {
	defer func(old int) { MaxJSONString = old }(MaxJSONString)
	MaxJSONString = 16
	var v any
	if err := DecodeJSON("x.json", []byte(`{"a": "0123456789abcdef0123"}`), &v); err == nil || !strings.Contains(err.Error(), "x.json: JSON string at offset 6 is longer than the limit of 16 bytes") {
		t.Fatalf("err = %v", err)
	}
	if err := DecodeJSON("x.json", []byte(`{"0123456789abcdef0123": 1}`), &v); err == nil {
		t.Fatal("huge key accepted")
	}
	if err := DecodeJSON("x.json", []byte(`{"a": "0123456789\"bc"}`), &v); err != nil {
		t.Fatalf("short string with an escape refused: %v", err)
	}
	if err := CheckJSONDepth([]byte(`["`+strings.Repeat("a", 100)+`"]`), 2); err != nil {
		t.Fatalf("CheckJSONDepth limits strings: %v", err)
	}
}
