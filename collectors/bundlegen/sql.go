package bundlegen

import (
	"fmt"
	"strings"
	"time"
)

// Query texts (the reference's §6.4 query pack, with the columns of bundle.md).
var queryText = map[string]string{
	"server_properties": "SELECT SERVERPROPERTY('ServerName') AS ServerName, SERVERPROPERTY('ComputerNamePhysicalNetBIOS') AS ComputerNamePhysicalNetBIOS, " +
		"SERVERPROPERTY('MachineName') AS MachineName, SERVERPROPERTY('InstanceName') AS InstanceName, SERVERPROPERTY('ProductVersion') AS ProductVersion, " +
		"SERVERPROPERTY('ProductMajorVersion') AS ProductMajorVersion, SERVERPROPERTY('IsHadrEnabled') AS IsHadrEnabled, " +
		"SERVERPROPERTY('IsIntegratedSecurityOnly') AS IsIntegratedSecurityOnly, SERVERPROPERTY('IsClustered') AS IsClustered",
	"ag_ssisdb": "SELECT ag.name AS ag_name, ag.group_id, adc.database_name FROM sys.availability_groups ag " +
		"JOIN sys.availability_databases_cluster adc ON adc.group_id = ag.group_id WHERE adc.database_name = N'SSISDB'",
	"ag_listeners": "SELECT ag.name AS ag_name, l.dns_name, l.port, lip.ip_address, lip.state_desc AS ip_state_desc FROM sys.availability_group_listeners l " +
		"JOIN sys.availability_groups ag ON ag.group_id = l.group_id " +
		"LEFT JOIN sys.availability_group_listener_ip_addresses lip ON lip.listener_id = l.listener_id",
	"ag_replicas": "SELECT ag.name AS ag_name, ar.replica_server_name, ar.endpoint_url, ar.availability_mode_desc, ar.failover_mode_desc, " +
		"rs.role_desc, rs.connected_state_desc, rs.synchronization_health_desc FROM sys.availability_replicas ar " +
		"JOIN sys.availability_groups ag ON ag.group_id = ar.group_id " +
		"LEFT JOIN sys.dm_hadr_availability_replica_states rs ON rs.replica_id = ar.replica_id",
	"ssisdb_replica_states": "SELECT ar.replica_server_name, drs.is_local, drs.is_primary_replica, drs.synchronization_state_desc, " +
		"drs.synchronization_health_desc, drs.database_state_desc FROM sys.dm_hadr_database_replica_states drs " +
		"JOIN sys.availability_replicas ar ON ar.replica_id = drs.replica_id WHERE drs.database_id = DB_ID(N'SSISDB')",
	"databases": "SELECT name, is_master_key_encrypted_by_server, replica_id, state_desc FROM sys.databases WHERE name = N'SSISDB'",
	"server_principals": "SELECT name, sid, type_desc, is_disabled FROM sys.server_principals WHERE name IN " +
		"(N'##MS_SSISLogDBWorkerAgentLogin##', N'##MS_SQLEnableSystemAssemblyLoadingUser##', N'##MS_SSISServerCleanupJobLogin##', " +
		"N'CONTOSO\\svc-ssismaster', N'NT SERVICE\\SSISScaleOutMaster150', N'NT SERVICE\\SSISScaleOutWorker150')",
	"sql_logins": "SELECT name, is_policy_checked, is_expiration_checked, LOGINPROPERTY(name, 'IsExpired') AS is_expired, " +
		"LOGINPROPERTY(name, 'IsLocked') AS is_locked, LOGINPROPERTY(name, 'PasswordLastSetTime') AS password_last_set_time " +
		"FROM sys.sql_logins WHERE name = N'##MS_SSISLogDBWorkerAgentLogin##'",
	"configurations": "SELECT name, value_in_use FROM sys.configurations WHERE name IN (N'clr enabled', N'clr strict security')",
	"startup_procs": "SELECT name, CAST(OBJECTPROPERTY(object_id, 'ExecIsStartup') AS bit) AS is_startup FROM master.sys.procedures " +
		"WHERE name = N'sp_ssis_startup'",
	"ssisdb_master_properties":  "SELECT property_name, property_value FROM SSISDB.catalog.master_properties",
	"ssisdb_catalog_properties": "SELECT property_name, property_value FROM SSISDB.catalog.catalog_properties WHERE property_name IN (N'IS_SCALEOUT_ENABLED', N'SCHEMA_VERSION', N'SCHEMA_BUILD', N'DEFAULT_EXECUTION_MODE')",
	"ssisdb_worker_agents":      "SELECT WorkerAgentId, IsEnabled, DisplayName, MachineName, UserAccount, LastOnlineTime FROM SSISDB.catalog.worker_agents",
	"ssisdb_alwayson_replicas":  "SELECT server_name, state FROM SSISDB.catalog.alwayson_replicas",
	"ssisdb_principals": "SELECT dp.name, dp.sid, dp.type_desc, r.name AS role_name FROM SSISDB.sys.database_principals dp " +
		"LEFT JOIN SSISDB.sys.database_role_members rm ON rm.member_principal_id = dp.principal_id " +
		"LEFT JOIN SSISDB.sys.database_principals r ON r.principal_id = rm.role_principal_id " +
		"WHERE dp.name IN (N'##MS_SSISLogDBWorkerAgentUser##') OR r.name IN (N'ssis_admin', N'ssis_cluster_worker', N'ssis_cluster_executor')",
	"logdb_connection":     "EXEC SSISDB.internal.get_log_dbconnection @connection_string = @cs OUTPUT -- Password redacted by the collector",
	"logdb_password_check": "SELECT name AS login_name, PWDCOMPARE(@pwd, password_hash) AS password_matches FROM sys.sql_logins WHERE name = N'##MS_SSISLogDBWorkerAgentLogin##'",
	"backups": "SELECT TOP (1) database_name, backup_finish_date, type FROM msdb.dbo.backupset WHERE database_name = N'SSISDB' AND type = 'D' " +
		"ORDER BY backup_finish_date DESC",
	"executions_active": "SELECT COUNT(*) AS active_count FROM SSISDB.catalog.executions WHERE status IN (2, 5)",
}

type resultSet struct {
	id      string
	columns []string
	rows    [][]any
}

// InstanceDir is the sql/<INSTANCE> directory name of a server name.
func InstanceDir(server string) string { return strings.ReplaceAll(server, `\`, "$") }

// dto formats a datetimeoffset the way SQL Server prints it as text.
func dto(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.0000000 -07:00")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (w *writer) sql() {
	s := w.s
	st := s.SQL
	for qi, in := range st.Instances {
		var sets []resultSet
		sets = append(sets, resultSet{"server_properties",
			[]string{"ServerName", "ComputerNamePhysicalNetBIOS", "MachineName", "InstanceName", "ProductVersion", "ProductMajorVersion", "IsHadrEnabled", "IsIntegratedSecurityOnly", "IsClustered"},
			[][]any{{in.ServerName, in.Node, in.MachineName, nullable(in.InstanceName), in.ProductVersion, in.Major, in.HadrEnabled, in.IntegratedOnly, in.Clustered}}})
		sets = append(sets, w.agSets(in)...)

		dbRows := [][]any{}
		if in.HasSSISDB {
			state := in.SSISDBState
			if state == "" {
				state = "ONLINE"
			}
			dbRows = append(dbRows, []any{"SSISDB", in.DMKBySMK, nullable(in.SSISDBReplica), state})
		}
		sets = append(sets, resultSet{"databases", []string{"name", "is_master_key_encrypted_by_server", "replica_id", "state_desc"}, dbRows})

		lr := [][]any{}
		for _, l := range in.Logins {
			lr = append(lr, []any{l.Name, l.SID, l.Type, l.Disabled})
		}
		sets = append(sets, resultSet{"server_principals", []string{"name", "sid", "type_desc", "is_disabled"}, lr})

		sl := [][]any{}
		if l := in.LogLogin; l != nil {
			sl = append(sl, []any{logLogin, l.PolicyChecked, l.ExpirationChecked, l.Expired, l.Locked, rfc(l.PasswordLastSet)})
		}
		sets = append(sets, resultSet{"sql_logins", []string{"name", "is_policy_checked", "is_expiration_checked", "is_expired", "is_locked", "password_last_set_time"}, sl})

		sets = append(sets, resultSet{"configurations", []string{"name", "value_in_use"},
			[][]any{{"clr enabled", in.CLREnabled}, {"clr strict security", 1}}})

		sp := [][]any{}
		if in.StartupProc != nil {
			sp = append(sp, []any{"sp_ssis_startup", *in.StartupProc})
		}
		sets = append(sets, resultSet{"startup_procs", []string{"name", "is_startup"}, sp})

		br := [][]any{}
		if !in.LastBackup.IsZero() {
			br = append(br, []any{"SSISDB", rfc(in.LastBackup), "D"})
		}
		sets = append(sets, resultSet{"backups", []string{"database_name", "backup_finish_date", "type"}, br})

		if in.PasswordCheckNoRow {
			sets = append(sets, resultSet{"logdb_password_check", []string{"login_name", "password_matches"}, [][]any{}})
		} else if in.PasswordMatches != nil {
			sets = append(sets, resultSet{"logdb_password_check", []string{"login_name", "password_matches"},
				[][]any{{logLogin, *in.PasswordMatches}}})
		}

		if in.ServerName == st.Primary && st.Catalog != nil {
			sets = append(sets, w.catalogSets()...)
		}
		dir := "sql/" + InstanceDir(in.ServerName) + "/"
		for i, rs := range sets {
			var rows, errv any = rs.rows, nil
			if msg, failed := in.QueryErrors[rs.id]; failed {
				rows, errv = nil, msg
			}
			w.json(dir+rs.id+".json", obj{
				{"query_id", rs.id},
				{"sql", queryText[rs.id]},
				{"collected_utc", rfc(s.Created.Add(time.Duration(2+qi+i/8) * time.Second))},
				{"columns", rs.columns},
				{"rows", rows},
				{"error", errv},
			})
		}
	}
}

func (w *writer) agSets(in *SQLInstance) []resultSet {
	ag := w.s.SQL.AG
	sets := []resultSet{
		{"ag_ssisdb", []string{"ag_name", "group_id", "database_name"}, [][]any{}},
		{"ag_listeners", []string{"ag_name", "dns_name", "port", "ip_address", "ip_state_desc"}, [][]any{}},
		{"ag_replicas", []string{"ag_name", "replica_server_name", "endpoint_url", "availability_mode_desc", "failover_mode_desc", "role_desc", "connected_state_desc", "synchronization_health_desc"}, [][]any{}},
		{"ssisdb_replica_states", []string{"replica_server_name", "is_local", "is_primary_replica", "synchronization_state_desc", "synchronization_health_desc", "database_state_desc"}, [][]any{}},
	}
	if ag == nil {
		return sets
	}
	primary := w.s.SQL.Primary
	isPrimary := in.ServerName == primary
	if !ag.NoSSISDB {
		sets[0].rows = append(sets[0].rows, []any{ag.Name, ag.GroupID, "SSISDB"})
	}
	for _, ip := range ag.ListenerIPs {
		sets[1].rows = append(sets[1].rows, []any{ag.Name, ag.ListenerDNS, ag.ListenerPort, ip, "ONLINE"})
	}
	for _, r := range ag.Replicas {
		local := r.Server == in.ServerName
		role := "SECONDARY"
		if r.Server == primary {
			role = "PRIMARY"
		}
		var roleV, conn, health any = role, "CONNECTED", r.SyncHealth
		if !isPrimary && !local {
			// a secondary sees only its own row in the dm_hadr views
			roleV, conn, health = nil, nil, nil
		}
		sets[2].rows = append(sets[2].rows, []any{ag.Name, r.Server, r.EndpointURL, r.Mode, r.Failover, roleV, conn, health})
		if (isPrimary || local) && !ag.NoSSISDB {
			sets[3].rows = append(sets[3].rows, []any{r.Server, local, r.Server == primary, r.SyncState, r.SyncHealth, r.DBState})
		}
	}
	return sets
}

func (w *writer) catalogSets() []resultSet {
	s := w.s
	c := s.SQL.Catalog
	enabled := ""
	if c.ScaleOutEnabled {
		enabled = "True"
	}
	mp := [][]any{
		{"CLUSTER_LOGDB_SERVER", c.LogDBServer},
		{"IS_SCALEOUT_ENABLED", enabled},
		{"LAST_ONLINE_TIME", dto(c.LastOnline)},
		{"MACHINE_IP", c.MachineIP},
		{"MACHINE_NAME", c.MachineName},
		{"MASTER_ADDRESS", c.MasterAddress},
		{"MASTER_HEARTBEAT_INTERVALINMS", fmt.Sprint(c.HeartbeatMs)},
		{"MASTER_SERVICE_PORT", fmt.Sprint(c.MasterServicePort)},
		{"SSLCERT_THUMBPRINT", s.Thumb(c.Cert)},
	}
	cp := [][]any{
		{"DEFAULT_EXECUTION_MODE", c.DefaultExecMode},
		{"IS_SCALEOUT_ENABLED", enabled},
		{"SCHEMA_BUILD", c.SchemaBuild},
		{"SCHEMA_VERSION", c.SchemaVersion},
	}
	wa := [][]any{}
	for _, a := range c.Workers {
		wa = append(wa, []any{a.ID, a.Enabled, a.DisplayName, a.MachineName, a.UserAccount, a.LastOnline.Format("2006-01-02T15:04:05.0000000-07:00")})
	}
	ar := [][]any{}
	for _, r := range c.AlwaysOnReplicas {
		ar = append(ar, []any{r, 1})
	}
	pr := [][]any{}
	for _, p := range c.Principals {
		pr = append(pr, []any{p.Name, p.SID, p.Type, nullable(p.Role)})
	}
	sets := []resultSet{
		{"ssisdb_master_properties", []string{"property_name", "property_value"}, mp},
		{"ssisdb_catalog_properties", []string{"property_name", "property_value"}, cp},
		{"ssisdb_worker_agents", []string{"WorkerAgentId", "IsEnabled", "DisplayName", "MachineName", "UserAccount", "LastOnlineTime"}, wa},
		{"ssisdb_alwayson_replicas", []string{"server_name", "state"}, ar},
		{"ssisdb_principals", []string{"name", "sid", "type_desc", "role_name"}, pr},
		{"executions_active", []string{"active_count"}, [][]any{{c.ActiveExecutions}}},
	}
	if c.LogConnString != "" {
		sets = append(sets, resultSet{"logdb_connection", []string{"connection_string"}, [][]any{{c.LogConnString}}})
	}
	return sets
}
