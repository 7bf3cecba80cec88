package reports

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, name := range Names() {
		f, err := Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", name, err)
		}
		if f.Name() != name {
			t.Errorf("Lookup(%q).Name() = %q", name, f.Name())
		}
		if g, err := Lookup(strings.ToUpper(name)); err != nil || g.Name() != name {
			t.Errorf("Lookup is case-sensitive for %q", name)
		}
	}
	if _, err := Lookup("yaml"); err == nil || !strings.Contains(err.Error(), "text") {
		t.Errorf("Lookup(yaml) error = %v, want the list of formats", err)
	}
}

func TestNewSetsOptions(t *testing.T) {
	f, err := New("text", Options{Color: true, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	tf := f.(*TextFormatter)
	if !tf.Color || !tf.Quiet {
		t.Fatalf("options not applied: %+v", tf)
	}
}

func TestLookupAlias(t *testing.T) {
	f, err := Lookup("md")
	if err != nil || f.Name() != "markdown" {
		t.Fatalf("Lookup(md) = %v, %v", f, err)
	}
	for _, n := range Names() {
		if n == "md" {
			t.Fatal("aliases must not be listed by Names")
		}
	}
}
