package facts

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Sources of derived deployment values.
const (
	SourceDeclared      = "declared"
	SourceCluster       = "cluster"
	SourceMasterConfigs = "master configs"
	SourceAGListeners   = "ag_listeners"
	SourceServices      = "services"
)

// derive computes the deployment facts every rule shares.
func (n *normalizer) derive() {
	doc := n.doc
	d := &doc.Deployment
	for _, name := range slices.Sorted(maps.Keys(doc.Nodes)) {
		for _, r := range doc.Nodes[name].Roles {
			switch r {
			case "master":
				d.MasterNodes = append(d.MasterNodes, name)
			case "worker":
				d.WorkerNodes = append(d.WorkerNodes, name)
			case "replica":
				d.ReplicaNodes = append(d.ReplicaNodes, name)
			}
		}
	}

	// Domain: the first master node's, else any node's.
	for _, list := range [][]string{d.MasterNodes, slices.Sorted(maps.Keys(doc.Nodes))} {
		for _, name := range list {
			if h := doc.Nodes[name].Host; h != nil && h.Domain != "" && d.Domain == "" {
				d.Domain = strings.ToLower(h.Domain)
			}
		}
	}

	svcRes, netName := n.masterClusterResources()

	// MasterDNS.
	if v := strings.TrimSpace(d.Declared.MasterDNS); v != "" {
		d.MasterDNS, d.MasterDNSSource = strings.ToLower(strings.TrimSuffix(v, ".")), SourceDeclared
	} else if netName != nil {
		dns := strings.TrimSpace(asString(lookup(netName.Parameters, "DnsName")))
		if dns == "" {
			dns = strings.TrimSpace(asString(lookup(netName.Parameters, "Name")))
		}
		if dns != "" {
			if !strings.Contains(dns, ".") && d.Domain != "" {
				dns += "." + d.Domain
			}
			d.MasterDNS, d.MasterDNSSource = strings.ToLower(dns), SourceCluster
		}
	}

	// MasterPort.
	if d.Declared.MasterPort > 0 {
		d.MasterPort, d.MasterPortSource = d.Declared.MasterPort, SourceDeclared
	} else {
		port, agree := 0, true
		for _, name := range d.MasterNodes {
			cf := doc.Nodes[name].Configs.Master
			if cf == nil || cf.Master == nil || cf.Master.Port == 0 {
				continue
			}
			if port != 0 && port != cf.Master.Port {
				agree = false
			}
			port = cf.Master.Port
		}
		if port != 0 && agree {
			d.MasterPort, d.MasterPortSource = port, SourceMasterConfigs
		}
	}

	// MasterVersion.
	if v := strings.TrimSpace(d.Declared.ScaleOutVersion); v != "" {
		d.MasterVersion = v
	} else {
		best := -1
		for _, name := range d.MasterNodes {
			for _, s := range doc.Nodes[name].Services {
				if s.Kind != "master" || s.Version == "" {
					continue
				}
				if v, err := strconv.Atoi(s.Version); err == nil && v > best {
					best, d.MasterVersion = v, s.Version
				}
			}
		}
	}

	// ActiveMasterNode.
	if svcRes != nil && strings.TrimSpace(svcRes.OwnerNode) != "" {
		d.ActiveMasterNode = strings.ToUpper(strings.TrimSpace(svcRes.OwnerNode))
	} else {
		for _, name := range d.MasterNodes {
			for _, s := range doc.Nodes[name].Services {
				if s.Kind == "master" && strings.EqualFold(s.State, "Running") && d.ActiveMasterNode == "" {
					d.ActiveMasterNode = name
				}
			}
		}
	}

	// MasterThumbprint.
	thumbOf := func(name string) string {
		node := doc.Nodes[name]
		if node == nil || node.Configs.Master == nil || node.Configs.Master.Master == nil {
			return ""
		}
		return node.Configs.Master.Master.Thumbprint
	}
	if t := thumbOf(d.ActiveMasterNode); t != "" {
		d.MasterThumbprint, d.MasterThumbprintSource = t, "active node "+d.ActiveMasterNode
	} else {
		var thumbs []string
		first := ""
		for _, name := range d.MasterNodes {
			if t := thumbOf(name); t != "" {
				if first == "" {
					first = name
				}
				thumbs = append(thumbs, t)
			}
		}
		agree := len(thumbs) >= 2
		for _, t := range thumbs {
			if t != thumbs[0] {
				agree = false
			}
		}
		switch {
		case agree:
			d.MasterThumbprint, d.MasterThumbprintSource = thumbs[0], "all master nodes agree"
		case first != "":
			d.MasterThumbprint, d.MasterThumbprintSource = thumbs[0], "first master node "+first
		}
	}

	// PrimaryInstance, then the primary-only result sets it should have.
	n.derivePrimary()
	if p := doc.SQL[d.PrimaryInstance]; p != nil {
		reason := NotCollected
		if p.Error != "" {
			reason = p.Error
		}
		for _, q := range PrimaryQueries {
			if _, ok := p.Queries[q]; !ok {
				if _, ok := p.Missing[q]; !ok {
					p.Missing[q] = reason
				}
			}
		}
	} else if len(doc.SQL) > 0 {
		doc.Missing["ssisdb"] = "no SQL instance has SSISDB result sets (ssisdb_*)"
	}

	// Listener.
	if v := strings.TrimSpace(d.Declared.Listener); v != "" {
		e := ParseSQLEndpoint(v)
		e.Source = SourceDeclared
		d.Listener = &e
	} else if p := doc.SQL[d.PrimaryInstance]; p != nil {
		d.Listener = listenerFrom(p)
	}
}

// masterClusterResources finds the Generic Service resource of the master
// service and the Network Name resource of the same group.
func (n *normalizer) masterClusterResources() (svc, netName *ClusterResource) {
	c := n.doc.Cluster
	if c == nil {
		return nil, nil
	}
	for i := range c.Resources {
		r := &c.Resources[i]
		if strings.EqualFold(r.ResourceType, "Generic Service") &&
			strings.HasPrefix(strings.ToLower(asString(lookup(r.Parameters, "ServiceName"))), "ssisscaleoutmaster") {
			svc = r
			break
		}
	}
	if svc == nil {
		return nil, nil
	}
	for i := range c.Resources {
		r := &c.Resources[i]
		if strings.EqualFold(r.ResourceType, "Network Name") && strings.EqualFold(r.OwnerGroup, svc.OwnerGroup) {
			return svc, r
		}
	}
	return svc, nil
}

func (n *normalizer) derivePrimary() {
	doc := n.doc
	var candidates []string
	for _, key := range slices.Sorted(maps.Keys(doc.SQL)) {
		inst := doc.SQL[key]
		for _, q := range ssisdbQueries {
			if inst.Queries[q] != nil {
				candidates = append(candidates, key)
				break
			}
		}
	}
	switch len(candidates) {
	case 0:
		return
	case 1:
		doc.Deployment.PrimaryInstance = candidates[0]
		return
	}
	for _, key := range candidates {
		rs := doc.SQL[key].Queries["ssisdb_replica_states"]
		if rs == nil {
			continue
		}
		for _, row := range rs.Rows {
			local, _ := asBool(row["is_local"])
			primary, _ := asBool(row["is_primary_replica"])
			if local && primary {
				doc.Deployment.PrimaryInstance = key
				return
			}
		}
	}
	doc.Deployment.PrimaryInstance = candidates[0]
	n.warn("several instances have SSISDB result sets (%s) and none is the local primary replica; using %s",
		strings.Join(candidates, ", "), candidates[0])
}

// listenerFrom takes the SSISDB AG's listener from the primary's
// ag_listeners (the first row of an AG that holds SSISDB, else the first).
func listenerFrom(p *Instance) *Endpoint {
	rs := p.Queries["ag_listeners"]
	if rs == nil || len(rs.Rows) == 0 {
		return nil
	}
	ssisdbAGs := map[string]bool{}
	if ag := p.Queries["ag_ssisdb"]; ag != nil {
		for _, r := range ag.Rows {
			ssisdbAGs[strings.ToLower(asString(r["ag_name"]))] = true
		}
	}
	row := rs.Rows[0]
	for _, r := range rs.Rows {
		if ssisdbAGs[strings.ToLower(asString(r["ag_name"]))] {
			row = r
			break
		}
	}
	host := strings.TrimSpace(asString(row["dns_name"]))
	if host == "" {
		return nil
	}
	port, ok := asInt(row["port"])
	raw := host
	if ok && port > 0 {
		raw = fmt.Sprintf("%s,%d", host, port)
	}
	e := ParseSQLEndpoint(raw)
	e.Source = SourceAGListeners
	return &e
}
