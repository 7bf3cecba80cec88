// Package collecttest runs the whole collection from an inventory
// (collectors/collect) against live fakes: the SQL side through the real
// driver from the TDS responder (internal to collectors/sqlserver, hence
// this package's place), two worker nodes over WinRM from the WS-Management
// fake, and two master nodes from an earlier bundle. The bundle it writes
// must scan like testdata/bundles/healthy-ag.
package collecttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/collect"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver/internal/tdstest"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm/winrmtest"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
)

const logdbPassword = `L0gDB;Pl@nted=pw`

func queryID(sqlText string) string {
	for _, q := range sqlserver.Queries() {
		if q.SQL == strings.TrimSpace(sqlText) {
			return q.ID
		}
	}
	return ""
}

func results(t *testing.T, eng *policies.Engine, dir string) (map[string]string, int) {
	t.Helper()
	rep, _, err := scan.Run(context.Background(), eng, scan.Options{Bundle: dir, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rep.Results {
		out[r.Rule+" "+r.Subject.Kind+":"+r.Subject.Node+"|"+r.Subject.Instance+"|"+r.Subject.Object] = r.Status
	}
	return out, rep.ExitCode
}

func TestInventoryWithLiveSQLAndWinRM(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the policy engine")
	}
	healthyAG, _ := filepath.Abs("../../../../testdata/bundles/healthy-ag")
	dir := t.TempDir()

	var replicas []string
	for _, name := range []string{"SQLN1", "SQLN2"} {
		r, err := tdstest.NewReplica(tdstest.ReplicaConfig{Name: name, Dir: filepath.Join(healthyAG, "sql", name), QueryID: queryID, LogDBPassword: logdbPassword})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(r.Srv.Close)
		replicas = append(replicas, r.Srv.Addr())
	}
	var workers strings.Builder
	for _, name := range []string{"WRK1", "WRK2"} {
		doc, err := winrmtest.DocumentFromNodeDir(filepath.Join(healthyAG, "nodes", name))
		if err != nil {
			t.Fatal(err)
		}
		srv := winrmtest.NewServer(winrmtest.ScriptOutput(doc))
		t.Cleanup(srv.Close)
		ca := filepath.Join(dir, name+".pem")
		if err := srv.WriteCA(ca); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&workers, "  - name: %s\n    roles: [worker]\n    winrm: {host: %s, port: %d, transport: https, auth: ntlm, user_env: T_WINRM_USER, password_env: T_WINRM_PASSWORD, ca_file: %s}\n",
			name, srv.Host(), srv.Port(), ca)
	}
	inv := fmt.Sprintf(`deployment:
  name: prod-etl
  variant: ag
  master_dns: ssismaster.contoso.com
  master_port: 8391
  listener: aglsn.contoso.com,1433
  scale_out_version: "150"
timeout: 10s
nodes:
  - name: SQLN1
    roles: [master, replica]
    bundle: %[1]s
  - name: SQLN2
    roles: [master, replica]
    bundle: %[1]s
%[2]ssql:
  server: %[3]s
  auth: sql
  user: auditor
  password_env: T_SQL_PASSWORD
  encrypt: disable
  replicas: {SQLN1: "%[3]s", SQLN2: "%[4]s"}
  read_logdb_connection: true
  timeout: 5s
`, healthyAG, workers.String(), replicas[0], replicas[1])
	path := filepath.Join(dir, "ssis-ha.yaml")
	if err := os.WriteFile(path, []byte(inv), 0o644); err != nil {
		t.Fatal(err)
	}
	iv, err := inventory.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"T_WINRM_USER": `CONTOSO\admin`, "T_WINRM_PASSWORD": "w", "T_SQL_PASSWORD": "Aud1tor-Pw"}
	out := filepath.Join(dir, "bundle")
	sum, err := collect.Run(context.Background(), iv, out, collect.Options{
		Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		// the recorded heartbeats are from 2026-11-27 09:59; collect "then"
		Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		t.Logf("%s: collected %v %s%s (%v)", r.Target.Label(), r.Collected, r.Note, r.Error, r.Elapsed.Round(time.Millisecond))
	}
	if f := sum.Failed(); len(f) != 0 {
		t.Fatalf("failed: %+v", f)
	}
	if len(sum.Manifest.SQL) != 2 {
		t.Errorf("sql entries %+v", sum.Manifest.SQL)
	}
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), logdbPassword) || strings.Contains(string(b), "Aud1tor-Pw") {
				t.Errorf("%s holds a password", p)
			}
		}
		return nil
	})

	eng, err := policies.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, wantExit := results(t, eng, healthyAG)
	got, exit := results(t, eng, out)
	if len(got) == 0 || len(got) != len(want) {
		t.Errorf("%d results, want %d", len(got), len(want))
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	if exit != wantExit {
		t.Errorf("exit %d, want %d", exit, wantExit)
	}
}
