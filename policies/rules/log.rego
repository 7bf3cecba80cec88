# Rules about Scale Out package execution logging
# (##MS_SSISLogDBWorkerAgentLogin## and the logging connection).

# METADATA
# scope: package
# custom:
#   weight: 1.8
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
	missing := sql.first2(sql.missing(inst, "server_principals"), sql.missing(sql.prim, "ssisdb_principals"))
	problems := sql.login_problems(inst)
	p := sql.principal(inst, sql.log_login)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "LOG-LOGIN-ON-EVERY-REPLICA",
		"status": st,
		"subject": sql.subject(inst, "login:##MS_SSISLogDBWorkerAgentLogin##"),
		"message": login_msg(st, inst, problems, missing),
		"observed": res.observed(st, {"sid": facts.get(p, "sid", null), "is_disabled": facts.get(p, "is_disabled", null)}),
		"expected": {"sid": facts.get(sql.ssisdb_principal(sql.log_user), "sid", null), "is_disabled": false},
		"missing": missing,
		"evidence": [sql.ev(inst, "server_principals", sql.log_login), sql.ev(sql.prim, "ssisdb_principals", sql.log_user)],
		"fix": login_fix(st, inst, problems),
	}
}

login_msg("pass", inst, _, _) := sprintf("%s has the enabled logging login %s with the SSISDB user's SID.", [inst, sql.log_login])

login_msg("fail", inst, problems, _) := sprintf("%s: the logging login %s is not usable: %s; package execution logging breaks after a failover to %s.", [inst, sql.log_login, concat("; ", problems), inst])

login_msg("unknown", inst, _, missing) := res.unknown_message(sprintf("%s: the logging login could not be checked.", [inst]), missing)

login_fix("fail", inst, problems) := sql.login_fix(inst, problems)

login_fix(st, _, _) := null if st != "fail"

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
	missing := sql.first2(sql.missing(sql.prim, "ssisdb_master_properties"), facts.listener_missing)
	st := res.status(missing, sql.is_listener(v))
	r := {
		"rule": "LOG-LOGDB-SERVER-IS-LISTENER",
		"status": st,
		"subject": sql.subject(facts.primary_label, "catalog.master_properties/CLUSTER_LOGDB_SERVER"),
		"message": logdb_server_msg(st, v, missing),
		"observed": res.observed(st, v),
		"expected": sql.listener_text,
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "ssisdb_master_properties", "CLUSTER_LOGDB_SERVER")],
		"fix": logdb_fix(st),
	}
}

logdb_server_msg("pass", v, _) := sprintf("SSISDB: CLUSTER_LOGDB_SERVER %s is the listener.", [v])

logdb_server_msg("fail", v, _) := sprintf("SSISDB on %s: CLUSTER_LOGDB_SERVER is %s, not the listener %s; logging stops when SSISDB fails over.", [sql.prim, sql.or_absent(v), sql.listener_text])

logdb_server_msg("unknown", _, missing) := res.unknown_message("SSISDB: CLUSTER_LOGDB_SERVER could not be compared with the listener.", missing)

# the fix of both logging-target rules.
logdb_fix("fail") := {"id": "sql-update-logdb-info", "target": facts.primary_label, "params": {"server_name": sql.listener_text, "login": sql.log_login}}

logdb_fix(st) := null if st != "fail"

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
	missing := sql.first2(sql.missing(sql.prim, "logdb_connection"), facts.listener_missing)
	problems := sql.connstr_problems(cs)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "LOG-CONNSTR-IS-LISTENER",
		"status": st,
		"subject": sql.subject(facts.primary_label, "logging/connection-string"),
		"message": connstr_msg(st, problems, missing),
		"observed": res.observed(st, {
			"data_source": sql.connstr_value(cs, sql.ds_keys),
			"initial_catalog": sql.connstr_value(cs, sql.db_keys),
			"user_id": sql.connstr_value(cs, sql.uid_keys),
		}),
		"expected": {"data_source": sql.listener_text, "initial_catalog": "SSISDB", "user_id": sql.log_login},
		"missing": missing,
		"evidence": [sql.ev(sql.prim, "logdb_connection", "connection_string")],
		"fix": logdb_fix(st),
	}
}

connstr_msg("pass", _, _) := "SSISDB: the logging connection string points at the listener and SSISDB."

connstr_msg("fail", problems, _) := sprintf("SSISDB on %s: the logging connection string is wrong: %s.", [sql.prim, concat("; ", problems)])

connstr_msg("unknown", _, missing) := res.unknown_message("SSISDB: the logging connection string could not be read (it is collected only with --read-logdb-connection).", missing)

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

	# no password to compare where the login is known absent (LOG-LOGIN-ON-EVERY-REPLICA fails)
	not sql.log_login_absent(inst)
	row := sql.log_password_row(inst)
	missing := password_missing(inst, row)
	st := res.status(missing, password_ok(row))
	r := {
		"rule": "LOG-PASSWORD-IN-SYNC",
		"status": st,
		"subject": sql.subject(inst, "login:##MS_SSISLogDBWorkerAgentLogin##/password"),
		"message": password_msg(st, inst, missing),
		"observed": res.observed(st, facts.get(row, "password_matches", null)),
		"expected": true,
		"missing": missing,
		"evidence": [sql.ev(inst, "logdb_password_check", "password_matches")],
		"fix": password_fix(st, inst),
	}
}

password_missing(inst, row) := [] if {
	sql.windows_logging
} else := m if {
	m := sql.missing(inst, "logdb_password_check")
	count(m) > 0
} else := [sprintf("%s: no row for %s (the login does not exist there, see LOG-LOGIN-ON-EVERY-REPLICA)", [facts.sql_artifact(inst, "logdb_password_check"), sql.log_login])] if {
	row == null
} else := []

# Windows-authentication logging, or the password matches.
password_ok(row) if {
	sql.windows_logging
} else := facts.flag_bool(facts.get(row, "password_matches", false))

password_msg("pass", inst, _) := sql.password_pass_msg(inst)

password_msg("fail", inst, _) := sprintf("%s: the logging login's password does not match the logging connection string; workers cannot log after a failover to %s.", [inst, inst])

password_msg("unknown", inst, missing) := res.unknown_message(sprintf("%s: the logging password could not be compared (checked only with --read-logdb-connection).", [inst]), missing)

password_fix("fail", inst) := {"id": "sql-alter-logdb-login", "target": inst, "params": {"login": sql.log_login}}

password_fix(st, _) := null if st != "fail"

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
	# canonical names of the distinct service accounts (usually one for all workers)
	accts := sort({names.canon_account(a) | some a in {x |
		some w in facts.worker_nodes
		x := sql.worker_account(w)
		x != ""
	}})
	missing := sql.windows_logging_missing
	problems := sql.windows_logging_problems(accts)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "LOG-WINDOWS-ACCOUNT-CONSISTENT",
		"status": st,
		"subject": {"kind": "deployment", "object": "logging:windows-account"},
		"message": windows_msg(st, accts, problems, missing),
		"observed": res.observed(st, accts),
		"expected": "one worker account with a login on every replica and an SSISDB user in ssis_cluster_worker",
		"missing": missing,
		"evidence": array.concat(
			[sql.ev(sql.prim, "logdb_connection", "connection_string")],
			[{"artifact": sprintf("nodes/%s/services.json", [w]), "key": "SSISScaleOutWorker.StartName"} | some w in facts.worker_nodes],
		),
		"fix": windows_fix(st),
	}
}

windows_msg("pass", accts, _, _) := sql.windows_pass_msg(accts)

windows_msg("fail", _, problems, _) := sprintf("Package logging uses Windows authentication, but: %s.", [concat("; ", problems)])

windows_msg("unknown", _, _, missing) := res.unknown_message("Whether package logging uses Windows authentication could not be determined.", missing)

windows_fix("fail") := res.manual(facts.primary_label, [
	"Run every Scale Out Worker service as the same domain account (services.msc), then restart it.",
	"On every replica: CREATE LOGIN [DOMAIN\\account] FROM WINDOWS.",
	"In SSISDB on the primary: CREATE USER [DOMAIN\\account] FOR LOGIN [DOMAIN\\account]; ALTER ROLE ssis_cluster_worker ADD MEMBER [DOMAIN\\account].",
])

windows_fix(st) := null if st != "fail"

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

	# no policy to read where the login is known absent (LOG-LOGIN-ON-EVERY-REPLICA fails)
	not sql.log_login_absent(inst)
	row := sql.named_row(inst, "sql_logins", sql.log_login)
	problems := [p |
		some col, p in {"is_expiration_checked": "password expiration is checked", "is_expired": "it is expired", "is_locked": "it is locked"}
		facts.flag_bool(facts.get(row, col, false))
	]
	missing := expiry_missing(inst, row)
	st := res.status(missing, count(problems) == 0)
	r := {
		"rule": "LOG-LOGIN-NO-EXPIRY",
		"status": st,
		"subject": sql.subject(inst, "login:##MS_SSISLogDBWorkerAgentLogin##/expiry"),
		"message": expiry_msg(st, inst, problems, missing),
		"observed": res.observed(st, {"is_expiration_checked": facts.get(row, "is_expiration_checked", null), "is_expired": facts.get(row, "is_expired", null), "is_locked": facts.get(row, "is_locked", null)}),
		"expected": {"is_expiration_checked": false, "is_expired": false, "is_locked": false},
		"missing": missing,
		"evidence": [sql.ev(inst, "sql_logins", sql.log_login)],
		"fix": expiry_fix(st, inst),
	}
}

expiry_missing(inst, row) := [] if {
	sql.windows_logging
} else := m if {
	m := sql.missing(inst, "sql_logins")
	count(m) > 0
} else := [sprintf("%s: no row for %s (the login does not exist there)", [facts.sql_artifact(inst, "sql_logins"), sql.log_login])] if {
	row == null
} else := []

expiry_msg("pass", inst, _, _) := sprintf("%s: the logging login does not expire and is not locked.", [inst])

expiry_msg("fail", inst, problems, _) := sprintf("%s: the logging login %s: %s.", [inst, sql.log_login, concat("; ", sort(problems))])

expiry_msg("unknown", inst, _, missing) := res.unknown_message(sprintf("%s: the logging login's policy could not be read.", [inst]), missing)

expiry_fix("fail", inst) := res.manual(inst, [
	sprintf("On %s: ALTER LOGIN [%s] WITH CHECK_EXPIRATION = OFF, CHECK_POLICY = OFF;", [inst, sql.log_login]),
	sprintf("If it is locked or expired: ALTER LOGIN [%s] WITH PASSWORD = N'$(LogDbPassword)' UNLOCK; (the logging connection string's password)", [sql.log_login]),
])

expiry_fix(st, _) := null if st != "fail"
