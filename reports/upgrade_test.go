package reports

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPlanUpgrade(t *testing.T) {
	r := sampleReport()
	if PlanUpgrade(r, "150", "160") != nil {
		t.Fatal("a plan for the ha profile")
	}
	r.Profile = ProfilePreUpgrade
	if PlanUpgrade(r, "150", "") != nil {
		t.Fatal("a plan without a target version")
	}
	p := PlanUpgrade(r, "150", "160")
	if p == nil || len(p.Steps) != 7 {
		t.Fatalf("plan %+v, want 7 steps", p)
	}
	for i, st := range p.Steps {
		if st.N != i+1 || st.Title == "" || len(st.Detail) == 0 || st.Source == "" || !strings.HasPrefix(st.DocURL, "https://learn.microsoft.com/") {
			t.Errorf("step %d: %+v", i+1, st)
		}
	}
	all, _ := json.Marshal(p)
	for _, want := range []string{"AG-SSISDB", "ssisdb-lsn,1433", "ssis-master.contoso.com:8391", "SQLN1", "SQLN2", "SQLN3", "WRK1",
		"SSISScaleOutMaster160", "SSISScaleOutMaster150", "CLU-ETL", "sp_ssis_startup", "alwayson_replicas", "CLUSTER_LOGDB_SERVER"} {
		if !strings.Contains(string(all), want) {
			t.Errorf("the plan does not mention %q", want)
		}
	}
	// Step 1 runs on the primary; SQLN2 and SQLN3 are the secondaries.
	if d := strings.Join(p.Steps[0].Detail, " "); !strings.Contains(d, "primary SQLN1") || !strings.Contains(d, "(SQLN2, SQLN3)") {
		t.Errorf("step 1: %s", d)
	}
	r.Upgrade = p
	golden(t, "upgrade.txt", render(t, &TextFormatter{}, r))
	golden(t, "upgrade.md", render(t, &MarkdownFormatter{}, r))
	// The summary line stays the text report's last line.
	txt := render(t, &TextFormatter{}, r)
	if lines := strings.Split(strings.TrimRight(txt, "\n"), "\n"); lines[len(lines)-1] != summaryLine(r) {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
	if q := render(t, &TextFormatter{Quiet: true}, r); strings.Contains(q, "UPGRADE PLAN") {
		t.Errorf("--quiet prints the plan")
	}

	// FCI: no availability group steps, the SQL network name for logging.
	r.Deployment.Variant = "fci"
	r.Topology.AGName, r.Topology.Listener = "", ""
	f := PlanUpgrade(r, "150", "160")
	fj, _ := json.Marshal(f)
	if len(f.Steps) != 7 || strings.Contains(string(fj), "ALTER AVAILABILITY GROUP") || !strings.Contains(string(fj), "SQL network name ssis-master.contoso.com") {
		t.Errorf("FCI plan: %s", fj)
	}
}
