# A healthy AG deployment (2 master/replica nodes, 2 workers) from which the
# rule tests mutate one fact at a time, and assertions shared by the tests.
package ssis.test.fixtures

created_ns := 1795773600000000000 # 2026-11-27T10:00:00Z

day_ns := 86400000000000

mt := "AA11BB22CC33DD44EE55FF66AA77BB88CC99DD00"

w1t := "1111111111111111111111111111111111111111"

w2t := "2222222222222222222222222222222222222222"

ca_t := "CA00CA00CA00CA00CA00CA00CA00CA00CA00CA00"

master_cert(store, key) := {
	"thumbprint": mt,
	"store": store,
	"artifact": sprintf("certs/%s/%s.cer", [store, mt]),
	"subject": "CN=ssismaster.contoso.com, CN=ssismaster",
	"issuer": "CN=ssismaster.contoso.com, CN=ssismaster",
	"cns": ["ssismaster.contoso.com", "ssismaster"],
	"san_dns": [],
	"self_signed": true,
	"not_before": "2026-01-01T00:00:00Z",
	"not_after": "2027-11-27T00:00:00Z",
	"not_before_ns": 1767225600000000000,
	"not_after_ns": 1827273600000000000,
	"has_private_key": key,
	"private_key_readers": [],
	"sidecar_missing": false,
}

worker_cert(name, t, store, key) := {
	"thumbprint": t,
	"store": store,
	"artifact": sprintf("certs/%s/%s.cer", [store, t]),
	"subject": sprintf("CN=%s", [lower(name)]),
	"issuer": sprintf("CN=%s", [lower(name)]),
	"cns": [lower(name)],
	"san_dns": [sprintf("%s.contoso.com", [lower(name)])],
	"self_signed": true,
	"not_before": "2026-01-01T00:00:00Z",
	"not_after": "2027-11-27T00:00:00Z",
	"not_before_ns": 1767225600000000000,
	"not_after_ns": 1827273600000000000,
	"has_private_key": key,
	"private_key_readers": ["CONTOSO\\svc-ssisworker", "BUILTIN\\Administrators"],
	"sidecar_missing": false,
}

ca_cert := {
	"thumbprint": ca_t,
	"store": "LocalMachine/Root",
	"subject": "CN=Contoso Issuing CA 1",
	"issuer": "CN=Contoso Root CA",
	"cns": ["Contoso Issuing CA 1"],
	"san_dns": [],
	"self_signed": false,
	"not_before_ns": 1767225600000000000,
	"not_after_ns": 1827273600000000000,
	"has_private_key": false,
}

host(name) := {
	"ComputerName": name,
	"DNSHostName": lower(name),
	"Domain": "contoso.com",
	"PartOfDomain": true,
	"Caption": "Microsoft Windows Server 2022 Datacenter",
	"Version": "10.0.20348",
	"fqdn": sprintf("%s.contoso.com", [lower(name)]),
}

master_config(name) := {
	"name": "MasterSettings.config",
	"artifact": sprintf("nodes/%s/files/MasterSettings.config", [name]),
	"path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterSettings.config",
	"version": "150",
	"last_write_utc": "2026-11-20T09:00:00Z",
	"last_write_ns": 1795165200000000000,
	"format": "json",
	"parse_error": "",
	"settings": {
		"PortNumber": 8391,
		"SSLCertThumbprint": mt,
		"SqlServerName": "aglsn.contoso.com,1433",
		"CleanupCompletedJobsIntervalInMs": 43200000,
		"DealWithExpiredTasksIntervalInMs": 300000,
		"MasterHeartbeatIntervalInMs": 30000,
		"SqlConnectionTimeoutInSecs": 15,
	},
	"lines": {
		"PortNumber": 2, "SSLCertThumbprint": 3, "SqlServerName": 4,
		"CleanupCompletedJobsIntervalInMs": 5, "DealWithExpiredTasksIntervalInMs": 6,
		"MasterHeartbeatIntervalInMs": 7, "SqlConnectionTimeoutInSecs": 8,
	},
	"unknown_keys": [],
	"missing_keys": [],
	"master": {
		"port": 8391,
		"thumbprint": mt,
		"sql_server": {"raw": "aglsn.contoso.com,1433", "host": "aglsn.contoso.com", "instance": "", "port": 1433, "has_port": true},
		"heartbeat_interval_ms": 30000,
		"sql_connect_timeout_secs": 15,
	},
}

worker_config(name, t, agent) := {
	"name": "WorkerSettings.config",
	"artifact": sprintf("nodes/%s/files/WorkerSettings.config", [name]),
	"path": "C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\WorkerSettings.config",
	"version": "150",
	"last_write_utc": "2026-11-20T09:00:00Z",
	"last_write_ns": 1795165200000000000,
	"format": "json",
	"parse_error": "",
	"settings": {
		"MasterEndpoint": "https://ssismaster.contoso.com:8391",
		"MasterHttpsCertThumbprint": mt,
		"WorkerHttpsCertThumbprint": t,
		"StoreLocation": "LocalMachine",
		"StoreName": "My",
		"AgentHeartbeatInterval": "00:01:00",
		"AgentId": agent,
	},
	"lines": {
		"MasterEndpoint": 4, "MasterHttpsCertThumbprint": 5, "WorkerHttpsCertThumbprint": 6,
		"StoreLocation": 7, "StoreName": 8, "AgentHeartbeatInterval": 9, "AgentId": 25,
	},
	"unknown_keys": [],
	"missing_keys": [],
	"worker": {
		"master_endpoint": {
			"raw": "https://ssismaster.contoso.com:8391", "valid": true, "error": "",
			"scheme": "https", "host": "ssismaster.contoso.com", "port": 8391, "path": "",
		},
		"master_thumbprint": mt,
		"worker_thumbprint": t,
		"store": "LocalMachine/My",
		"agent_id": agent,
		"agent_heartbeat_seconds": 60,
		"agent_heartbeat_specified": true,
	},
}

master_service(state, pid, start_ns) := {
	"Name": "SSISScaleOutMaster150",
	"DisplayName": "SQL Server Integration Services Scale Out Master 15.0",
	"StartName": "CONTOSO\\svc-ssismaster",
	"StartMode": "Manual",
	"State": state,
	"ProcessId": pid,
	"PathName": "\"C:\\Program Files\\Microsoft SQL Server\\150\\DTS\\Binn\\MasterService.exe\"",
	"process_start_ns": start_ns,
	"kind": "master",
	"version": "150",
}

sql_service := {
	"Name": "MSSQLSERVER", "DisplayName": "SQL Server (MSSQLSERVER)", "StartName": "CONTOSO\\svc-sql",
	"StartMode": "Auto", "State": "Running", "ProcessId": 2100, "kind": "sql", "version": "",
}

worker_service := {
	"Name": "SSISScaleOutWorker150",
	"DisplayName": "SQL Server Integration Services Scale Out Worker 15.0",
	"StartName": "CONTOSO\\svc-ssisworker",
	"StartMode": "Auto",
	"State": "Running",
	"ProcessId": 3300,
	"process_start_ns": 1795165800000000000,
	"kind": "worker",
	"version": "150",
}

schannel_key := "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL"

master_node(name, state, pid, start_ns) := {
	"name": name,
	"roles": ["master", "replica"],
	"collected": true,
	"error": "",
	"missing": {},
	"host": host(name),
	"services": {
		"SSISScaleOutMaster150": master_service(state, pid, start_ns),
		"MSSQLSERVER": sql_service,
	},
	"certs": {
		"LocalMachine/Root": {
			mt: master_cert("LocalMachine/Root", true),
			w1t: worker_cert("WRK1", w1t, "LocalMachine/Root", false),
			w2t: worker_cert("WRK2", w2t, "LocalMachine/Root", false),
		},
		"LocalMachine/My": {},
	},
	"configs": {"master": master_config(name), "worker": null},
	"registry": {
		schannel_key: {"SendTrustedIssuerList": 0, "ClientAuthTrustMode": 2},
		"HKLM\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\150\\DTS\\Setup\\SQL_IS_Master": {"Version": "15.0.2000.5"},
	},
	"httpsys": {"bindings": {"0.0.0.0:8391": {
		"endpoint": "0.0.0.0:8391", "kind": "ipport", "port": 8391,
		"certificate_hash": lower(mt), "store_name": "Root",
		"application_id": "{5B5A9D9B-1A8D-4C5E-9D34-8B9E2F1C7A10}", "line": 5,
	}}},
	"firewall": [
		{"DisplayName": "SSIS Scale Out Master", "Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["8391"]},
		{"DisplayName": "SQL Server", "Enabled": true, "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": ["1433", "5022"]},
	],
}

worker_node(name, t, agent) := {
	"name": name,
	"roles": ["worker"],
	"collected": true,
	"error": "",
	"missing": {},
	"host": host(name),
	"services": {"SSISScaleOutWorker150": worker_service},
	"certs": {
		"LocalMachine/Root": {
			mt: master_cert("LocalMachine/Root", false),
			t: worker_cert(name, t, "LocalMachine/Root", false),
		},
		"LocalMachine/My": {t: worker_cert(name, t, "LocalMachine/My", true)},
	},
	"configs": {"master": null, "worker": worker_config(name, t, agent)},
	"registry": {},
	"httpsys": {"bindings": {}},
	"firewall": [],
}

agent1 := "6583054A-E915-4C2A-80E4-C765E79EF61D"

agent2 := "0F1E2D3C-4B5A-4968-8776-A5B4C3D2E1F0"

listener := {"raw": "aglsn.contoso.com,1433", "host": "aglsn.contoso.com", "instance": "", "port": 1433, "has_port": true, "source": "declared"}

qs(inst, q, rows) := {
	"artifact": sprintf("sql/%s/%s.json", [inst, q]),
	"collected_utc": "2026-11-27T10:00:03Z",
	"columns": [k | some k, _ in rows[0]],
	"rows": rows,
	"error": "",
}

log_login := "##MS_SSISLogDBWorkerAgentLogin##"

log_sid := "0x6A1B2C3D4E5F60718293A4B5C6D7E8F9"

master_acct_sid := "0x010500000000000515000000A1B2C3D4E5F60718293A4B5C6D0E0000"

replica_queries(inst, role) := {
	"server_properties": qs(inst, "server_properties", [{
		"ServerName": inst, "ComputerNamePhysicalNetBIOS": inst, "MachineName": inst, "InstanceName": null,
		"ProductVersion": "15.0.4355.3", "ProductMajorVersion": "15",
		"IsHadrEnabled": 1, "IsIntegratedSecurityOnly": 0, "IsClustered": 0,
	}]),
	"ag_ssisdb": qs(inst, "ag_ssisdb", [{"ag_name": "AG1", "group_id": "3C8E2B1A-0000-4000-8000-000000000001", "database_name": "SSISDB"}]),
	"ag_listeners": qs(inst, "ag_listeners", [{"ag_name": "AG1", "dns_name": "aglsn", "port": 1433, "ip_address": "10.0.0.60", "ip_state_desc": "ONLINE"}]),
	"ag_replicas": qs(inst, "ag_replicas", [
		{
			"ag_name": "AG1", "replica_server_name": "SQLN1", "endpoint_url": "TCP://sqln1.contoso.com:5022",
			"availability_mode_desc": "SYNCHRONOUS_COMMIT", "failover_mode_desc": "AUTOMATIC",
			"role_desc": "PRIMARY", "connected_state_desc": "CONNECTED", "synchronization_health_desc": "HEALTHY",
		},
		{
			"ag_name": "AG1", "replica_server_name": "SQLN2", "endpoint_url": "TCP://sqln2.contoso.com:5022",
			"availability_mode_desc": "SYNCHRONOUS_COMMIT", "failover_mode_desc": "AUTOMATIC",
			"role_desc": "SECONDARY", "connected_state_desc": "CONNECTED", "synchronization_health_desc": "HEALTHY",
		},
	]),
	"ssisdb_replica_states": qs(inst, "ssisdb_replica_states", [
		{
			"replica_server_name": "SQLN1", "is_local": inst == "SQLN1", "is_primary_replica": true,
			"synchronization_state_desc": "SYNCHRONIZED", "synchronization_health_desc": "HEALTHY", "database_state_desc": "ONLINE",
		},
		{
			"replica_server_name": "SQLN2", "is_local": inst == "SQLN2", "is_primary_replica": false,
			"synchronization_state_desc": "SYNCHRONIZED", "synchronization_health_desc": "HEALTHY", "database_state_desc": "ONLINE",
		},
	]),
	"databases": qs(inst, "databases", [{"name": "SSISDB", "is_master_key_encrypted_by_server": role == "primary", "replica_id": "9A1B0000-0000-4000-8000-000000000001", "state_desc": "ONLINE"}]),
	"server_principals": qs(inst, "server_principals", [
		{"name": log_login, "sid": log_sid, "type_desc": "SQL_LOGIN", "is_disabled": false},
		{"name": "##MS_SQLEnableSystemAssemblyLoadingUser##", "sid": "0x0106000000000009010000001122", "type_desc": "CERTIFICATE_MAPPED_LOGIN", "is_disabled": false},
		{"name": "CONTOSO\\svc-ssismaster", "sid": master_acct_sid, "type_desc": "WINDOWS_LOGIN", "is_disabled": false},
	]),
	"sql_logins": qs(inst, "sql_logins", [{
		"name": log_login, "is_policy_checked": false, "is_expiration_checked": false,
		"is_expired": 0, "is_locked": 0, "password_last_set_time": "2026-11-01T08:00:00Z",
	}]),
	"configurations": qs(inst, "configurations", [{"name": "clr enabled", "value_in_use": 1}]),
	"startup_procs": qs(inst, "startup_procs", [{"name": "sp_ssis_startup", "is_startup": true}]),
	"logdb_password_check": qs(inst, "logdb_password_check", [{"login_name": log_login, "password_matches": true}]),
}

primary_queries := {
	"ssisdb_master_properties": qs("SQLN1", "ssisdb_master_properties", [
		{"property_name": "CLUSTER_LOGDB_SERVER", "property_value": "aglsn.contoso.com,1433"},
		{"property_name": "LAST_ONLINE_TIME", "property_value": "2026-11-27 09:59:38.6190000 +00:00"},
		{"property_name": "MACHINE_IP", "property_value": "10.0.0.11"},
		{"property_name": "MACHINE_NAME", "property_value": "SQLN1"},
		{"property_name": "MASTER_ADDRESS", "property_value": "https://ssismaster.contoso.com:8391"},
		{"property_name": "MASTER_SERVICE_PORT", "property_value": "8391"},
		{"property_name": "SSLCERT_THUMBPRINT", "property_value": mt},
		{"property_name": "MASTER_HEARTBEAT_INTERVALINMS", "property_value": "30000"},
	]),
	"ssisdb_catalog_properties": qs("SQLN1", "ssisdb_catalog_properties", [
		{"property_name": "IS_SCALEOUT_ENABLED", "property_value": "True"},
		{"property_name": "SCHEMA_VERSION", "property_value": "7"},
		{"property_name": "SCHEMA_BUILD", "property_value": "15.0.2000.5"},
		{"property_name": "DEFAULT_EXECUTION_MODE", "property_value": "0"},
	]),
	"ssisdb_worker_agents": qs("SQLN1", "ssisdb_worker_agents", [
		{
			"WorkerAgentId": lower(agent1), "IsEnabled": true, "DisplayName": "WRK1", "MachineName": "WRK1",
			"UserAccount": "CONTOSO\\svc-ssisworker", "LastOnlineTime": "2026-11-27T09:59:30Z",
		},
		{
			"WorkerAgentId": lower(agent2), "IsEnabled": true, "DisplayName": "WRK2", "MachineName": "WRK2",
			"UserAccount": "CONTOSO\\svc-ssisworker", "LastOnlineTime": "2026-11-27T09:59:10Z",
		},
	]),
	"ssisdb_alwayson_replicas": qs("SQLN1", "ssisdb_alwayson_replicas", [{"server_name": "SQLN1", "state": 1}, {"server_name": "SQLN2", "state": 1}]),
	"ssisdb_principals": qs("SQLN1", "ssisdb_principals", [
		{"name": "##MS_SSISLogDBWorkerAgentUser##", "sid": log_sid, "type_desc": "SQL_USER", "role_name": "ssis_cluster_worker"},
		{"name": "CONTOSO\\svc-ssismaster", "sid": master_acct_sid, "type_desc": "WINDOWS_USER", "role_name": "ssis_admin"},
	]),
	"logdb_connection": qs("SQLN1", "logdb_connection", [{"connection_string": "Data Source=aglsn.contoso.com,1433;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***;"}]),
}

instance(inst, queries) := {"instance": inst, "node": inst, "collected": true, "error": "", "queries": queries, "missing": {}}

cluster := {
	"source_node": "SQLN1",
	"Name": "SSISCLU",
	"Nodes": [{"Name": "SQLN1", "State": "Up"}, {"Name": "SQLN2", "State": "Up"}],
	"Groups": [
		{"Name": "ssismaster", "State": "Online", "OwnerNode": "SQLN1", "GroupType": "GenericService"},
		{"Name": "AG1", "State": "Online", "OwnerNode": "SQLN1", "GroupType": "Unknown"},
	],
	"Resources": [
		{
			"Name": "SSIS Scale Out Master", "ResourceType": "Generic Service", "OwnerGroup": "ssismaster",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"],
			"Parameters": {"ServiceName": "SSISScaleOutMaster150"},
		},
		{
			"Name": "ssismaster", "ResourceType": "Network Name", "OwnerGroup": "ssismaster",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"],
			"Parameters": {"DnsName": "ssismaster", "Name": "SSISMASTER"},
		},
		{
			"Name": "IP Address 10.0.0.50", "ResourceType": "IP Address", "OwnerGroup": "ssismaster",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"],
			"Parameters": {"Address": "10.0.0.50"},
		},
		{
			"Name": "AG1", "ResourceType": "SQL Server Availability Group", "OwnerGroup": "AG1",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"], "Parameters": {},
		},
	],
}

healthy := {
	"schema_version": 1,
	"bundle": {
		"path": "testdata/bundles/healthy-ag",
		"format_version": 1,
		"created_utc": "2026-11-27T10:00:00Z",
		"created_ns": created_ns,
		"tool_version": "0.1.0",
	},
	"deployment": {
		"name": "prod-etl",
		"variant": "ag",
		"declared": {"master_dns": "ssismaster.contoso.com", "master_port": 8391, "listener": "aglsn.contoso.com,1433", "scale_out_version": "150"},
		"master_dns": "ssismaster.contoso.com",
		"master_dns_source": "declared",
		"master_port": 8391,
		"master_port_source": "declared",
		"listener": listener,
		"domain": "contoso.com",
		"master_nodes": ["SQLN1", "SQLN2"],
		"worker_nodes": ["WRK1", "WRK2"],
		"replica_nodes": ["SQLN1", "SQLN2"],
		"master_version": "150",
		"active_master_node": "SQLN1",
		"master_thumbprint": mt,
		"master_thumbprint_source": "active node",
		"primary_instance": "SQLN1",
	},
	"nodes": {
		"SQLN1": master_node("SQLN1", "Running", 4711, 1795165800000000000),
		"SQLN2": master_node("SQLN2", "Stopped", 0, 0),
		"WRK1": worker_node("WRK1", w1t, agent1),
		"WRK2": worker_node("WRK2", w2t, agent2),
	},
	"cluster": cluster,
	"sql": {
		"SQLN1": instance("SQLN1", object.union(replica_queries("SQLN1", "primary"), primary_queries)),
		"SQLN2": instance("SQLN2", replica_queries("SQLN2", "secondary")),
	},
	"missing": {},
	"params": {"profile": "ha", "target_version": ""},
}

# --- mutation helpers --------------------------------------------------------

# patch(p): the healthy input deep-merged with p.
patch(p) := object.union(healthy, p)

# set(path, value): replace one value (path as an array of keys).
set(path, value) := json.patch(healthy, [{"op": "add", "path": path, "value": value}])

# remove(path)
remove(path) := json.patch(healthy, [{"op": "remove", "path": path}])

# node_patch(name, p): deep-merge p into one node.
node_patch(name, p) := patch({"nodes": {name: p}})

# not_collected(name)
not_collected(name) := set(["nodes", name], {
	"name": name, "roles": healthy.nodes[name].roles, "collected": false,
	"error": "WinRM: connection refused", "missing": {}, "host": null, "services": {}, "certs": {},
	"configs": {"master": null, "worker": null}, "registry": {}, "httpsys": null, "firewall": [],
})

# missing(name, artifact): the node's artifact is recorded as absent.
missing(name, artifact) := node_patch(name, {"missing": {artifact: "access is denied"}})

# parse_error(name, which): the node's master/worker config could not be parsed.
parse_error(name, which) := set(["nodes", name, "configs", which], {
	"name": healthy.nodes[name].configs[which].name,
	"artifact": healthy.nodes[name].configs[which].artifact,
	"path": healthy.nodes[name].configs[which].path,
	"format": "json",
	"parse_error": "invalid character '}' looking for beginning of object key string (line 4)",
	"settings": {}, "lines": {}, "unknown_keys": [], "missing_keys": [],
})

# --- assertions ---------------------------------------------------------------

subject_key(r) := [r.rule, r.subject.kind, object.get(r.subject, "node", ""), object.get(r.subject, "instance", ""), object.get(r.subject, "object", "")]

# one_per_subject: no subject has two results, and every result is well formed.
one_per_subject(rs) if {
	count({subject_key(r) | some r in rs}) == count(rs)
	every r in rs {
		well_formed(r)
	}
}

well_formed(r) if {
	r.status in {"fail", "pass", "unknown"}
	is_string(r.message)
	r.message != ""
	is_array(r.evidence)
	is_array(r.missing)
	every e in r.evidence {
		is_string(e.artifact)
	}
	r.subject.kind in {"node", "instance", "worker", "certificate", "deployment"}
	fix_ok(r)
	missing_ok(r)
}

fix_ok(r) if {
	r.status == "fail"
	is_string(r.fix.id)
	is_string(r.fix.target)
	r.fix.target != ""
	is_object(r.fix.params)
}

fix_ok(r) if {
	r.status != "fail"
	r.fix == null
}

missing_ok(r) if {
	r.status == "unknown"
	count(r.missing) > 0
}

missing_ok(r) if {
	r.status != "unknown"
	count(r.missing) == 0
}

# statuses(rs, node): the statuses of the results about a node.
statuses(rs, node) := {r.status | some r in rs; object.get(r.subject, "node", "") == node}

# only(rs, node, status): exactly one result for node, with that status; and
# rs is well formed.
only(rs, node, status) if {
	one_per_subject(rs)
	[r | some r in rs; object.get(r.subject, "node", "") == node] == [x | some x in rs; x.status == status; object.get(x.subject, "node", "") == node]
	count([r | some r in rs; object.get(r.subject, "node", "") == node]) == 1
}

# the result about node (when there is one).
result(rs, node) := r if {
	some r in rs
	object.get(r.subject, "node", "") == node
}

all_pass(rs) if {
	one_per_subject(rs)
	count(rs) > 0
	every r in rs {
		r.status == "pass"
	}
}

# --- a healthy FCI deployment: SSISDB on SQLFCI01\INST1, the master service in
# the SQL Server role, workers addressing the SQL Server network name.

fci_inst := "SQLFCI01\\INST1"

fci_sql_server := {"raw": "SQLFCI01\\INST1", "host": "SQLFCI01", "instance": "INST1", "port": 0, "has_port": false}

fci_endpoint := {"raw": "https://sqlfci01.contoso.com:8391", "valid": true, "error": "", "scheme": "https", "host": "sqlfci01.contoso.com", "port": 8391, "path": ""}

fci_master_cert := {"cns": ["sqlfci01.contoso.com", "SQLFCI01"], "subject": "CN=sqlfci01.contoso.com, CN=SQLFCI01"}

healthy_fci := object.union(
	json.patch(healthy, [
		{"op": "add", "path": ["deployment", "listener"], "value": null},
		{"op": "add", "path": ["cluster"], "value": fci_cluster},
		{"op": "add", "path": ["sql"], "value": {fci_inst: {
			"instance": fci_inst, "node": "SQLN1", "collected": true, "error": "", "missing": {},
			"queries": object.union(object.union(replica_queries(fci_inst, "primary"), primary_queries), {
				"ag_ssisdb": empty_qs(fci_inst, "ag_ssisdb"),
				"ag_listeners": empty_qs(fci_inst, "ag_listeners"),
				"ag_replicas": empty_qs(fci_inst, "ag_replicas"),
				"ssisdb_replica_states": empty_qs(fci_inst, "ssisdb_replica_states"),
				"ssisdb_alwayson_replicas": empty_qs(fci_inst, "ssisdb_alwayson_replicas"),
				"ssisdb_master_properties": qs(fci_inst, "ssisdb_master_properties", [
					{"property_name": "CLUSTER_LOGDB_SERVER", "property_value": "SQLFCI01\\INST1"},
					{"property_name": "LAST_ONLINE_TIME", "property_value": "2026-11-27 09:59:38.6190000 +00:00"},
					{"property_name": "MACHINE_IP", "property_value": "10.0.0.11"},
					{"property_name": "MACHINE_NAME", "property_value": "SQLN1"},
					{"property_name": "MASTER_ADDRESS", "property_value": "https://sqlfci01.contoso.com:8391"},
					{"property_name": "MASTER_SERVICE_PORT", "property_value": "8391"},
					{"property_name": "SSLCERT_THUMBPRINT", "property_value": mt},
				]),
				"logdb_connection": qs(fci_inst, "logdb_connection", [{"connection_string": "Data Source=SQLFCI01\\INST1;Initial Catalog=SSISDB;User Id=##MS_SSISLogDBWorkerAgentLogin##;Password=***;"}]),
				"server_properties": qs(fci_inst, "server_properties", [{
					"ServerName": fci_inst, "ComputerNamePhysicalNetBIOS": "SQLN1", "MachineName": "SQLFCI01", "InstanceName": "INST1",
					"ProductVersion": "15.0.4355.3", "ProductMajorVersion": "15",
					"IsHadrEnabled": 0, "IsIntegratedSecurityOnly": 0, "IsClustered": 1,
				}]),
			}),
		}}},
	]),
	{
		"deployment": {
			"variant": "fci",
			"declared": {"master_dns": "sqlfci01.contoso.com", "master_port": 8391, "scale_out_version": "150"},
			"master_dns": "sqlfci01.contoso.com",
			"primary_instance": fci_inst,
		},
		"nodes": object.union(
			{n: {
				"configs": {"master": {"master": {"sql_server": fci_sql_server}, "settings": {"SqlServerName": fci_inst}}},
				"certs": {"LocalMachine/Root": {mt: fci_master_cert}},
			} |
				some n in ["SQLN1", "SQLN2"]
			},
			{n: {
				"configs": {"worker": {"worker": {"master_endpoint": fci_endpoint}, "settings": {"MasterEndpoint": fci_endpoint.raw}}},
				"certs": {"LocalMachine/Root": {mt: fci_master_cert}},
			} |
				some n in ["WRK1", "WRK2"]
			},
		),
	},
)

fci_patch(p) := object.union(healthy_fci, p)

empty_qs(inst, q) := {"artifact": sprintf("sql/%s/%s.json", [inst, q]), "collected_utc": "2026-11-27T10:00:03Z", "columns": [], "rows": [], "error": ""}

fci_set(path, value) := json.patch(healthy_fci, [{"op": "add", "path": path, "value": value}])

fci_cluster := {
	"source_node": "SQLN1",
	"Name": "FCICLU",
	"Nodes": [{"Name": "SQLN1", "State": "Up"}, {"Name": "SQLN2", "State": "Up"}],
	"Groups": [{"Name": "SQL Server (INST1)", "State": "Online", "OwnerNode": "SQLN1", "GroupType": "Unknown"}],
	"Resources": [
		{
			"Name": "SQL Server (INST1)", "ResourceType": "SQL Server", "OwnerGroup": "SQL Server (INST1)",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"], "Parameters": {"InstanceName": "INST1"},
		},
		{
			"Name": "SQL Network Name (SQLFCI01)", "ResourceType": "Network Name", "OwnerGroup": "SQL Server (INST1)",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"], "Parameters": {"DnsName": "SQLFCI01", "Name": "SQLFCI01"},
		},
		{
			"Name": "SSIS Scale Out Master", "ResourceType": "Generic Service", "OwnerGroup": "SQL Server (INST1)",
			"OwnerNode": "SQLN1", "State": "Online", "PossibleOwners": ["SQLN1", "SQLN2"],
			"Parameters": {"ServiceName": "SSISScaleOutMaster150"},
		},
	],
}
