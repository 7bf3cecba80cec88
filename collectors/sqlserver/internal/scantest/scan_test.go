// Package scantest checks, end to end, that a bundle collected through the
// real driver from the TDS responder scans like testdata/bundles/healthy-ag.
// It lives apart from package sqlserver so that the collector's own tests do
// not depend on the policy engine building.
package scantest

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver/internal/tdstest"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies/scan"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

const healthyAG = "../../../../testdata/bundles/healthy-ag"

const logdbPassword = `L0gDB;Pl@nted=pw`

func queryID(sqlText string) string {
	for _, q := range sqlserver.Queries() {
		if q.SQL == strings.TrimSpace(sqlText) {
			return q.ID
		}
	}
	return ""
}

func newReplica(t *testing.T, name string) *tdstest.Replica {
	t.Helper()
	r, err := tdstest.NewReplica(tdstest.ReplicaConfig{Name: name, Dir: filepath.Join(healthyAG, "sql", name), QueryID: queryID, LogDBPassword: logdbPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Srv.Close)
	return r
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// copyWithoutSQL copies the healthy-ag bundle (nodes, manifest) but not its sql/ folder.
func copyWithoutSQL(t *testing.T, dst string) {
	t.Helper()
	err := filepath.WalkDir(healthyAG, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(healthyAG, p)
		if rel == "sql" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func scanResults(t *testing.T, eng *policies.Engine, dir string) (map[string]string, *reports.Report) {
	t.Helper()
	rep, _, err := scan.Run(context.Background(), eng, scan.Options{Bundle: dir, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rep.Results {
		out[r.Rule+" "+r.Subject.Kind+":"+r.Subject.Node+"|"+r.Subject.Instance+"|"+r.Subject.Object] = r.Status
	}
	return out, rep
}

// The "done when" of the issue: a two-replica AG simulated by the responder,
// collected into a bundle (with the healthy-ag node artifacts), scans to the
// same results as testdata/bundles/healthy-ag; permission denied on SSISDB
// makes the dependent rules unknown; one replica down is reported as such.
func TestScanOfCollectedBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the policy engine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	eng, err := policies.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, wantRep := scanResults(t, eng, healthyAG)

	collect := func(t *testing.T, setup func(n1, n2 *tdstest.Replica, o *sqlserver.Options)) (map[string]string, *reports.Report) {
		n1 := newReplica(t, "SQLN1")
		n2 := newReplica(t, "SQLN2")
		o := sqlserver.Options{
			Server: n1.Srv.Addr(), Auth: sqlserver.AuthSQL, User: "auditor",
			Getenv:              func(k string) string { return map[string]string{sqlserver.PasswordEnv: "Aud1tor-Pw"}[k] },
			Encrypt:             sqlserver.EncryptDisable,
			Timeout:             5 * time.Second,
			ReplicaAddrs:        map[string]string{"SQLN1": n1.Srv.Addr(), "SQLN2": n2.Srv.Addr()},
			ReadLogDBConnection: true,
		}
		if setup != nil {
			setup(n1, n2, &o)
		}
		res, err := sqlserver.Collect(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		copyWithoutSQL(t, dir)
		if err := sqlserver.WriteBundle(dir, res); err != nil {
			t.Fatal(err)
		}
		return scanResults(t, eng, dir)
	}

	t.Run("healthy", func(t *testing.T) {
		got, rep := collect(t, nil)
		if len(got) == 0 || len(got) != len(want) {
			t.Errorf("%d results, want %d", len(got), len(want))
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s, want %s", k, got[k], w)
			}
		}
		if rep.ExitCode != wantRep.ExitCode {
			t.Errorf("exit code %d, want %d", rep.ExitCode, wantRep.ExitCode)
		}
		t.Logf("%d results, summary %+v, exit %d", len(got), rep.Summary, rep.ExitCode)
	})

	t.Run("ssisdb-permission-denied", func(t *testing.T) {
		denied := tdstest.Response{Error: &tdstest.Error{Number: 229, State: 5, Class: 14, Message: "The SELECT permission was denied on the object."}}
		got, rep := collect(t, func(n1, _ *tdstest.Replica, _ *sqlserver.Options) {
			for _, q := range sqlserver.Queries() {
				if q.Scope == sqlserver.SSISDBPrimary {
					n1.Override(q.ID, denied)
				}
			}
		})
		var unknown []string
		for k, s := range got {
			if s == "unknown" && want[k] != "unknown" {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		t.Logf("now unknown: %v; exit %d", unknown, rep.ExitCode)
		if len(unknown) == 0 {
			t.Error("no rule became unknown")
		}
		if rep.ExitCode != 3 {
			t.Errorf("exit code %d, want 3", rep.ExitCode)
		}
	})

	t.Run("replica-down", func(t *testing.T) {
		got, rep := collect(t, func(_, _ *tdstest.Replica, o *sqlserver.Options) {
			o.ReplicaAddrs["SQLN2"] = closedPort(t)
		})
		changed := 0
		for k, s := range got {
			if s != want[k] {
				changed++
			}
		}
		if changed == 0 || !rep.Partial {
			t.Errorf("a missing replica changed nothing (partial %v)", rep.Partial)
		}
		found := false
		for _, w := range rep.Warnings {
			if strings.Contains(w, "SQLN2") {
				found = true
				t.Logf("warning: %s", w)
			}
		}
		if !found {
			t.Errorf("no warning names SQLN2: %v", rep.Warnings)
		}
	})
}
