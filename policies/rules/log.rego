# Rules about Scale Out package execution logging
# (##MS_SSISLogDBWorkerAgentLogin## and the logging connection).
package ssis.rules.log

import data.ssis.lib.facts
import data.ssis.lib.names
import data.ssis.lib.result as res
import data.ssis.lib.sql

# METADATA
# title: The logging login exists on every replica with the SSISDB user's SID
# description: >-
#   The logging login ##MS_SSISLogDBWorkerAgentLogin## exists and is enabled on every replica, with the SID of the SSISDB user ##MS_SSISLogDBWorkerAgentUser##.
# custom:
#   id: LOG-LOGIN-ON-EVERY-REPLICA
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §6.2
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-create-logdb-login
#   why: >-
#     Workers write the execution log through the listener as this SQL login; after a failover to a replica without
#     it (or with another SID, which orphans the SSISDB user) no log is written.
#   facts: ["sql/<INSTANCE>/server_principals: ##MS_SSISLogDBWorkerAgentLogin## sid, is_disabled", "sql/<PRIMARY>/ssisdb_principals: ##MS_SSISLogDBWorkerAgentUser## sid"]
#   remediation: >-
#     On each secondary, CREATE LOGIN [##MS_SSISLogDBWorkerAgentLogin##] WITH PASSWORD = <the logging password>,
#     SID = <the SSISDB user's SID>, CHECK_POLICY = OFF; enable it where it is disabled.
#   tags: [logging, sql, login]
log_login_on_every_replica contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	inst := rep.instance
	problems := sql.login_problems(inst)
	r := res.decide({
		"rule": "LOG-LOGIN-ON-EVERY-REPLICA",
		"subject": sql.subject(inst, sprintf("login:%s", [sql.log_login])),
		"missing": facts.first_missing([sql.missing(inst, "server_principals"), sql.missing(sql.prim, "ssisdb_principals")]),
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s has the enabled logging login %s with the SSISDB user's SID.", [inst, sql.log_login]),
		"fail_msg": sprintf("%s: the logging login %s is not usable: %s; package execution logging breaks after a failover to %s.", [inst, sql.log_login, concat("; ", problems), inst]),
		"unknown_msg": sprintf("%s: the logging login could not be checked.", [inst]),
		"observed": {"sid": facts.get(sql.principal(inst, sql.log_login), "sid", null), "is_disabled": facts.get(sql.principal(inst, sql.log_login), "is_disabled", null)},
		"expected": {"sid": facts.get(sql.ssisdb_principal(sql.log_user), "sid", null), "is_disabled": false},
		"evidence": [sql.ev(inst, "server_principals", sql.log_login), sql.ev(sql.prim, "ssisdb_principals", sql.log_user)],
		"fix": sql.login_fix(inst, problems),
	})
}

# METADATA
# title: CLUSTER_LOGDB_SERVER is the listener
# description: SSISDB's CLUSTER_LOGDB_SERVER is the availability group listener name,port.
# custom:
#   id: LOG-LOGDB-SERVER-IS-LISTENER
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §6.3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-update-logdb-info
#   why: catalog.enable_scaleout sets it to the local instance; pointing at one replica, logging stops when SSISDB fails over.
#   facts: ["sql/<PRIMARY>/ssisdb_master_properties: CLUSTER_LOGDB_SERVER", "deployment.listener"]
#   remediation: EXEC SSISDB.catalog.update_logdb_info @server_name = N'<listener>,<port>', @connection_string = N'Data Source=<listener>,<port>;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=<password>;'
#   tags: [logging, listener]
log_logdb_server_is_listener contains r if {
	facts.variant == "ag"
	v := facts.str(sql.master_property("CLUSTER_LOGDB_SERVER"))
	r := res.decide({
		"rule": "LOG-LOGDB-SERVER-IS-LISTENER",
		"subject": sql.subject(facts.primary_label, "catalog.master_properties/CLUSTER_LOGDB_SERVER"),
		"missing": facts.first_missing([sql.missing(sql.prim, "ssisdb_master_properties"), facts.listener_missing]),
		"ok": sql.is_listener(v),
		"pass_msg": sprintf("SSISDB: CLUSTER_LOGDB_SERVER %s is the listener.", [v]),
		"fail_msg": sprintf("SSISDB on %s: CLUSTER_LOGDB_SERVER is %s, not the listener %s; logging stops when SSISDB fails over.", [sql.prim, sql.or_absent(v), sql.listener_text]),
		"unknown_msg": "SSISDB: CLUSTER_LOGDB_SERVER could not be compared with the listener.",
		"observed": v,
		"expected": sql.listener_text,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "CLUSTER_LOGDB_SERVER")],
		"fix": res.fix("sql-update-logdb-info", facts.primary_label, {"server_name": sql.listener_text, "login": sql.log_login}),
	})
}

# METADATA
# title: The logging connection string points at the listener
# description: The logging connection string's Data Source is the listener, Initial Catalog SSISDB, User Id the logging login (or Integrated Security).
# custom:
#   id: LOG-CONNSTR-IS-LISTENER
#   severity: critical
#   variant: ag
#   profiles: [ha, pre-upgrade]
#   source: HA §6.3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-update-logdb-info
#   why: Workers connect with this string to write the log; a replica name instead of the listener breaks logging at failover.
#   facts: ["sql/<PRIMARY>/logdb_connection: connection_string (opt-in, password redacted)"]
#   remediation: Run catalog.update_logdb_info on the primary with the listener in @server_name and in the connection string's Data Source.
#   tags: [logging, listener]
log_connstr_is_listener contains r if {
	facts.variant == "ag"
	cs := sql.log_connstr
	problems := sql.connstr_problems(cs)
	r := res.decide({
		"rule": "LOG-CONNSTR-IS-LISTENER",
		"subject": sql.subject(facts.primary_label, "logging/connection-string"),
		"missing": facts.first_missing([sql.missing(sql.prim, "logdb_connection"), facts.listener_missing]),
		"ok": count(problems) == 0,
		"pass_msg": "SSISDB: the logging connection string points at the listener and SSISDB.",
		"fail_msg": sprintf("SSISDB on %s: the logging connection string is wrong: %s.", [sql.prim, concat("; ", problems)]),
		"unknown_msg": "SSISDB: the logging connection string could not be read (it is collected only with --read-logdb-connection).",
		"observed": {
			"data_source": sql.connstr_value(cs, sql.ds_keys),
			"initial_catalog": sql.connstr_value(cs, sql.db_keys),
			"user_id": sql.connstr_value(cs, sql.uid_keys),
		},
		"expected": {"data_source": sql.listener_text, "initial_catalog": "SSISDB", "user_id": sql.log_login},
		"evidence": [sql.ev(sql.prim, "logdb_connection", "connection_string")],
		"fix": res.fix("sql-update-logdb-info", facts.primary_label, {"server_name": sql.listener_text, "login": sql.log_login}),
	})
}

# METADATA
# title: The logging password matches the login on every replica
# description: >-
#   The logging connection string's password matches ##MS_SSISLogDBWorkerAgentLogin## on every replica.
# custom:
#   id: LOG-PASSWORD-IN-SYNC
#   severity: high
#   variant: ag
#   profiles: [ha]
#   source: HA §6.1–6.3
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: sql-alter-logdb-login
#   why: Passwords do not replicate; a replica whose login has another password rejects the workers after a failover.
#   facts: ["sql/<INSTANCE>/logdb_password_check: password_matches (opt-in)"]
#   remediation: ALTER LOGIN [##MS_SSISLogDBWorkerAgentLogin##] WITH PASSWORD = <the connection string's password> on the replica.
#   tags: [logging, login]
log_password_in_sync contains r if {
	facts.variant == "ag"
	some rep in sql.replicas
	inst := rep.instance
	row := sql.log_password_row(inst)
	r := res.decide({
		"rule": "LOG-PASSWORD-IN-SYNC",
		"subject": sql.subject(inst, sprintf("login:%s/password", [sql.log_login])),
		"missing": [m |
			not sql.windows_logging
			some m in facts.first_missing([
				sql.missing(inst, "logdb_password_check"),
				facts.missing_if(row == null, sprintf("%s: no row for %s (the login does not exist there, see LOG-LOGIN-ON-EVERY-REPLICA)", [sql.artifact(inst, "logdb_password_check"), sql.log_login])),
			])
		],
		"ok": (count([1 | sql.windows_logging]) + count([1 | facts.flag(facts.get(row, "password_matches", false))])) > 0,
		"pass_msg": sql.password_pass_msg(inst),
		"fail_msg": sprintf("%s: the logging login's password does not match the logging connection string; workers cannot log after a failover to %s.", [inst, inst]),
		"unknown_msg": sprintf("%s: the logging password could not be compared (checked only with --read-logdb-connection).", [inst]),
		"observed": facts.get(row, "password_matches", null),
		"expected": true,
		"evidence": [sql.ev(inst, "logdb_password_check", "password_matches")],
		"fix": res.fix("sql-alter-logdb-login", inst, {"login": sql.log_login}),
	})
}

# METADATA
# title: Windows-authentication logging uses the workers' one account
# description: With Windows-authentication logging, every worker service runs as one account, which has an enabled login on every replica and is in ssis_cluster_worker.
# custom:
#   id: LOG-WINDOWS-ACCOUNT-CONSISTENT
#   severity: high
#   variant: both
#   profiles: [ha]
#   source: change-logdb-account
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/change-logdb-account
#   fix: manual
#   why: >-
#     With Integrated Security the workers log in as their service account; a worker running as another account, or a
#     replica without that login, writes no execution log.
#   facts: ["sql/<PRIMARY>/logdb_connection: Integrated Security (opt-in)", "nodes/<WORKER>/services.json: SSISScaleOutWorker<VER>.StartName", "sql/<INSTANCE>/server_principals", "sql/<PRIMARY>/ssisdb_principals"]
#   remediation: >-
#     Run every worker service as the logging account, create its login on every replica, add its SSISDB user to
#     ssis_cluster_worker, and restart the workers (change-logdb-account steps 1-4).
#   tags: [logging, account]
log_windows_account_consistent contains r if {
	accts := sort({names.canon_account(a) |
		some w in facts.worker_nodes
		a := facts.str(facts.get(facts.service(w, "worker"), "StartName", ""))
		a != ""
	})
	problems := sql.windows_logging_problems(accts)
	r := res.decide({
		"rule": "LOG-WINDOWS-ACCOUNT-CONSISTENT",
		"subject": res.deployment_subject("logging:windows-account"),
		"missing": sql.windows_logging_missing,
		"ok": count(problems) == 0,
		"pass_msg": sql.windows_pass_msg(accts),
		"fail_msg": sprintf("Package logging uses Windows authentication, but: %s.", [concat("; ", problems)]),
		"unknown_msg": "Whether package logging uses Windows authentication could not be determined.",
		"observed": accts,
		"expected": "one worker account with a login on every replica and an SSISDB user in ssis_cluster_worker",
		"evidence": array.concat(
			[sql.ev(sql.prim, "logdb_connection", "connection_string")],
			[{"artifact": facts.services_artifact(w), "key": "SSISScaleOutWorker.StartName"} | some w in facts.worker_nodes],
		),
		"fix": res.manual(facts.primary_label, [
			"Run every Scale Out Worker service as the same domain account (services.msc), then restart it.",
			"On every replica: CREATE LOGIN [DOMAIN\\account] FROM WINDOWS.",
			"In SSISDB on the primary: CREATE USER [DOMAIN\\account] FOR LOGIN [DOMAIN\\account]; ALTER ROLE ssis_cluster_worker ADD MEMBER [DOMAIN\\account].",
		]),
	})
}

# METADATA
# title: The logging login does not expire and is not locked
# description: The logging SQL login has no password expiration, and is neither expired nor locked.
# custom:
#   id: LOG-LOGIN-NO-EXPIRY
#   severity: low
#   variant: both
#   profiles: [ha]
#   source: SSISDB (enable_scaleout creates the login with CHECK_POLICY = OFF)
#   doc_url: https://learn.microsoft.com/en-us/sql/integration-services/scale-out/scale-out-support-for-high-availability
#   fix: manual
#   why: An expiring, expired or locked logging login silently stops package execution logging.
#   facts: ["sql/<INSTANCE>/sql_logins: is_expiration_checked, is_expired, is_locked"]
#   remediation: ALTER LOGIN [##MS_SSISLogDBWorkerAgentLogin##] WITH CHECK_EXPIRATION = OFF, CHECK_POLICY = OFF (and reset the password, UNLOCK, when it is locked or expired).
#   tags: [logging, login]
log_login_no_expiry contains r if {
	some rep in sql.replicas
	inst := rep.instance
	row := sql.named_row(inst, "sql_logins", sql.log_login)
	problems := [p |
		some col, p in {"is_expiration_checked": "password expiration is checked", "is_expired": "it is expired", "is_locked": "it is locked"}
		facts.flag(facts.get(row, col, false))
	]
	r := res.decide({
		"rule": "LOG-LOGIN-NO-EXPIRY",
		"subject": sql.subject(inst, sprintf("login:%s/expiry", [sql.log_login])),
		"missing": [m |
			not sql.windows_logging
			some m in facts.first_missing([
				sql.missing(inst, "sql_logins"),
				facts.missing_if(row == null, sprintf("%s: no row for %s (the login does not exist there)", [sql.artifact(inst, "sql_logins"), sql.log_login])),
			])
		],
		"ok": count(problems) == 0,
		"pass_msg": sprintf("%s: the logging login does not expire and is not locked.", [inst]),
		"fail_msg": sprintf("%s: the logging login %s: %s.", [inst, sql.log_login, concat("; ", sort(problems))]),
		"unknown_msg": sprintf("%s: the logging login's policy could not be read.", [inst]),
		"observed": {"is_expiration_checked": facts.get(row, "is_expiration_checked", null), "is_expired": facts.get(row, "is_expired", null), "is_locked": facts.get(row, "is_locked", null)},
		"expected": {"is_expiration_checked": false, "is_expired": false, "is_locked": false},
		"evidence": [sql.ev(inst, "sql_logins", sql.log_login)],
		"fix": res.manual(inst, [
			sprintf("On %s: ALTER LOGIN [%s] WITH CHECK_EXPIRATION = OFF, CHECK_POLICY = OFF;", [inst, sql.log_login]),
			sprintf("If it is locked or expired: ALTER LOGIN [%s] WITH PASSWORD = N'$(LogDbPassword)' UNLOCK; (the logging connection string's password)", [sql.log_login]),
		]),
	})
}
