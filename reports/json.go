package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONFormatter writes the findings document (outputs.md), indented by two
// spaces. The order is stable: results as the caller sorted them, and
// encoding/json sorts the keys of Rules and Summary.BySeverity. Nil slices and
// maps are written as [] and {} so consumers never meet null collections.
type JSONFormatter struct{}

// Name implements Formatter.
func (*JSONFormatter) Name() string { return "json" }

// Write implements Formatter.
func (*JSONFormatter) Write(w io.Writer, r *Report) error {
	c := normalized(r)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("encode JSON report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// normalized returns a shallow copy with nil collections replaced by empty
// ones (results[].evidence too).
func normalized(r *Report) *Report {
	c := *r
	if c.Tool.Name == "" {
		c.Tool.Name = ToolName
	}
	if c.Results == nil {
		c.Results = []Result{}
	} else {
		c.Results = append([]Result(nil), r.Results...)
		for i := range c.Results {
			if c.Results[i].Evidence == nil {
				c.Results[i].Evidence = []Evidence{}
			}
		}
	}
	if c.Warnings == nil {
		c.Warnings = []string{}
	}
	if c.Rules == nil {
		c.Rules = map[string]RuleMeta{}
	}
	if c.Summary.BySeverity == nil {
		c.Summary.BySeverity = map[string]int{}
	}
	return &c
}

// ReadJSON reads a findings document written by the json formatter (for
// `report convert`). It checks that the document is an ssis-ha-lint report.
func ReadJSON(rd io.Reader) (*Report, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("read JSON report: the input is empty (expected the output of --format json)")
	}
	// A quick look first, to explain the common mistakes clearly.
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("read JSON report: not a JSON object (expected the output of --format json): %w", err)
	}
	if _, ok := probe["runs"]; ok {
		return nil, errors.New("read JSON report: this is a SARIF log; convert needs the findings document written by --format json")
	}
	if _, ok := probe["tool"]; !ok {
		return nil, errors.New(`read JSON report: no "tool" field; not an ssis-ha-lint findings document (expected the output of --format json)`)
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("read JSON report: %w", err)
	}
	if rep.Tool.Name != ToolName {
		return nil, fmt.Errorf("read JSON report: tool.name is %q, want %q; this is not an ssis-ha-lint findings document", rep.Tool.Name, ToolName)
	}
	for i, res := range rep.Results {
		switch res.Status {
		case StatusFail, StatusPass, StatusUnknown, StatusWaived:
		default:
			return nil, fmt.Errorf("read JSON report: results[%d] (%s) has status %q, want one of fail, pass, unknown, waived", i, res.Rule, res.Status)
		}
		if strings.TrimSpace(res.Rule) == "" {
			return nil, fmt.Errorf("read JSON report: results[%d] has no rule id", i)
		}
	}
	return &rep, nil
}
