package sqlserver

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// The one statement allowed besides SELECTs: decrypt the logging connection
// string into a variable and select it.
const allowedLogDBCall = "DECLARE @cs nvarchar(max);\nEXEC SSISDB.internal.get_log_dbconnection @connection_string = @cs OUTPUT;\nSELECT @cs AS connection_string;"

var (
	reLineComment  = regexp.MustCompile(`--[^\n]*`)
	reBlockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	reString       = regexp.MustCompile(`N?'(?:[^']|'')*'`)
	reBracket      = regexp.MustCompile(`\[(?:[^\]]|\]\])*\]`)
	reWord         = regexp.MustCompile(`[A-Za-z_@#][A-Za-z0-9_@#$]*`)
)

var forbidden = map[string]bool{
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "EXEC": true, "EXECUTE": true,
	"CREATE": true, "ALTER": true, "DROP": true, "GRANT": true, "REVOKE": true, "DENY": true,
	"TRUNCATE": true, "SET": true, "DECLARE": true, "INTO": true, "BACKUP": true, "RESTORE": true,
	"DBCC": true, "KILL": true, "SHUTDOWN": true, "RECONFIGURE": true, "OPENROWSET": true,
	"OPENQUERY": true, "OPENDATASOURCE": true, "BULK": true, "USE": true, "WAITFOR": true,
	"BEGIN": true, "COMMIT": true, "ROLLBACK": true, "SAVE": true, "ENABLE": true, "DISABLE": true,
	"OUTPUT": true, "UPDATETEXT": true, "WRITETEXT": true, "READTEXT": true, "CHECKPOINT": true,
}

// selectOnly reports why a statement is not one plain SELECT ("" if it is).
func selectOnly(sqlText string) string {
	s := reBlockComment.ReplaceAllString(sqlText, " ")
	s = reLineComment.ReplaceAllString(s, " ")
	s = reString.ReplaceAllString(s, " '' ")
	s = reBracket.ReplaceAllString(s, " ident ")
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ";")
	if strings.Contains(s, ";") {
		return "more than one statement"
	}
	if strings.ContainsAny(s, "'[") && strings.Count(s, "'")%2 != 0 {
		return "unbalanced quotes"
	}
	words := reWord.FindAllString(s, -1)
	if len(words) == 0 || !strings.EqualFold(words[0], "SELECT") {
		return "does not start with SELECT"
	}
	for _, w := range words {
		u := strings.ToUpper(w)
		if forbidden[u] {
			return "contains " + u
		}
		if strings.HasPrefix(u, "SP_") || strings.HasPrefix(u, "XP_") {
			return "calls " + w
		}
	}
	return ""
}

func TestSelectOnlyChecker(t *testing.T) {
	good := []string{
		"SELECT 1",
		"SELECT name FROM sys.databases WHERE name = N'x; DROP TABLE y' -- EXEC\n;",
		"SELECT [delete] FROM t",
	}
	bad := []string{
		"SELECT 1; DROP TABLE x",
		"SELECT * INTO t FROM x",
		"EXEC xp_cmdshell 'dir'",
		"WITH x AS (SELECT 1 a) DELETE FROM x",
		"SELECT 1 /* */ ; UPDATE t SET a = 1",
		"SELECT * FROM OPENROWSET('SQLNCLI', '', 'SELECT 1')",
		"SELECT sp_configure FROM t",
		"DECLARE @x int; SELECT @x",
		"select 1\nshutdown",
	}
	for _, s := range good {
		if why := selectOnly(s); why != "" {
			t.Errorf("%q rejected: %s", s, why)
		}
	}
	for _, s := range bad {
		if selectOnly(s) == "" {
			t.Errorf("%q accepted", s)
		}
	}
}

// Every statement in the pack is a single SELECT, except the one documented
// opt-in call; parameters are parameters, never text.
func TestQueryPackIsReadOnly(t *testing.T) {
	ids := map[string]bool{}
	for _, q := range Queries() {
		if ids[q.ID] {
			t.Errorf("duplicate id %s", q.ID)
		}
		ids[q.ID] = true
		if q.ID == logdbConnectionID {
			if q.SQL != allowedLogDBCall || !q.OptIn || q.Scope != SSISDBPrimary {
				t.Errorf("logdb_connection is not exactly the allowed call:\n%s", q.SQL)
			}
			continue
		}
		if why := selectOnly(q.SQL); why != "" {
			t.Errorf("%s: %s:\n%s", q.ID, why, q.SQL)
		}
		for _, p := range q.Params {
			if !strings.Contains(q.SQL, "@"+p) {
				t.Errorf("%s: parameter @%s unused", q.ID, p)
			}
		}
		if strings.Contains(q.SQL, "@") && len(q.Params) == 0 {
			t.Errorf("%s: uses a variable but declares no parameter", q.ID)
		}
	}
	// every id of bundle.md's table
	for _, id := range []string{"server_properties", "ag_ssisdb", "ag_listeners", "ag_replicas", "ssisdb_replica_states",
		"databases", "server_principals", "sql_logins", "configurations", "startup_procs", "ssisdb_master_properties",
		"ssisdb_catalog_properties", "ssisdb_worker_agents", "ssisdb_alwayson_replicas", "ssisdb_principals",
		"logdb_connection", "logdb_password_check", "backups", "executions_active"} {
		if !ids[id] {
			t.Errorf("query %s missing", id)
		}
	}
}

// Walk every statement the collector actually sends (all options on) and
// check each against the pack: nothing else reaches the server.
func TestCollectorSendsOnlyThePack(t *testing.T) {
	ctx := testCtx(t, 20*time.Second)
	n1 := newReplica(t, "SQLN1", "SQLN1", 0)
	n2 := newReplica(t, "SQLN2", "SQLN2", 0)
	o := testOptions(n1, n1, n2)
	o.ReadLogDBConnection = true
	o.ServiceAccounts = []string{`CONTOSO\svc'; DROP LOGIN sa; --`}
	if _, err := Collect(ctx, o); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	total := 0
	for _, r := range []*replica{n1, n2} {
		for _, rq := range r.srv.Requests() {
			total++
			id := queryIDOf(rq.SQL)
			if id == "" {
				t.Errorf("%s received a statement outside the pack:\n%s", r.name, rq.SQL)
				continue
			}
			seen[id] = true
			if id == logdbConnectionID {
				if rq.SQL != allowedLogDBCall {
					t.Errorf("logdb call differs: %s", rq.SQL)
				}
			} else if why := selectOnly(rq.SQL); why != "" {
				t.Errorf("%s: %s", id, why)
			}
			if id == "logdb_password_check" {
				if !rq.RPC || rq.Params["password"] != plantedLogDBPassword || strings.Contains(rq.SQL, plantedLogDBPassword) {
					t.Errorf("the password must travel as a parameter: %+v", rq.Params)
				}
			}
		}
	}
	for _, q := range pack {
		if !seen[q.ID] {
			t.Errorf("%s never sent", q.ID)
		}
	}
	t.Logf("%d statements checked", total)
}
