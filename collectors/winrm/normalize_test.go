package winrm_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm/winrmtest"
)

// TestCollectedNodeNormalizes checks that a node collected over WinRM from
// the recorded fact document passes the bundle reader and the facts
// normalizer with the recorded values.
func TestCollectedNodeNormalizes(t *testing.T) {
	f := fake(t, winrmtest.Options{})
	defer f.Close()
	out := t.TempDir()
	_, a, err := winrm.CollectNode(context.Background(), out, tlsTarget(f))
	if err != nil {
		t.Fatal(err)
	}
	manifest := `{"format": "ssis-ha-lint-bundle", "version": 1, "created_utc": "2026-11-27T10:00:00Z", "tool_version": "test",
  "deployment": {"name": "prod-etl", "variant": "ag", "master_dns": "ssismaster.contoso.com", "master_port": 8391},
  "nodes": [{"name": "SQLN1", "roles": ["master", "replica"], "collected": true}], "sql": []}`
	if err := os.WriteFile(filepath.Join(out, "bundle.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := facts.Normalize(b)
	if err != nil {
		t.Fatal(err)
	}
	n := doc.Nodes["SQLN1"]
	if n == nil {
		t.Fatalf("no node SQLN1 in facts: %v", doc.Nodes)
	}
	if s := n.Services["SSISScaleOutMaster150"]; s == nil || s.StartName != `CONTOSO\svc-ssis` || s.Kind != "master" || s.Version != "150" {
		t.Errorf("master service %+v", s)
	}
	var master string
	for _, st := range a.Stores {
		for _, c := range st.Certs {
			if c.HasPrivateKey {
				master = c.Thumbprint()
			}
		}
	}
	c := n.Certs["LocalMachine/Root"][master]
	if c == nil || c.HasPrivateKey == nil || !*c.HasPrivateKey || len(c.CNs) == 0 || c.CNs[0] != "ssismaster.contoso.com" || len(c.PrivateKeyReaders) != 3 {
		t.Errorf("master certificate %s: %+v", master, c)
	}
	if len(n.Certs["LocalMachine/Root"]) != 2 {
		t.Errorf("Root store %v", n.Certs["LocalMachine/Root"])
	}
	if reason := n.Missing["certs/LocalMachine/My"]; reason != "Keyset does not exist" {
		t.Errorf("missing My: %q (%v)", reason, n.Missing)
	}
	m := n.Configs.Master
	if m == nil || m.ParseError != "" || m.Master == nil || m.Master.Port != 8391 || m.Master.Thumbprint != master || m.Version != "150" {
		t.Errorf("master config %+v", m)
	}
	if n.HTTPSys == nil || n.HTTPSys.Bindings["0.0.0.0:8391"] == nil {
		t.Errorf("httpsys %+v", n.HTTPSys)
	}
	if v := n.Registry[nodebundle.SchannelKey]["ClientAuthTrustMode"]; v != 2.0 && v != 2 && v != int64(2) {
		t.Errorf("registry %v", n.Registry)
	}
	if doc.Cluster == nil || doc.Cluster.Name != "SSISCLU" || len(doc.Cluster.Resources) != 3 {
		t.Errorf("cluster %+v", doc.Cluster)
	}
	if n.Host == nil || n.Host.Domain != "contoso.com" || !n.Host.PartOfDomain {
		t.Errorf("host %+v", n.Host)
	}
}
