package reports

import (
	"fmt"
	"sort"
	"strings"
)

// ProfilePreUpgrade is the profile whose text and Markdown reports end with
// the upgrade plan (the same value as policies.ProfilePreUpgrade).
const ProfilePreUpgrade = "pre-upgrade"

// Documentation of the upgrade sequence.
const (
	DocCatalogUpgradeAG = "https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog#Upgrade"
	DocCatalogStep2     = "https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog#Step2"
	DocCatalogStep3     = "https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog#Step3"
	DocHAUpgrade        = "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability#upgrade-scale-out-in-high-availability-environment"
	DocHACreateRole     = "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability#7-configure-the-scale-out-master-service-role-of-the-windows-server-failover-cluster"
	DocHALogging        = "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability#6-enable-package-execution-logging"
	DocFCI              = "https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-failover-cluster-instance"
)

// UpgradePlan is the ordered upgrade sequence the documents prescribe for an
// SSIS Scale Out HA deployment, with the deployment's own names filled in.
// The text and Markdown reports of the pre-upgrade profile end with it; it
// is part of the JSON report so `report convert` can render it again.
type UpgradePlan struct {
	// CurrentVersion and TargetVersion are version folders (150, 160).
	CurrentVersion string        `json:"current_version"`
	TargetVersion  string        `json:"target_version"`
	Steps          []UpgradeStep `json:"steps"`
}

// UpgradeStep is one step of the plan.
type UpgradeStep struct {
	N      int      `json:"n"`
	Title  string   `json:"title"`
	Detail []string `json:"detail"`
	// Source is the document section, DocURL its learn.microsoft.com page.
	Source string `json:"source"`
	DocURL string `json:"doc_url"`
}

// sqlVersionNames maps a version folder to the product name.
var sqlVersionNames = map[string]string{
	"130": "SQL Server 2016", "140": "SQL Server 2017", "150": "SQL Server 2019",
	"160": "SQL Server 2022", "170": "SQL Server 2025",
}

// versionLabel is "SQL Server 2022 (160)", or the folder alone.
func versionLabel(v string) string {
	if v == "" {
		return "the installed version"
	}
	if n, ok := sqlVersionNames[v]; ok {
		return n + " (" + v + ")"
	}
	return v
}

// PlanUpgrade returns the upgrade plan of a pre-upgrade report (nil for any
// other profile or without a target version). It reads the report's
// deployment, variant and Topology (call it after the topology is set);
// currentVersion is the master service's version folder (facts:
// deployment.master_version).
func PlanUpgrade(r *Report, currentVersion, targetVersion string) *UpgradePlan {
	if r == nil || r.Profile != ProfilePreUpgrade || targetVersion == "" {
		return nil
	}
	t := r.Topology
	if t == nil {
		t = &Topology{}
	}
	var masters, workers, replicas []string
	primary := ""
	for _, n := range t.Nodes {
		if n.HasRole(RoleMaster) {
			masters = append(masters, n.Name)
		}
		if n.HasRole(RoleWorker) {
			workers = append(workers, n.Name)
		}
		if n.HasRole(RoleReplica) || n.HasRole(RolePrimary) {
			replicas = append(replicas, n.Name)
		}
		if n.HasRole(RolePrimary) && primary == "" {
			primary = n.Name
		}
	}
	for _, s := range [][]string{masters, workers, replicas} {
		sort.Strings(s)
	}
	var secondaries []string
	for _, n := range replicas {
		if n != primary {
			secondaries = append(secondaries, n)
		}
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	list := func(ns []string, def string) string {
		if len(ns) == 0 {
			return def
		}
		return strings.Join(ns, ", ")
	}
	cur, tgt := currentVersion, targetVersion
	oldSvc := "SSISScaleOutMaster" + or(cur, "<current>")
	newSvc := "SSISScaleOutMaster" + tgt
	fci := r.Deployment.Variant == "fci"
	primaryName := or(primary, "the primary replica")
	ag := or(t.AGName, "<SSISDB availability group>")
	listener := or(t.Listener, "<listener>")
	masterDNS := or(t.MasterDNS, "<master DNS name>")
	if t.MasterPort > 0 && t.MasterDNS != "" {
		masterDNS += fmt.Sprintf(":%d", t.MasterPort)
	}
	cluster := or(t.ClusterName, "the WSFC cluster")
	networkName := t.MasterDNS
	if i := strings.IndexByte(networkName, '.'); i > 0 {
		networkName = networkName[:i]
	}
	networkName = or(networkName, "<master network name>")

	const (
		srcCatalogAG = `CATALOG § "Upgrading SSISDB in an availability group"`
		srcHA        = `HA § "Upgrade Scale Out in high availability environment"`
	)
	p := &UpgradePlan{CurrentVersion: cur, TargetVersion: tgt}
	add := func(title, source, url string, detail ...string) {
		p.Steps = append(p.Steps, UpgradeStep{N: len(p.Steps) + 1, Title: title, Detail: detail, Source: source, DocURL: url})
	}

	// Every machine and what runs on it.
	var machines []string
	for _, n := range t.Nodes {
		var what []string
		if n.HasRole(RoleReplica) || n.HasRole(RolePrimary) {
			what = append(what, "SQL Server engine")
		}
		if n.HasRole(RoleMaster) {
			what = append(what, "Scale Out Master")
		}
		if n.HasRole(RoleWorker) {
			what = append(what, "Scale Out Worker")
		}
		if len(what) == 0 {
			continue
		}
		machines = append(machines, n.Name+": "+strings.Join(what, " + "))
	}
	sort.Strings(machines)

	if fci {
		add("Keep SSISDB where it is: it lives on the failover cluster instance, not in an availability group",
			`FCI; `+srcCatalogAG, DocFCI,
			"No availability group holds SSISDB, so there is nothing to remove; upgrade the FCI with SQL Server setup, node by node ("+list(replicas, "every FCI node")+").")
	} else {
		add("Remove SSISDB from the availability group "+ag,
			srcCatalogAG, DocCatalogUpgradeAG,
			"On the primary "+primaryName+": ALTER AVAILABILITY GROUP ["+strings.ReplaceAll(ag, "]", "]]")+"] REMOVE DATABASE [SSISDB]; (if SSISDB is the group's only database, drop the group instead).",
			"Then remove the SSISDB copy from the secondary replicas ("+list(secondaries, "none found")+"): SQL Server setup runs the upgrade in single-user mode, so an availability database is taken offline and neither upgraded nor patched.",
			"Back up SSISDB and its database master key first (the upgrade wizard asks you to confirm the backup).")
	}
	detail := []string{
		"Upgrade every machine from " + versionLabel(cur) + " to " + versionLabel(tgt) + ", masters and workers on each machine:",
	}
	for _, m := range machines {
		detail = append(detail, "  - "+m)
	}
	before := "before SSISDB goes back into the availability group"
	if fci {
		before = "before the master role is recreated"
	}
	detail = append(detail, "Every node must be on "+tgt+" "+before+"; no "+oldSvc+" or SSISScaleOutWorker"+or(cur, "<current>")+" service may remain.")
	add("Upgrade every node to "+versionLabel(tgt), srcHA+"; "+srcCatalogAG, DocHAUpgrade, detail...)
	wizardOn := "the primary " + primaryName
	if fci {
		wizardOn = "the node that owns the instance (" + primaryName + ")"
	}
	add("Run the SSISDB upgrade wizard on "+wizardOn,
		srcCatalogAG, DocCatalogUpgradeAG,
		`Locally on `+primaryName+`: SSMS → Integration Services Catalogs → SSISDB → Database Upgrade, or C:\Program Files\Microsoft SQL Server\`+tgt+`\DTS\Binn\ISDBUpgradeWizard.exe (elevated); the wizard only upgrades a local instance.`,
		"Afterwards SSISDB's SCHEMA_VERSION/SCHEMA_BUILD match the engine and catalog.check_schema_version passes.")
	if fci {
		add("SSISDB stays on the failover cluster instance (no availability group to add it back to)", "FCI", DocFCI,
			"Check that the FCI's SQL Server role is online on "+list(replicas, "its nodes")+" and SSISDB is online.")
		add("Always On support for SSISDB does not apply to a failover cluster instance", "FCI", DocFCI,
			"Check that sp_ssis_startup is still a startup procedure of the instance.")
	} else {
		add("Add SSISDB back to the availability group "+ag,
			srcCatalogAG+`; CATALOG § "Step 2: Add SSISDB to an Always On Availability Group"`, DocCatalogStep2,
			"On "+primaryName+": add SSISDB to "+ag+" again and join it on "+list(secondaries, "every secondary replica")+" (the database master key password is needed); clients keep using the listener "+listener+".")
		add("Re-enable Always On support for SSISDB",
			srcCatalogAG+`; CATALOG § "Step 3: Enable SSIS support for Always On"`, DocCatalogStep3,
			"In SSMS, connected to the primary "+primaryName+": right-click Integration Services Catalogs → Enable Always On Support, and connect to every replica ("+list(replicas, "all replicas")+") as a sysadmin; auto-failover of SSISDB does not work until this is done.",
			"Check: sp_ssis_startup is a startup procedure and clr enabled = 1 on every replica; SSISDB.catalog.alwayson_replicas lists "+list(replicas, "every replica")+".")
	}
	roleDetail := []string{
		"The master's cluster role still runs " + oldSvc + "; remove it and create it again (HA § 7, Configure the Scale Out Master service role of the Windows Server failover cluster) in " + cluster + " as a Generic Service for " + newSvc + ", with the client access point " + networkName + " (" + masterDNS + ") and possible owners " + list(masters, "every master node") + ".",
	}
	if fci {
		roleDetail = []string{
			"The Generic Service resource for " + oldSvc + " in the SQL Server role must be recreated for " + newSvc + " (possible owners " + list(masters, "every FCI node") + "); workers keep reaching " + masterDNS + ".",
		}
	}
	roleSrc, roleURL := srcHA+"; HA § 7", DocHACreateRole
	logdb := "the listener " + listener
	if fci {
		roleSrc, roleURL = srcHA+"; FCI", DocFCI
		logdb = "the SQL network name " + or(t.MasterDNS, "<SQL network name>")
	}
	add("Recreate the WSFC role for "+newSvc, roleSrc, roleURL, roleDetail...)
	add("Re-check the LOG-* rules", srcHA+"; HA § 6", DocHALogging,
		"catalog.enable_scaleout (Scale Out Manager \"Enable\") resets the logging login ##MS_SSISLogDBWorkerAgentLogin##'s password and CLUSTER_LOGDB_SERVER: if it ran, set the password again on every replica ("+list(replicas, "all replicas")+") and point CLUSTER_LOGDB_SERVER and the logging connection string at "+logdb+" (catalog.update_logdb_info).",
		"Then collect a new bundle and run: ssis-ha-lint scan --profile ha")
	return p
}

// Heading is the plan's heading ("Upgrade plan: SQL Server 2019 (150) →
// SQL Server 2022 (160)").
func (p *UpgradePlan) Heading() string { return upgradeHeading(p) }

// upgradeHeading is the plan's heading.
func upgradeHeading(p *UpgradePlan) string {
	h := "Upgrade plan"
	if p.CurrentVersion != "" {
		h += ": " + versionLabel(p.CurrentVersion) + " → " + versionLabel(p.TargetVersion)
	} else {
		h += " to " + versionLabel(p.TargetVersion)
	}
	return h
}
