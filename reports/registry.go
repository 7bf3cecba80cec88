package reports

import (
	"fmt"
	"strings"
)

// Options carries every formatter option, so the CLI can build any formatter
// from its flags with New. Each formatter only reads its own fields.
type Options struct {
	// Color and Quiet: text.
	Color bool
	Quiet bool

	// SARIF: see SARIFFormatter.
	SARIFIncludeWaived bool
	SARIFOmitUnknown   bool
	SARIFAnchor        *SARIFAnchor
	BaseDir            string
	InformationURI     string
}

// formatters in the order Names lists them; aliases map to a canonical name.
var (
	formatterNames = []string{"text", "json", "sarif", "junit", "markdown", "html"}
	aliases        = map[string]string{"md": "markdown"}
)

func build(name string, o Options) Formatter {
	switch name {
	case "text":
		return &TextFormatter{Color: o.Color, Quiet: o.Quiet}
	case "json":
		return &JSONFormatter{}
	case "html":
		return &HTMLFormatter{}
	case "markdown":
		return &MarkdownFormatter{}
	case "junit":
		return &JUnitFormatter{}
	case "sarif":
		return &SARIFFormatter{
			IncludeWaived: o.SARIFIncludeWaived, OmitUnknown: o.SARIFOmitUnknown,
			Anchor: o.SARIFAnchor, BaseDir: o.BaseDir, InformationURI: o.InformationURI,
		}
	}
	return nil
}

// Names lists the --format values (canonical names, no aliases).
func Names() []string { return append([]string(nil), formatterNames...) }

// Lookup returns a formatter with its default options. The concrete types
// (*TextFormatter, *JSONFormatter, ...) have exported option fields; use New
// or a type assertion to set them.
func Lookup(name string) (Formatter, error) { return New(name, Options{}) }

// New returns the formatter for a --format value, configured from o.
func New(name string, o Options) (Formatter, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[n]; ok {
		n = a
	}
	if f := build(n, o); f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("unknown format %q (want one of %s)", name, strings.Join(formatterNames, ", "))
}
