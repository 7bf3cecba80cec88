package scan

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// Topology describes the deployment for reports that draw it.
func Topology(doc *facts.Document, _ []reports.Result) *reports.Topology {
	d := doc.Deployment
	t := &reports.Topology{
		MasterDNS:    d.MasterDNS,
		MasterPort:   d.MasterPort,
		ActiveMaster: d.ActiveMasterNode,
	}
	if doc.Cluster != nil {
		t.ClusterName = doc.Cluster.Name
	}
	if d.Listener != nil {
		t.Listener = d.Listener.Host
		if d.Listener.Port != 0 {
			t.Listener += "," + strconv.Itoa(d.Listener.Port)
		}
	}
	primaryNode := ""
	if p, ok := doc.SQL[d.PrimaryInstance]; ok {
		primaryNode = p.Node
		if rs, ok := p.Queries["ag_ssisdb"]; ok {
			for _, row := range rs.Rows {
				if s, ok := row["ag_name"].(string); ok {
					t.AGName = s
					break
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(doc.Nodes)) {
		n := doc.Nodes[name]
		roles := append([]string(nil), n.Roles...)
		if primaryNode != "" && strings.EqualFold(primaryNode, name) {
			roles = append(roles, reports.RolePrimary)
		}
		t.Nodes = append(t.Nodes, reports.TopologyNode{Name: name, Roles: roles})
	}
	return t
}
