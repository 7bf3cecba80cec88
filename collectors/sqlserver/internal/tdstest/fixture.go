package tdstest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// columnTypes gives the TDS type of bundle columns that are not plain
// strings/ints/bools (bundle.md "SQL artifacts").
var columnTypes = map[string]Type{
	"group_id":               UniqueIdentifier,
	"replica_id":             UniqueIdentifier,
	"WorkerAgentId":          UniqueIdentifier,
	"sid":                    VarBinary,
	"backup_finish_date":     DateTime,
	"password_last_set_time": DateTime,
	"LastOnlineTime":         DateTimeOffset,
	"state":                  TinyInt,
	"property_value":         NVarCharMax,
	"connection_string":      NVarCharMax,
	"is_expired":             Int,
	"is_locked":              Int,
	"active_count":           Int,
	"password_matches":       Int,
	"port":                   Int,
	"value_in_use":           Int,
}

// BundleFile is one sql/<INSTANCE>/<query_id>.json of an evidence bundle.
type BundleFile struct {
	QueryID string   `json:"query_id"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
	Error   *string  `json:"error"`
}

// LoadBundleInstance reads the <query_id>.json files of one sql/<INSTANCE> folder.
func LoadBundleInstance(dir string) (map[string]BundleFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]BundleFile{}
	for _, e := range ents {
		if e.Name() == "errors.json" || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var f BundleFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = f
	}
	return out, nil
}

// ToResultSet turns a bundle file back into a TDS result set, choosing each
// column's TDS type from its name (GUIDs, SIDs, dates) or its JSON values.
func ToResultSet(f BundleFile) (ResultSet, error) {
	rs := ResultSet{}
	for ci, c := range f.Columns {
		typ, ok := columnTypes[c]
		if !ok {
			typ = NVarChar
			for _, r := range f.Rows {
				switch r[ci].(type) {
				case bool:
					typ = Bit
				case json.Number:
					typ = Int
				}
			}
		}
		rs.Columns = append(rs.Columns, Column{Name: c, Type: typ})
	}
	for _, r := range f.Rows {
		row := make([]any, len(r))
		for ci, v := range r {
			x, err := bundleValue(rs.Columns[ci].Type, v)
			if err != nil {
				return rs, fmt.Errorf("%s: %w", rs.Columns[ci].Name, err)
			}
			row[ci] = x
		}
		rs.Rows = append(rs.Rows, row)
	}
	return rs, nil
}

func bundleValue(typ Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case Int, TinyInt, BigInt:
		if b, ok := v.(bool); ok {
			if b {
				return 1, nil
			}
			return 0, nil
		}
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want a number, got %T", v)
		}
		return n.Int64()
	case VarBinary:
		s, _ := v.(string)
		return hex.DecodeString(strings.TrimPrefix(s, "0x"))
	case DateTime, DateTime2, DateTimeOffset:
		s, _ := v.(string)
		return time.Parse(time.RFC3339Nano, s)
	}
	return v, nil
}

// Replica is a fake SQL Server instance serving one bundle instance folder.
type Replica struct {
	Name string
	Srv  *Server

	mu        sync.Mutex
	overrides map[string]Response // by query id
}

// Override replaces the answer to one query id.
func (r *Replica) Override(id string, resp Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overrides[id] = resp
}

// ReplicaConfig describes a bundle-backed fake instance.
type ReplicaConfig struct {
	// Name is reported as ServerName/ComputerNamePhysicalNetBIOS/MachineName
	// (the first three server_properties columns) when it differs from the folder.
	Name string
	// Dir is the bundle's sql/<INSTANCE> folder.
	Dir string
	// QueryID maps a statement's text to its query id ("" if unknown).
	QueryID func(sql string) string
	// Delay delays every answer.
	Delay time.Duration
	// LogDBPassword replaces "Password=***" in logdb_connection (quoted), and
	// is what logdb_password_check compares the @password parameter with.
	LogDBPassword string
}

// NewReplica starts a fake instance answering each query id with its
// bundle file (an "error" file becomes a permission-denied ERROR token).
// logdb_password_check compares its @password parameter with LogDBPassword.
// Close it with r.Srv.Close.
func NewReplica(cfg ReplicaConfig) (*Replica, error) {
	files, err := LoadBundleInstance(cfg.Dir)
	if err != nil {
		return nil, err
	}
	folder := filepath.Base(cfg.Dir)
	r := &Replica{Name: cfg.Name, overrides: map[string]Response{}}
	answers := map[string]Response{}
	for id, f := range files {
		if f.Error != nil {
			answers[id] = Response{Error: &Error{Number: 229, State: 5, Class: 14, Message: *f.Error}}
			continue
		}
		rs, err := ToResultSet(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		if id == "server_properties" && cfg.Name != folder && len(rs.Rows) > 0 {
			for i := 0; i < 3 && i < len(rs.Rows[0]); i++ {
				rs.Rows[0][i] = cfg.Name
			}
		}
		if id == "logdb_connection" && len(rs.Rows) > 0 && cfg.LogDBPassword != "" {
			s, _ := rs.Rows[0][0].(string)
			rs.Rows[0][0] = strings.Replace(s, "Password=***", `Password="`+strings.ReplaceAll(cfg.LogDBPassword, `"`, `""`)+`"`, 1)
		}
		answers[id] = Response{Results: []ResultSet{rs}}
	}
	pwCheck := files["logdb_password_check"]
	r.Srv = &Server{ServerName: cfg.Name, Handler: func(req Request) Response {
		id := cfg.QueryID(req.SQL)
		r.mu.Lock()
		ov, hasOv := r.overrides[id]
		r.mu.Unlock()
		if hasOv {
			return ov
		}
		if id == "logdb_password_check" {
			matches := 0
			if req.Params["password"] == cfg.LogDBPassword {
				matches = 1
			}
			login, _ := req.Params["login"].(string)
			rows := [][]any{}
			if len(pwCheck.Rows) > 0 && login == pwCheck.Rows[0][0] {
				rows = append(rows, []any{login, matches})
			}
			return Response{Delay: cfg.Delay, Results: []ResultSet{{
				Columns: []Column{{Name: "login_name", Type: NVarChar}, {Name: "password_matches", Type: Int}},
				Rows:    rows,
			}}}
		}
		a, ok := answers[id]
		if !ok {
			return Response{Error: &Error{Number: 208, State: 1, Class: 16, Message: "Invalid object name (no fixture for this statement)."}}
		}
		a.Delay = cfg.Delay
		return a
	}}
	if err := r.Srv.Start(); err != nil {
		return nil, err
	}
	return r, nil
}
