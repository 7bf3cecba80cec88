package bundlegen

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// The mutations below each introduce one documented mistake into a Spec.
// They panic on a node or certificate that does not exist (static test data).

func (s *Spec) mustNode(name string) *Node {
	n := s.NodeByName(name)
	if n == nil {
		panic("bundlegen: no node " + name)
	}
	return n
}

func (n *Node) storeCert(cert, store string) *StoreCert {
	for i := range n.Certs {
		if n.Certs[i].Cert == cert && n.Certs[i].Store == store {
			return &n.Certs[i]
		}
	}
	panic(fmt.Sprintf("bundlegen: node %s has no %s in %s", n.Name, cert, store))
}

// RenewMasterCertOn models a master certificate renewed on one node only: a
// new certificate (same names, new key and dates) is imported into the
// node's LocalMachine\Root with its private key, the node's
// SSLCertThumbprint and its HTTP.SYS binding are switched to it. The old
// certificate stays in the node's Root; the other nodes, the workers and
// SSISDB keep the old one.
func (s *Spec) RenewMasterCertOn(node, newKey string, notBefore, notAfter time.Time, edited time.Time) {
	old := s.Certs[CertMaster]
	c := *old
	c.Seed = old.Seed + "-renewed-" + newKey
	c.Serial = "7d" + old.Serial[2:]
	c.NotBefore, c.NotAfter = notBefore, notAfter
	s.Certs[newKey] = &c
	n := s.mustNode(node)
	n.Certs = append(n.Certs, StoreCert{Cert: newKey, Location: "LocalMachine", Store: "Root", HasPrivateKey: true,
		FriendlyName: "SSISScaleOutMaster", Readers: []string{masterAccount}})
	n.Master.Cert = newKey
	n.Master.LastWrite = edited
	for i := range n.Bindings {
		if n.Bindings[i].Cert == CertMaster {
			n.Bindings[i].Cert = newKey
		}
	}
}

// SetMasterCertNames replaces the master certificate by one with these CNs
// and SAN DNS names (a new key, so a new thumbprint everywhere).
func (s *Spec) SetMasterCertNames(seed string, cns, san []string) {
	c := *s.Certs[CertMaster]
	c.Seed, c.CNs, c.SAN = seed, cns, san
	s.Certs[CertMaster] = &c
}

// DropMasterCertKey makes the node's Root copy of the master certificate
// one without its private key (the .cer was imported, not the .pfx).
func (s *Spec) DropMasterCertKey(node string) {
	sc := s.mustNode(node).storeCert(CertMaster, "Root")
	sc.HasPrivateKey, sc.Readers = false, nil
}

// MoveMasterCertToMy puts the node's copy of the master certificate (with
// its key) in LocalMachine\My instead of Root.
func (s *Spec) MoveMasterCertToMy(node string) {
	s.mustNode(node).storeCert(CertMaster, "Root").Store = "My"
}

// SetMasterAccount sets the master service's logon account on a node.
func (s *Spec) SetMasterAccount(node, account string) {
	s.mustNode(node).Service(masterService).StartName = account
}

// SetSqlServerName sets SqlServerName in a node's MasterSettings.config.
func (s *Spec) SetSqlServerName(node, value string) {
	s.mustNode(node).Master.SqlServerName = value
}

// SetMasterEndpoint sets a worker's MasterEndpoint, edited at the given
// time (after the service's last start: the running service still uses the
// old value, so the worker is still online).
func (s *Spec) SetMasterEndpoint(node, endpoint string, edited time.Time) {
	w := s.mustNode(node).Worker
	w.MasterEndpoint, w.LastWrite = endpoint, edited
}

// SetWorkerCertValidity changes the validity of a worker's own certificate
// (a new certificate: the thumbprint changes everywhere it is referenced).
func (s *Spec) SetWorkerCertValidity(node string, notBefore, notAfter time.Time) {
	k := WorkerCert(node)
	c := *s.Certs[k]
	c.NotBefore, c.NotAfter = notBefore, notAfter
	s.Certs[k] = &c
}

// CloneAgentID gives worker to the AgentId of worker from (a cloned VM):
// catalog.worker_agents then has one row for both, last registered by from.
func (s *Spec) CloneAgentID(from, to string) {
	f, t := s.mustNode(from), s.mustNode(to)
	t.Worker.AgentID = f.Worker.AgentID
	var keep []WorkerAgent
	for _, a := range s.SQL.Catalog.Workers {
		if a.MachineName != to {
			keep = append(keep, a)
		}
	}
	s.SQL.Catalog.Workers = keep
}

// CorruptMasterConfig replaces a node's MasterSettings.config by data.
func (s *Spec) CorruptMasterConfig(node string, data []byte, edited time.Time) {
	m := s.mustNode(node).Master
	m.Raw, m.LastWrite = data, edited
}

// FailCertCollection records that the node's certificate stores could not
// be read: no certs/ folder, errors.json lists each store.
func (s *Spec) FailCertCollection(node, msg string) {
	n := s.mustNode(node)
	n.CertErrors["certs/LocalMachine/My"] = msg
	n.CertErrors["certs/LocalMachine/Root"] = msg
}

// garbage returns n deterministic pseudo-random bytes.
func garbage(seed string, n int) []byte {
	var out []byte
	h := sha256.Sum256([]byte(seed))
	for len(out) < n {
		out = append(out, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return out[:n]
}
