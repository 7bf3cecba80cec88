package reports

import (
	"fmt"
)

// Exit codes (architecture.md).
const (
	ExitOK      = 0
	ExitFail    = 1
	ExitError   = 2
	ExitUnknown = 3
)

// ValidFailOn checks a --fail-on value.
func ValidFailOn(s string) error {
	if s == "none" {
		return nil
	}
	for _, v := range Severities {
		if v == s {
			return nil
		}
	}
	return fmt.Errorf("--fail-on %q: want one of critical, high, medium, low, info, none", s)
}

// atOrAbove tells whether severity sev is at or above the threshold.
func atOrAbove(sev, threshold string) bool {
	if threshold == "none" {
		return false
	}
	si, ti := len(Severities), len(Severities)
	for i, v := range Severities {
		if v == sev {
			si = i
		}
		if v == threshold {
			ti = i
		}
	}
	return si <= ti
}

// Summarize recounts the summary from the results.
func (r *Report) Summarize() {
	s := Summary{BySeverity: map[string]int{}}
	for _, res := range r.Results {
		switch res.Status {
		case StatusFail:
			s.Fail++
			s.BySeverity[res.Severity]++
		case StatusPass:
			s.Pass++
		case StatusUnknown:
			s.Unknown++
		case StatusWaived:
			s.Waived++
		}
	}
	r.Summary = s
}

// Gate computes the exit code for a threshold: 1 when a failing result is
// at or above failOn, else 3 when something is unknown (or the collection
// was partial) and unknowns are not allowed, else 0. It only sets FailOn
// and ExitCode: what is reported never depends on the gate.
func (r *Report) Gate(failOn string, allowUnknown bool) int {
	code := ExitOK
	unknown := r.Partial
	for _, res := range r.Results {
		switch res.Status {
		case StatusFail:
			if atOrAbove(res.Severity, failOn) {
				code = ExitFail
			}
		case StatusUnknown:
			unknown = true
		}
	}
	if code == ExitOK && unknown && !allowUnknown {
		code = ExitUnknown
	}
	r.FailOn = failOn
	r.ExitCode = code
	return code
}
