package facts

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// PerReplicaQueries are the query ids every replica's instance is expected
// to have (bundle.md); opt-in queries are not listed.
var PerReplicaQueries = []string{
	"server_properties", "ag_ssisdb", "ag_listeners", "ag_replicas", "ssisdb_replica_states",
	"databases", "server_principals", "sql_logins", "configurations", "startup_procs", "backups",
}

// PrimaryQueries are the query ids the SSISDB primary is expected to have.
var PrimaryQueries = []string{
	"ssisdb_master_properties", "ssisdb_catalog_properties", "ssisdb_worker_agents",
	"ssisdb_alwayson_replicas", "ssisdb_principals", "executions_active",
}

// ssisdbQueries are the result sets that only the SSISDB primary answers:
// the instance that has them is the primary.
var ssisdbQueries = []string{
	"ssisdb_master_properties", "ssisdb_catalog_properties", "ssisdb_worker_agents",
	"ssisdb_alwayson_replicas", "ssisdb_principals",
}

// FlagColumns are coerced to booleans when their value is 0/1, "0"/"1" or
// true/false (SQL Server returns some as bit, SERVERPROPERTY as int).
var FlagColumns = []string{
	"is_disabled", "is_local", "is_primary_replica", "is_master_key_encrypted_by_server",
	"is_policy_checked", "is_expiration_checked", "is_expired", "is_locked", "is_startup",
	"IsEnabled", "password_matches", "IsHadrEnabled", "IsIntegratedSecurityOnly", "IsClustered",
}

var flagColumns = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range FlagColumns {
		m[strings.ToLower(c)] = true
	}
	return m
}()

// InstanceKey turns a folder name or manifest instance into the key of
// Document.SQL: upper case, with "\" for the "$" of a folder name.
func InstanceKey(s string) string {
	return strings.ToUpper(strings.Replace(strings.TrimSpace(s), "$", `\`, 1))
}

func newInstance(name string) *Instance {
	return &Instance{Instance: name, Queries: map[string]*ResultSet{}, Missing: map[string]string{}}
}

func (n *normalizer) readSQL() error {
	dirs := n.dirIndex("sql", InstanceKey)
	if len(n.b.Manifest.SQL) == 0 {
		n.doc.Missing["sql"] = "the manifest lists no SQL Server instance"
	}
	for _, ms := range n.b.Manifest.SQL {
		key := InstanceKey(ms.Instance)
		inst := newInstance(key)
		inst.Collected = ms.Collected
		inst.Error = RedactText(ms.Error)
		n.doc.SQL[key] = inst
		if !ms.Collected {
			reason := inst.Error
			if reason == "" {
				reason = "instance not collected"
			}
			for _, q := range PerReplicaQueries {
				inst.Missing[q] = reason
			}
			continue
		}
		dir, ok := dirs[key]
		if !ok {
			dir = strings.ReplaceAll(key, `\`, "$")
		}
		if err := n.readInstance(inst, "sql/"+dir); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(dirs)) {
		if _, ok := n.doc.SQL[key]; ok {
			continue
		}
		n.warn("sql/%s: the manifest does not list this instance; reading it anyway", dirs[key])
		inst := newInstance(key)
		inst.Collected = true
		n.doc.SQL[key] = inst
		if err := n.readInstance(inst, "sql/"+dirs[key]); err != nil {
			return err
		}
	}
	return nil
}

func (n *normalizer) readInstance(inst *Instance, dir string) error {
	entries, err := n.readErrors(dir+"/errors.json", []string{"Query", "QueryId", "query_id", "Artifact"})
	if err != nil {
		return err
	}
	var connErrs []string
	for _, e := range entries {
		q := strings.TrimSuffix(path.Base(strings.ReplaceAll(e.id, `\`, "/")), ".json")
		if e.id == "" || q == "" || q == "." {
			connErrs = append(connErrs, e.err)
			continue
		}
		inst.Missing[q] = e.err
	}
	if len(connErrs) > 0 {
		msg := strings.Join(connErrs, "; ")
		if inst.Error == "" {
			inst.Error = msg
		} else if inst.Error != msg {
			inst.Error += "; " + msg
		}
	}
	for _, name := range n.b.Children(dir) {
		file := dir + "/" + name
		if !n.b.Has(file) || !strings.EqualFold(path.Ext(name), ".json") || strings.EqualFold(name, "errors.json") {
			continue
		}
		qid := strings.TrimSuffix(name, path.Ext(name))
		rs, err := n.readResultSet(file, qid)
		if err != nil {
			return err
		}
		inst.Queries[qid] = rs
		if rs.Error != "" {
			inst.Missing[qid] = rs.Error
		} else if rs.Rows == nil {
			inst.Missing[qid] = "result set has neither rows nor an error"
		}
	}
	reason := NotCollected
	if inst.Error != "" {
		reason = inst.Error
	}
	for _, q := range PerReplicaQueries {
		if _, ok := inst.Queries[q]; !ok {
			if _, ok := inst.Missing[q]; !ok {
				inst.Missing[q] = reason
			}
		}
	}
	if sp := inst.Queries["server_properties"]; sp != nil && len(sp.Rows) > 0 {
		inst.Node = strings.ToUpper(strings.TrimSpace(asString(lookup(sp.Rows[0], "ComputerNamePhysicalNetBIOS"))))
	}
	return nil
}

func (n *normalizer) readResultSet(file, qid string) (*ResultSet, error) {
	m, err := n.object(file)
	if err != nil {
		return nil, err
	}
	rs := &ResultSet{Artifact: file, Columns: []string{}, CollectedUTC: asString(lookup(m, "collected_utc"))}
	if q := asString(m["query_id"]); q != "" && q != qid {
		n.warn("%s: query_id %q differs from the file name; using %q", file, q, qid)
	}
	switch cols := m["columns"].(type) {
	case nil:
	case []any:
		for i, c := range cols {
			s, ok := c.(string)
			if !ok {
				return nil, fmt.Errorf("%s: columns[%d]: got %s, want a string", file, i, kindOf(c))
			}
			rs.Columns = append(rs.Columns, s)
		}
	default:
		return nil, fmt.Errorf("%s: columns: got %s, want an array of column names", file, kindOf(cols))
	}
	switch e := m["error"].(type) {
	case nil:
	case string:
		rs.Error = RedactText(e)
	default:
		return nil, fmt.Errorf("%s: error: got %s, want a string or null", file, kindOf(e))
	}
	if rs.Error != "" {
		return rs, nil // a failed query: rows are not read
	}
	switch rows := m["rows"].(type) {
	case nil:
	case []any:
		rs.Rows = make([]map[string]any, 0, len(rows))
		// What each column is (a connection string, a flag) is worked out
		// once per column name, not once per cell.
		kinds := make(map[string]columnKind, len(rs.Columns))
		columnOf := func(c string) columnKind {
			k, ok := kinds[c]
			if !ok {
				k = classifyColumn(c)
				kinds[c] = k
			}
			return k
		}
		type convCol struct {
			name string
			kind columnKind
		}
		var convert []convCol // the columns (named once) whose values change
		for _, c := range rs.Columns {
			if _, seen := kinds[c]; seen {
				continue
			}
			if k := columnOf(c); k != plainColumn {
				convert = append(convert, convCol{c, k})
			}
		}
		for i, r := range rows {
			var obj map[string]any
			switch row := r.(type) {
			case []any:
				if len(row) != len(rs.Columns) {
					return nil, fmt.Errorf("%s: rows[%d]: %d values, want %d (one per column)", file, i, len(row), len(rs.Columns))
				}
				obj = make(map[string]any, len(rs.Columns))
				for j, c := range rs.Columns {
					obj[c] = row[j]
				}
				for _, cc := range convert {
					convertCell(obj, cc.name, cc.kind)
				}
			case map[string]any:
				obj = row
				for c := range obj {
					if k := columnOf(c); k != plainColumn {
						convertCell(obj, c, k)
					}
				}
			default:
				return nil, fmt.Errorf("%s: rows[%d]: got %s, want an array of values", file, i, kindOf(r))
			}
			rs.Rows = append(rs.Rows, obj)
		}
	default:
		return nil, fmt.Errorf("%s: rows: got %s, want an array of rows or null", file, kindOf(rows))
	}
	return rs, nil
}

// columnKind is what readResultSet does with a column's values.
type columnKind uint8

const (
	plainColumn   columnKind = iota
	connStrColumn            // strings are connection strings: redacted
	flagColumn               // 0/1, "0"/"1", true/false become booleans
)

// columnKinds caches classifyColumn across documents: a fleet's result sets
// have the same few dozen columns. It is bounded (short names, a limited
// count) so that hostile evidence cannot grow it.
var (
	columnKinds      sync.Map // string -> columnKind
	columnKindsCount atomic.Int32
)

const (
	maxCachedColumns    = 4096
	maxCachedColumnName = 128
)

func classifyColumn(c string) columnKind {
	if k, ok := columnKinds.Load(c); ok {
		return k.(columnKind)
	}
	k := classifyColumnUncached(c)
	if len(c) <= maxCachedColumnName && columnKindsCount.Load() < maxCachedColumns {
		if _, loaded := columnKinds.LoadOrStore(c, k); !loaded {
			columnKindsCount.Add(1)
		}
	}
	return k
}

func classifyColumnUncached(c string) columnKind {
	k := plainColumn
	if isConnStringColumn(c) {
		k = connStrColumn
	}
	if flagColumns[strings.ToLower(c)] {
		k |= flagColumn
	}
	return k
}

// convertCell redacts or coerces the value of column c in a row.
func convertCell(obj map[string]any, c string, k columnKind) {
	v := obj[c]
	if s, ok := v.(string); ok && k&connStrColumn != 0 {
		obj[c] = RedactConnString(s)
		return
	}
	if k&flagColumn != 0 {
		if b, ok := asBool(v); ok {
			obj[c] = b
		}
	}
}
