package sqlserver

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed queries/*.sql
var queryFiles embed.FS

// Scope says where a query runs.
type Scope int

const (
	// EveryReplica queries run on every replica (or the one instance for an
	// FCI / a standalone instance), connected directly.
	EveryReplica Scope = iota
	// SSISDBPrimary queries run once, on the SSISDB primary.
	SSISDBPrimary
)

// Query is one entry of the query pack.
type Query struct {
	ID      string
	Scope   Scope
	OptIn   bool     // only with Options.ReadLogDBConnection
	Columns []string // the exact result columns (bundle.md)
	SQL     string   // the embedded queries/<ID>.sql text
	// Params names the parameters the statement takes (sent as
	// sp_executesql parameters, never interpolated).
	Params []string
}

// The one statement that is not a plain SELECT: it decrypts the logging
// connection string (SSISDB.internal.get_log_dbconnection). Opt-in.
const logdbConnectionID = "logdb_connection"

var pack = []Query{
	{ID: "server_properties", Columns: []string{"ServerName", "ComputerNamePhysicalNetBIOS", "MachineName", "InstanceName", "ProductVersion", "ProductMajorVersion", "IsHadrEnabled", "IsIntegratedSecurityOnly", "IsClustered"}},
	{ID: "ag_ssisdb", Columns: []string{"ag_name", "group_id", "database_name"}},
	{ID: "ag_listeners", Columns: []string{"ag_name", "dns_name", "port", "ip_address", "ip_state_desc"}},
	{ID: "ag_replicas", Columns: []string{"ag_name", "replica_server_name", "endpoint_url", "availability_mode_desc", "failover_mode_desc", "role_desc", "connected_state_desc", "synchronization_health_desc"}},
	{ID: "ssisdb_replica_states", Columns: []string{"replica_server_name", "is_local", "is_primary_replica", "synchronization_state_desc", "synchronization_health_desc", "database_state_desc"}},
	{ID: "databases", Columns: []string{"name", "is_master_key_encrypted_by_server", "replica_id", "state_desc"}},
	{ID: "server_principals", Columns: []string{"name", "sid", "type_desc", "is_disabled"}, Params: []string{"accounts"}},
	{ID: "sql_logins", Columns: []string{"name", "is_policy_checked", "is_expiration_checked", "is_expired", "is_locked", "password_last_set_time"}},
	{ID: "configurations", Columns: []string{"name", "value_in_use"}},
	{ID: "startup_procs", Columns: []string{"name", "is_startup"}},
	{ID: "backups", Columns: []string{"database_name", "backup_finish_date", "type"}},
	{ID: "ssisdb_master_properties", Scope: SSISDBPrimary, Columns: []string{"property_name", "property_value"}},
	{ID: "ssisdb_catalog_properties", Scope: SSISDBPrimary, Columns: []string{"property_name", "property_value"}},
	{ID: "ssisdb_worker_agents", Scope: SSISDBPrimary, Columns: []string{"WorkerAgentId", "IsEnabled", "DisplayName", "MachineName", "UserAccount", "LastOnlineTime"}},
	{ID: "ssisdb_alwayson_replicas", Scope: SSISDBPrimary, Columns: []string{"server_name", "state"}},
	{ID: "ssisdb_principals", Scope: SSISDBPrimary, Columns: []string{"name", "sid", "type_desc", "role_name"}},
	{ID: "executions_active", Scope: SSISDBPrimary, Columns: []string{"active_count"}},
	{ID: logdbConnectionID, Scope: SSISDBPrimary, OptIn: true, Columns: []string{"connection_string"}},
	{ID: "logdb_password_check", OptIn: true, Columns: []string{"login_name", "password_matches"}, Params: []string{"password", "login"}},
}

func init() {
	for i := range pack {
		b, err := queryFiles.ReadFile("queries/" + pack[i].ID + ".sql")
		if err != nil {
			panic(fmt.Sprintf("sqlserver: query pack: %v", err))
		}
		pack[i].SQL = strings.TrimSpace(string(b))
	}
}

// Queries returns the query pack in bundle.md order (a copy).
func Queries() []Query {
	out := make([]Query, len(pack))
	copy(out, pack)
	for i := range out {
		out[i].Columns = append([]string(nil), out[i].Columns...)
		out[i].Params = append([]string(nil), out[i].Params...)
	}
	return out
}

func queryByID(id string) Query {
	for _, q := range pack {
		if q.ID == id {
			return q
		}
	}
	panic("sqlserver: no query " + id)
}
