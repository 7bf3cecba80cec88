package nodebundle

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestDecodeDocumentPS51Habits(t *testing.T) {
	der := base64.StdEncoding.EncodeToString([]byte("DER-1"))
	data := base64.StdEncoding.EncodeToString([]byte("{\"PortNumber\":8391}"))
	doc := `` + "\xEF\xBB\xBF" + `{"Format":"ssis-ha-lint-node","Version":1,"ComputerName":"sqln1",
 "Host":{"ComputerName":"SQLN1","DNSHostName":"sqln1","Domain":"contoso.com","PartOfDomain":true,"Caption":"Microsoft Windows Server 2022 Datacenter","Version":"10.0.20348","CollectedUtc":"\/Date(1795773600000)\/"},
 "Services":{"Name":"SSISScaleOutMaster150","DisplayName":"M","StartName":"CONTOSO\\svc","StartMode":"Auto","State":"Running","ProcessId":42,"PathName":"p","ProcessStartUtc":"2026-11-27T09:00:00.1234567Z"},
 "Stores":[{"Location":"LocalMachine","Store":"Root","Certs":{"Der":"` + der + `","HasPrivateKey":true,"FriendlyName":"f","PrivateKeyReaders":"CONTOSO\\svc"}},
           {"Location":"LocalMachine","Store":"My","Certs":null}],
 "Files":{"Name":"MasterSettings.config","Path":"C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config","Size":19,"LastWriteUtc":"2026-11-01T08:00:00Z","Sha256":"00","Data":"` + data + `"},
 "Registry":{"HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL":{"ClientAuthTrustMode":2}},
 "HttpSys":"\r\nSSL Certificate bindings:\r\n",
 "Firewall":{"DisplayName":"SSIS","Enabled":1,"Direction":1,"Action":2,"Protocol":"TCP","LocalPort":"8391"},
 "Cluster":{"Name":"SSISCLU","Nodes":{"Name":"SQLN1","State":0},"Groups":[{"Name":"ssismaster","State":0,"OwnerNode":"SQLN1","GroupType":108}],
   "Resources":{"Name":"ssismaster","ResourceType":"Network Name","OwnerGroup":"ssismaster","OwnerNode":"SQLN1","State":2,"PossibleOwners":["SQLN1","SQLN2"],"Parameters":{"DnsName":"ssismaster"}}},
 "Errors":{"Artifact":"certs/LocalMachine/CA","Error":"access is denied\r\n"}}`
	a, err := DecodeDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "SQLN1" || a.Host.CollectedUtc != "2026-11-27T10:00:00Z" || !a.Host.PartOfDomain {
		t.Errorf("host %+v", a.Host)
	}
	if len(a.Services) != 1 || a.Services[0].ProcessID != 42 || *a.Services[0].ProcessStartUtc != "2026-11-27T09:00:00.1234567Z" {
		t.Errorf("services %+v", a.Services)
	}
	if len(a.Stores) != 2 || len(a.Stores[0].Certs) != 1 || string(a.Stores[0].Certs[0].DER) != "DER-1" || a.Stores[0].Certs[0].PrivateKeyReaders[0] != `CONTOSO\svc` || a.Stores[1].Certs != nil {
		t.Errorf("stores %+v", a.Stores)
	}
	if len(a.Files) != 1 || string(a.Files[0].Data) != `{"PortNumber":8391}` || a.Files[0].Size != 19 {
		t.Errorf("files %+v", a.Files)
	}
	if a.Registry[SchannelKey]["ClientAuthTrustMode"] != 2.0 || a.HTTPSys == nil {
		t.Errorf("registry %v", a.Registry)
	}
	fw := a.Firewall
	if len(fw) != 1 || !fw[0].Enabled || fw[0].Direction != "Inbound" || fw[0].Action != "Allow" || fw[0].LocalPort[0] != "8391" {
		t.Errorf("firewall %+v", fw)
	}
	c := a.Cluster
	if c == nil || c.Nodes[0].State != "Up" || c.Groups[0].GroupType != "GenericService" || c.Groups[0].State != "Online" || c.Resources[0].State != "Online" || len(c.Resources[0].PossibleOwners) != 2 || c.Resources[0].Parameters["DnsName"] != "ssismaster" {
		t.Errorf("cluster %+v", c)
	}
	var msgs []string
	for _, e := range a.Errors {
		msgs = append(msgs, e.Artifact+": "+e.Error)
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "certs/LocalMachine/CA: access is denied") || !strings.Contains(joined, "files/MasterSettings.config: SHA-256 mismatch") {
		t.Errorf("errors:\n%s", joined)
	}
}

func TestDecodeDocumentRejects(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"Format":"x","Version":1}`, `{"Format":"ssis-ha-lint-node","Version":2}`, `not json`} {
		if _, err := DecodeDocument([]byte(doc)); err == nil {
			t.Errorf("accepted %q", doc)
		}
	}
	a, err := DecodeDocument([]byte(`{"Format":"ssis-ha-lint-node","Version":1,"ComputerName":"N","Services":"oops","Firewall":[1,2]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Errors) != 2 || a.Services != nil {
		t.Errorf("bad sections: %+v", a.Errors)
	}
}

func FuzzDecodeDocument(f *testing.F) {
	f.Add([]byte(`{"Format":"ssis-ha-lint-node","Version":1,"ComputerName":"N","Services":[],"Cluster":{"Nodes":1}}`))
	f.Add([]byte(`{"Format":"ssis-ha-lint-node","Version":1,"Stores":{"Certs":{"Der":"QQ=="}},"Files":{"Name":"a","Data":"QQ=="}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeDocument(data)
		if err != nil {
			return
		}
		if a.Name != "" && ValidNodeName(a.Name) == nil {
			if _, err := WriteNode(t.TempDir(), a); err != nil {
				t.Fatalf("WriteNode: %v", err)
			}
		}
	})
}
