package reports

import "testing"

func TestGate(t *testing.T) {
	fail := func(sev string) Result { return Result{Status: StatusFail, Severity: sev} }
	unknown := Result{Status: StatusUnknown, Severity: "critical"}
	waived := Result{Status: StatusWaived, Severity: "critical"}
	pass := Result{Status: StatusPass, Severity: "critical"}
	cases := []struct {
		name         string
		results      []Result
		partial      bool
		failOn       string
		allowUnknown bool
		want         int
	}{
		{"clean", []Result{pass}, false, "medium", false, ExitOK},
		{"critical fails at medium", []Result{fail("critical")}, false, "medium", false, ExitFail},
		{"low below medium", []Result{fail("low")}, false, "medium", false, ExitOK},
		{"low at low", []Result{fail("low")}, false, "low", false, ExitFail},
		{"info at info", []Result{fail("info")}, false, "info", false, ExitFail},
		{"none never fails", []Result{fail("critical")}, false, "none", false, ExitOK},
		{"unknown is not pass", []Result{pass, unknown}, false, "medium", false, ExitUnknown},
		{"unknown allowed", []Result{pass, unknown}, false, "medium", true, ExitOK},
		{"failure beats unknown", []Result{unknown, fail("high")}, false, "medium", false, ExitFail},
		{"below-threshold failure and unknown", []Result{unknown, fail("low")}, false, "medium", false, ExitUnknown},
		{"waived does not count", []Result{waived, pass}, false, "info", false, ExitOK},
		{"partial collection is not clean", []Result{pass}, true, "medium", false, ExitUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &Report{Results: c.results, Partial: c.partial}
			r.Summarize()
			if got := r.Gate(c.failOn, c.allowUnknown); got != c.want || r.ExitCode != c.want {
				t.Errorf("Gate = %d (report %d), want %d", got, r.ExitCode, c.want)
			}
		})
	}
}

func TestValidFailOn(t *testing.T) {
	for _, ok := range []string{"critical", "high", "medium", "low", "info", "none"} {
		if err := ValidFailOn(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if ValidFailOn("severe") == nil {
		t.Error("severe accepted")
	}
}

func TestSummarize(t *testing.T) {
	r := &Report{Results: []Result{
		{Status: StatusFail, Severity: "critical"}, {Status: StatusFail, Severity: "high"},
		{Status: StatusFail, Severity: "critical"}, {Status: StatusPass}, {Status: StatusUnknown}, {Status: StatusWaived},
	}}
	r.Summarize()
	s := r.Summary
	if s.Fail != 3 || s.Pass != 1 || s.Unknown != 1 || s.Waived != 1 || s.BySeverity["critical"] != 2 || s.BySeverity["high"] != 1 {
		t.Errorf("summary %+v", s)
	}
	r.Gate("medium", false)
	if got, want := summaryLine(r), "3 failed, 1 unknown, 1 passed, 1 waived — exit 1"; got != want {
		t.Errorf("SummaryLine = %q, want %q", got, want)
	}
}
