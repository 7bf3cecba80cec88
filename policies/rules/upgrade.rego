# Readiness rules of the pre-upgrade profile (shared/spec/rules.md, reference §4 U01–U12).
# Every rule yields nothing unless input.params.profile is "pre-upgrade"; the
# target version is input.params.target_version as a version folder (160).

# METADATA
# scope: package
# custom:
#   weight: 0.1
package ssis.rules.upgrade

import data.ssis.lib.cluster
import data.ssis.lib.facts
import data.ssis.lib.result as res
import data.ssis.lib.sql
import data.ssis.lib.upgrade as upg

# METADATA
# title: The upgrade plan for SSISDB in an availability group is known
# description: >-
#   When SSISDB is in an availability group, setup neither upgrades nor patches it, so the upgrade must follow the
#   documented sequence (remove SSISDB from the AG, upgrade every node, SSISDB Upgrade Wizard on the primary, add it
#   back, re-enable Always On support). Reading: a readiness statement, not a defect — pass with the sequence, filled
#   in with the AG, primary and secondaries, in the message when the primary's AG facts tell where SSISDB is (also
#   when it is in no AG, e.g. on an FCI); unknown when they are missing. It never fails.
# custom:
#   id: UPG-SSISDB-AG-PLAN
#   severity: high
#   variant: both
#   profiles: [pre-upgrade]
#   source: CATALOG upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: >-
#     SQL Server setup upgrades in single-user mode: an availability database is taken offline and neither upgraded nor
#     patched, and setup's "SSISDB in Always On Availability Group" check may block the upgrade; SSISDB's schema then
#     lags the binaries.
#   facts: ["sql/<PRIMARY>/ag_ssisdb: ag_name, database_name", "sql/<PRIMARY>/ag_replicas: replica_server_name"]
#   remediation: >-
#     Follow CATALOG "Upgrading SSISDB in an availability group": remove SSISDB from the AG, upgrade every node, run the
#     SSISDB Upgrade Wizard on the primary, add SSISDB back to the AG and re-enable Always On support.
#   tags: [upgrade, ssisdb, availability-group]
upg_ssisdb_ag_plan contains r if {
	upg.active
	ag := upg.ssisdb_ag
	r := res.decide({
		"rule": "UPG-SSISDB-AG-PLAN",
		"subject": sql.subject(facts.primary_label, "SSISDB:availability-group"),
		"missing": sql.missing(sql.prim, "ag_ssisdb"),
		"ok": true,
		"pass_msg": ag_plan_msg(ag),
		"fail_msg": "",
		"unknown_msg": "Whether SSISDB is in an availability group could not be read on the primary, so the upgrade sequence is unknown.",
		"observed": {"ag_name": ag, "secondaries": upg.ag_secondaries},
		"expected": ag_plan_expected(ag),
		"evidence": [sql.ev(sql.prim, "ag_ssisdb", "ag_name")],
		"fix": null,
	})
}

ag_plan_msg(ag) := sprintf("SSISDB on %s is in availability group %s, which setup does not upgrade; upgrade in this order: %s", [sql.prim, ag, concat(" ", [sprintf("(%d) %s", [i + 1, s]) | some i, s in upg.ag_plan_steps])]) if {
	ag != ""
} else := sprintf("SSISDB on %s is in no availability group; setup upgrades it in place with the instance, then run the SSISDB Upgrade Wizard on %s if its schema lags.", [sql.prim, sql.prim])

ag_plan_expected(ag) := "remove SSISDB from the AG, upgrade every node, SSISDB Upgrade Wizard on the primary, add SSISDB back, re-enable Always On support" if {
	ag != ""
} else := "an in-place upgrade of the instance, then the SSISDB Upgrade Wizard if needed"

# METADATA
# title: Every replica, master and worker is on one version
# description: >-
#   All replicas (ProductMajorVersion, "15" = folder 150), Scale Out Master and Scale Out Worker services (the {VER}
#   suffix) are on one version before the upgrade starts; one deployment result.
# custom:
#   id: UPG-VERSIONS-ALIGNED
#   severity: high
#   variant: both
#   profiles: [pre-upgrade]
#   source: HA upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: >-
#     A deployment that is already on mixed versions is half-upgraded: an old master or worker service left on a node, or
#     a replica on another engine version, breaks failover (service names, SSISDB schema) and the documented sequence
#     assumes every node starts from the same version.
#   facts: ["sql/<INSTANCE>/server_properties: ProductMajorVersion", "nodes/<NODE>/services.json: SSISScaleOutMaster<VER>, SSISScaleOutWorker<VER>"]
#   remediation: Finish or roll back the earlier upgrade so that every replica, master and worker runs one version, and remove old-version Scale Out services.
#   tags: [upgrade, version]
upg_versions_aligned contains r if {
	upg.active
	vs := upg.installed_versions
	r := res.decide({
		"rule": "UPG-VERSIONS-ALIGNED",
		"subject": res.deployment_subject("versions"),
		# versions that already differ fail even when some node is unknown
		"missing": [m | count(vs) <= 1; some m in upg.versions_missing],
		"ok": count(vs) == 1,
		"pass_msg": sprintf("Every replica, master and worker is on version %s (%d installations).", [upg.label(upg.first(vs, "")), count(upg.installed)]),
		"fail_msg": versions_fail_msg(vs),
		"unknown_msg": "The installed versions could not all be read.",
		"observed": {v: count(ls) | some v, ls in upg.by_version},
		"expected": "one version",
		"evidence": [x.evidence | some x in upg.installed],
		"fix": res.manual(upg.plan_target, [
			sprintf("Bring these to version %s (or all nodes to the target) before the upgrade starts: %s.", [upg.majority_version, upg.short_list(upg.odd_labels)]),
			"Uninstall any old-version SSISScaleOutMaster/SSISScaleOutWorker service left next to a newer one.",
		]),
	})
}

versions_fail_msg(vs) := "No replica version and no Scale Out service version could be found." if {
	count(vs) == 0
} else := sprintf("The deployment is on %d versions (%s); every replica, master and worker must be on one version before the upgrade.", [count(vs), upg.versions_text(upg.installed)])

# METADATA
# title: The target version is newer than every installed version
# description: >-
#   The target version folder (--target-version, e.g. 160) is newer than every installed Scale Out Master/Worker service
#   version and every replica's SQL Server version, and at least 140 (Scale Out needs SQL Server 2017). A missing or
#   malformed target is unknown.
# custom:
#   id: UPG-TARGET-NEWER
#   severity: critical
#   variant: both
#   profiles: [pre-upgrade]
#   source: U12 (SQL Server setup upgrades only to a newer version)
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: Setup cannot downgrade, and "upgrading" to the installed version changes nothing while the plan recreates roles and removes SSISDB from its AG.
#   facts: ["params.target_version", "sql/<INSTANCE>/server_properties: ProductMajorVersion", "nodes/<NODE>/services.json: SSISScaleOutMaster<VER>, SSISScaleOutWorker<VER>"]
#   remediation: Pick a target version folder newer than every installed version (160 for SQL Server 2022).
#   tags: [upgrade, version]
upg_target_newer contains r if {
	upg.active
	t := upg.target
	blockers := upg.not_older
	r := res.decide({
		"rule": "UPG-TARGET-NEWER",
		"subject": res.deployment_subject("target-version"),
		"missing": facts.first_missing([
			upg.target_missing,
			[m | count(blockers) == 0; upg.target_num >= 140; some m in upg.versions_missing],
			facts.missing_if(count(upg.installed) == 0, "sql/*/server_properties, nodes/*/services.json: no installed version was found"),
		]),
		"ok": count([1 | count(blockers) == 0; upg.target_num >= 140]) == 1,
		"pass_msg": sprintf("The target %s is newer than every installed version (%s).", [upg.label(t), concat(", ", upg.installed_versions)]),
		"fail_msg": target_fail_msg(t, blockers),
		"unknown_msg": "Whether the target version is newer than the installed versions could not be checked.",
		"observed": upg.installed_versions,
		"expected": sprintf("every version older than %s", [t]),
		"evidence": array.concat([{"artifact": "params", "key": "target_version"}], [x.evidence | some x in blockers]),
		"fix": res.manual(upg.plan_target, [
			sprintf("Choose a target newer than %s: the version folder of the SQL Server release to upgrade to (150 = 2019, 160 = 2022), e.g. --target-version 160.", [concat(", ", upg.installed_versions)]),
			"If the nodes are already on the target, run the ha profile instead: scan --profile ha.",
		]),
	})
}

target_fail_msg(t, _) := sprintf("The target %s is older than SQL Server 2017 (140), the first version with Scale Out.", [upg.label(t)]) if {
	upg.target_num < 140
} else := sprintf("The target %s is not newer than what is installed: %s; setup cannot upgrade to the same or an older version.", [upg.label(t), upg.versions_text(blockers)]) if {
	blockers := upg.not_older
}

# METADATA
# title: A recent full backup of SSISDB exists
# description: >-
#   A full backup (msdb backupset type D) of SSISDB finished less than 24 h before collection on any replica (backups
#   are often taken on a secondary); one deployment result.
# custom:
#   id: UPG-RECENT-SSISDB-BACKUP
#   severity: medium
#   variant: both
#   profiles: [pre-upgrade]
#   source: CATALOG upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: The SSISDB upgrade changes the catalog schema and removing SSISDB from its AG drops the secondary copies; without a fresh backup (and the master key backup) a failed upgrade loses projects, environments and history.
#   facts: ["sql/<INSTANCE>/backups: database_name, type, backup_finish_date", "bundle.created_utc"]
#   remediation: Take a full (copy-only on a secondary) backup of SSISDB and back up its database master key before the upgrade; the wizard asks to confirm it.
#   tags: [upgrade, ssisdb, backup]
upg_recent_ssisdb_backup contains r if {
	upg.active
	fresh := upg.fresh_backups
	r := res.decide({
		"rule": "UPG-RECENT-SSISDB-BACKUP",
		"subject": res.deployment_subject("SSISDB:backup"),
		# a fresh backup anywhere passes even when another replica is unknown
		"missing": facts.first_missing([
			facts.created_missing,
			[m | count(fresh) == 0; some m in upg.backups_missing],
		]),
		"ok": count(fresh) > 0,
		"pass_msg": backup_pass_msg(upg.first(fresh, null)),
		"fail_msg": upg.backup_fail_msg,
		"unknown_msg": "No full SSISDB backup younger than 24 h was found, but not every replica's backup history could be read.",
		"observed": facts.get(upg.newest_backup, "finish", null),
		"expected": "a full backup younger than 24 h at collection time",
		"evidence": upg.backups_evidence,
		"fix": res.manual(facts.primary_label, [
			sprintf("On %s: BACKUP DATABASE [SSISDB] TO DISK = N'<path>\\SSISDB.bak' WITH COPY_ONLY, CHECKSUM;", [facts.primary_label]),
			"Back up the database master key: USE SSISDB; BACKUP MASTER KEY TO FILE = N'<path>\\SSISDB.dmk' ENCRYPTION BY PASSWORD = N'$(SsisdbMasterKeyBackupPassword)';",
		]),
	})
}

backup_pass_msg(b) := sprintf("SSISDB has a full backup on %s, finished %v, %d h before collection.", [b.instance, b.finish, round((facts.created_ns - b.t) / 3600000000000)]) if {
	b != null
} else := ""

# METADATA
# title: No package execution is running or pending
# description: SSISDB on the primary has no running or pending execution (catalog.executions status 2 or 5) at collection time.
# custom:
#   id: UPG-NO-ACTIVE-EXECUTIONS
#   severity: medium
#   variant: both
#   profiles: [pre-upgrade]
#   source: CATALOG
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/catalog/ssis-catalog
#   fix: manual
#   why: Running packages do not restart or resume after a failover or the service restarts of an upgrade; they fail and must be rerun.
#   facts: ["sql/<PRIMARY>/executions_active: active_count"]
#   remediation: Let the running executions finish (or stop them) and hold the schedules that start packages until the upgrade is done.
#   tags: [upgrade, ssisdb, executions]
upg_no_active_executions contains r if {
	upg.active
	n := upg.active_count
	r := res.decide({
		"rule": "UPG-NO-ACTIVE-EXECUTIONS",
		"subject": sql.subject(facts.primary_label, "catalog.executions/active"),
		"missing": upg.executions_missing,
		"ok": n == 0,
		"pass_msg": sprintf("SSISDB on %s has no running or pending execution.", [sql.prim]),
		"fail_msg": sprintf("SSISDB on %s has %v running or pending executions; they fail, without resuming, when the upgrade restarts the services.", [sql.prim, n]),
		"unknown_msg": "The running executions could not be counted.",
		"observed": n,
		"expected": 0,
		"evidence": [sql.ev(sql.prim, "executions_active", "active_count")],
		"fix": res.manual(facts.primary_label, [
			"List them: SELECT execution_id, folder_name, project_name, package_name, status FROM SSISDB.catalog.executions WHERE status IN (2, 5);",
			"Let them finish, or stop them: EXEC SSISDB.catalog.stop_operation @operation_id = <execution_id>;",
			"Disable the SQL Server Agent jobs and schedules that start packages until the upgrade is done.",
		]),
	})
}

# METADATA
# title: The master's WSFC role is recreated for the target's master service
# description: >-
#   The master's Generic Service resource must run SSISScaleOutMaster<target> after the upgrade. Pass when it already
#   does, or when no master node has the target's service yet (the plan, with the recreate step, is pending); fail when
#   SSISScaleOutMaster<target> is installed on a master node but the resource still names an older service; unknown
#   without cluster facts, a target, or (plan pending) the master nodes' services.
# custom:
#   id: UPG-RECREATE-WSFC-ROLE
#   severity: critical
#   variant: both
#   profiles: [pre-upgrade]
#   source: HA upgrade
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: >-
#     Setup installs the new master as a new service (SSISScaleOutMaster<newVER>); a cluster role that still names the old
#     service starts nothing after the old one is removed, so the master does not fail over.
#   facts: ["nodes/<NODE>/cluster.json: Resources[Generic Service].Parameters.ServiceName", "nodes/<NODE>/services.json: SSISScaleOutMaster<VER>", "params.target_version"]
#   remediation: >-
#     Remove the master's cluster role and create it again (HA step 7) as a Generic Service for SSISScaleOutMaster<target>,
#     with the master DNS name as client access point and every master node as possible owner.
#   tags: [upgrade, cluster, version]
upg_recreate_wsfc_role contains r if {
	upg.active
	stale := upg.stale_resources
	on := upg.target_installed_on
	first := array.concat(stale, array.concat(cluster.master_resources, [null]))[0]
	r := res.decide({
		"rule": "UPG-RECREATE-WSFC-ROLE",
		"subject": res.deployment_subject("cluster:master-resource/ServiceName"),
		"missing": upg.role_missing,
		"ok": count([1 | count(stale) > 0; count(on) > 0]) == 0,
		"pass_msg": role_pass_msg(stale, first),
		"fail_msg": sprintf("%s is installed on %s, but the master's cluster resource %s still runs %s; recreate the master role for %s.", [upg.target_service, concat(", ", on), facts.get(first, "Name", ""), upg.resource_service(first), upg.target_service]),
		"unknown_msg": "The master's cluster role could not be compared with the target's master service.",
		"observed": [upg.resource_service(x) | some x in cluster.master_resources],
		"expected": upg.target_service,
		"evidence": array.concat(
			[cluster.ev(sprintf("Resources[%s].Parameters.ServiceName", [facts.get(x, "Name", "")])) | some x in cluster.master_resources],
			[{"artifact": facts.services_artifact(n), "key": upg.target_service} | some n in on],
		),
		"fix": res.manual(upg.plan_target, upg.role_steps(first)),
	})
}

role_pass_msg(stale, _) := sprintf("The master's cluster resource already runs %s, the target's master service.", [upg.target_service]) if {
	count(stale) == 0
} else := sprintf("The master's cluster resource %s runs %s and no master node has %s yet; the plan must include recreating the master role (group %s) for %s after the master nodes are upgraded.", [facts.get(first, "Name", ""), upg.resource_service(first), upg.target_service, facts.get(first, "OwnerGroup", ""), upg.target_service]) if {
	first := stale[0]
}

# METADATA
# title: Re-running catalog.enable_scaleout resets the logging setup
# description: >-
#   Warns that re-running catalog.enable_scaleout (Scale Out Manager "Enable") during or after the upgrade resets the
#   logging login's password and CLUSTER_LOGDB_SERVER, so the LOG-* rules must be re-checked. Reading: pass with the
#   warning and the values to restore; fail (info, never gating) when on the AG variant CLUSTER_LOGDB_SERVER already
#   names a replica's own server, the value enable_scaleout writes; unknown when the master properties are unreadable.
# custom:
#   id: UPG-LOGGING-RESET-RISK
#   severity: info
#   variant: both
#   profiles: [pre-upgrade]
#   source: SSISDB catalog.enable_scaleout (U10)
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: >-
#     catalog.enable_scaleout regenerates the password of ##MS_SSISLogDBWorkerAgentLogin## and points CLUSTER_LOGDB_SERVER
#     at the local instance: package logging works until the next failover, then silently stops.
#   facts: ["sql/<PRIMARY>/ssisdb_master_properties: CLUSTER_LOGDB_SERVER", "sql/<INSTANCE>/server_properties: ServerName", "deployment.listener"]
#   remediation: >-
#     After the upgrade, if enable_scaleout ran: set the logging login's password on every replica and point
#     CLUSTER_LOGDB_SERVER and the logging connection string at the listener (catalog.update_logdb_info, HA §6); then
#     run the ha profile.
#   tags: [upgrade, logging]
upg_logging_reset_risk contains r if {
	upg.active
	v := upg.logdb_server
	r := res.decide({
		"rule": "UPG-LOGGING-RESET-RISK",
		"subject": sql.subject(facts.primary_label, "catalog.master_properties/CLUSTER_LOGDB_SERVER"),
		"missing": sql.missing(sql.prim, "ssisdb_master_properties"),
		"ok": upg.logdb_reset == false,
		"pass_msg": sprintf("CLUSTER_LOGDB_SERVER is %s now. Do not re-run catalog.enable_scaleout (Scale Out Manager \"Enable\") during the upgrade: it resets the logging login's password and CLUSTER_LOGDB_SERVER; if it runs, %s again, the password must be set on every replica, and the LOG-* rules re-checked.", [sql.or_absent(v), upg.logging_restore]),
		"fail_msg": sprintf("CLUSTER_LOGDB_SERVER is %s, a replica's own server, the value catalog.enable_scaleout writes: the logging setup looks reset already; %s and the logging login's password must be set on every replica, before and again after the upgrade.", [v, upg.logging_restore]),
		"unknown_msg": "The current logging setup in SSISDB could not be read.",
		"observed": v,
		"expected": upg.logging_expected,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "CLUSTER_LOGDB_SERVER")],
		"fix": res.manual(facts.primary_label, [
			sprintf("On every replica: ALTER LOGIN [%s] WITH PASSWORD = N'$(LogDbPassword)';", [sql.log_login]),
			sprintf("On %s: EXEC SSISDB.catalog.update_logdb_info @server_name = N'%s', @connection_string = N'Data Source=%s;Initial Catalog=SSISDB;User Id=%s;Password=$(LogDbPassword);';", [facts.primary_label, sql.listener_text, sql.listener_text, sql.log_login]),
			"Then collect a new bundle and run: ssis-ha-lint scan --profile ha",
		]),
	})
}
