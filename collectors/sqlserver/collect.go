package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// ResultSet is one sql/<INSTANCE>/<query_id>.json document.
type ResultSet struct {
	QueryID      string   `json:"query_id"`
	SQL          string   `json:"sql"`
	CollectedUTC string   `json:"collected_utc"`
	Columns      []string `json:"columns"`
	Rows         [][]any  `json:"rows"`  // nil (null) when the query failed
	Error        *string  `json:"error"` // nil (null) when it succeeded
}

// QueryError is one entry of sql/<INSTANCE>/errors.json. Query is empty for a
// connection error.
type QueryError struct {
	Query string `json:"Query"`
	Error string `json:"Error"`
}

// Instance is what was collected from one SQL Server instance.
type Instance struct {
	// Name is SERVERPROPERTY('ServerName') (e.g. `SQL1\INST1`); for an
	// instance that could not be reached, the replica name from the AG
	// metadata or the address as given.
	Name string
	// Address is what was dialed.
	Address string
	// Primary is true for the instance that answered the SSISDB queries.
	Primary bool
	// Collected is true when the connection succeeded (queries may still
	// have failed: see Errors).
	Collected bool
	// Error is the connection error, "" when connected.
	Error   string
	Results []*ResultSet
	Errors  []QueryError
	// Elapsed is the wall time spent on this instance.
	Elapsed time.Duration
}

// Dir is the instance's folder name under sql/: Name with `\` written as `$`.
func (i *Instance) Dir() string { return instanceDir(i.Name) }

func instanceDir(name string) string { return strings.ReplaceAll(name, `\`, "$") }

// Result is everything Collect gathered.
type Result struct {
	// Entry is the entry point as parsed (listener or instance).
	Entry string
	// Variant is "ag" when SSISDB is in an availability group, "fci" when the
	// entry instance is clustered without such an AG, "" otherwise (a
	// standalone instance). The CLI may override it with the declared one.
	Variant string
	// AvailabilityGroups holds the AGs that contain SSISDB.
	AvailabilityGroups []string
	// Primary is the instance that answered the SSISDB queries ("" if none).
	Primary   string
	Instances []*Instance
	// Error is set when nothing could be collected (entry point unreachable).
	Error string
	// Warnings are collection-wide problems (e.g. no reachable primary).
	Warnings []string
	// ToolVersion is written to a new bundle.json (the CLI sets it).
	ToolVersion string
	StartedUTC  time.Time
	FinishedUTC time.Time
}

// ErrEntryUnreachable is returned (wrapped, with a non-nil Result that
// WriteBundle can still write) when the entry point cannot be queried.
var ErrEntryUnreachable = errors.New("SQL Server entry point unreachable")

type collector struct {
	o        Options
	user     string
	password string

	mu          sync.Mutex
	primaryName string
	logdb       struct {
		password, user string
		integrated     bool
		found          bool
		err            string
	}
}

// Collect connects to the entry point (AG listener or instance), finds the
// replicas of the availability group(s) holding SSISDB, connects to each
// replica directly and in parallel (each bounded by Options.Timeout) to run
// the per-replica queries, and runs the SSISDB queries on the replica that is
// the SSISDB primary. Without such an AG (FCI, standalone) the entry instance
// is the only one. Failures to connect or to run a query are recorded in the
// Result, never fatal. Collect returns an error (and no Result) only for
// invalid options, and ErrEntryUnreachable (with a Result) when the entry
// point itself cannot be queried.
func Collect(ctx context.Context, o Options) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	entry, err := parseAddress(o.Server)
	if err != nil {
		return nil, fmt.Errorf("server %q: %w", o.Server, err)
	}
	user, password, err := o.credentials()
	if err != nil {
		return nil, err
	}
	c := &collector{o: o, user: user, password: password}
	res := &Result{Entry: entry.String(), StartedUTC: time.Now().UTC()}
	defer func() { res.FinishedUTC = time.Now().UTC() }()

	o.logf("sql: discovering replicas through %s", entry)
	d, derr := c.discover(ctx, entry)
	if derr != "" {
		name := strings.ToUpper(entry.host)
		if entry.instance != "" {
			name += `\` + strings.ToUpper(entry.instance)
		}
		res.Instances = []*Instance{{Name: name, Address: entry.String(), Error: derr,
			Errors: []QueryError{{Query: "", Error: derr}}}}
		res.Error = fmt.Sprintf("entry point %s: %s", entry, derr)
		return res, fmt.Errorf("%w: %s", ErrEntryUnreachable, res.Error)
	}

	var targets []target
	if len(d.replicas) > 0 {
		res.Variant = "ag"
		res.AvailabilityGroups = d.ags
		for _, r := range d.replicas {
			t := target{name: r}
			addr := r
			for k, v := range o.ReplicaAddrs {
				if strings.EqualFold(k, r) {
					addr = v
					break
				}
			}
			a, err := parseAddress(addr)
			if err != nil {
				t.err = fmt.Sprintf("replica address %q: %v", addr, err)
			}
			t.addr = a
			targets = append(targets, t)
		}
	} else {
		if d.clustered {
			res.Variant = "fci"
		}
		targets = []target{{name: d.serverName, addr: entry, single: true}}
	}

	// Phase 1: every instance in parallel.
	res.Instances = c.forEach(ctx, targets, c.collectInstance)
	res.Primary = c.primaryName
	if res.Primary == "" {
		res.Warnings = append(res.Warnings, "no reachable instance is the SSISDB primary: the SSISDB queries were not run")
	}

	// Phase 2 (opt-in): compare the logging password on every instance.
	if o.ReadLogDBConnection {
		var again []target
		byName := map[string]*Instance{}
		for i, inst := range res.Instances {
			byName[targets[i].name] = inst
			if inst.Collected {
				again = append(again, targets[i])
			}
		}
		checks := c.forEach(ctx, again, c.passwordCheck)
		for i, chk := range checks {
			inst := byName[again[i].name]
			inst.Results = append(inst.Results, chk.Results...)
			inst.Errors = append(inst.Errors, chk.Errors...)
			inst.Elapsed += chk.Elapsed
		}
	}
	c.password, c.logdb.password = "", ""
	return res, nil
}

type target struct {
	name   string // replica_server_name, or the ServerName for a single instance
	addr   address
	single bool // FCI / standalone: this instance is the SSISDB primary
	err    string
}

type discovery struct {
	serverName string
	clustered  bool
	ags        []string
	replicas   []string
}

// discover runs server_properties, ag_ssisdb and ag_replicas on the entry point.
func (c *collector) discover(ctx context.Context, entry address) (discovery, string) {
	var d discovery
	ctx, cancel := context.WithTimeout(ctx, c.o.timeout())
	defer cancel()
	type out struct {
		d   discovery
		err string
	}
	ch := make(chan out, 1)
	go func() {
		db, err := c.open(entry, "master")
		if err != nil {
			ch <- out{err: c.errText(ctx, err)}
			return
		}
		defer db.Close()
		conn, err := db.Conn(ctx)
		if err != nil {
			ch <- out{err: c.errText(ctx, err)}
			return
		}
		defer conn.Close()
		var d discovery
		sp := c.run(ctx, conn, queryByID("server_properties"), nil)
		if sp.Error != nil {
			ch <- out{err: *sp.Error}
			return
		}
		d.serverName, _ = sp.value(0, "ServerName").(string)
		d.clustered = truthy(sp.value(0, "IsClustered"))
		if d.serverName == "" {
			ch <- out{err: "SERVERPROPERTY('ServerName') returned nothing"}
			return
		}
		ags := c.run(ctx, conn, queryByID("ag_ssisdb"), nil)
		agSet := map[string]bool{}
		for i := range ags.Rows {
			if n, ok := ags.value(i, "ag_name").(string); ok && !agSet[strings.ToUpper(n)] {
				agSet[strings.ToUpper(n)] = true
				d.ags = append(d.ags, n)
			}
		}
		if ags.Error != nil || len(agSet) > 0 {
			reps := c.run(ctx, conn, queryByID("ag_replicas"), nil)
			seen := map[string]bool{}
			for i := range reps.Rows {
				ag, _ := reps.value(i, "ag_name").(string)
				name, _ := reps.value(i, "replica_server_name").(string)
				if name == "" || seen[strings.ToUpper(name)] {
					continue
				}
				if ags.Error == nil && !agSet[strings.ToUpper(ag)] {
					continue
				}
				seen[strings.ToUpper(name)] = true
				d.replicas = append(d.replicas, name)
			}
		}
		ch <- out{d: d}
	}()
	select {
	case r := <-ch:
		return r.d, r.err
	case <-ctx.Done():
		select {
		case r := <-ch:
			return r.d, r.err
		case <-time.After(watchdogGrace):
			return d, fmt.Sprintf("timed out after %s", c.o.timeout())
		}
	}
}

// watchdogGrace is how long an instance may overrun its timeout (the driver
// cancelling a query) before it is abandoned and recorded as timed out.
const watchdogGrace = time.Second

// recorder collects one instance's results; after the watchdog fires, late
// writes are dropped.
type recorder struct {
	mu     sync.Mutex
	inst   Instance
	closed bool
}

func (r *recorder) add(rs *ResultSet) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.inst.Results = append(r.inst.Results, rs)
	if rs.Error != nil {
		r.inst.Errors = append(r.inst.Errors, QueryError{Query: rs.QueryID, Error: *rs.Error})
	}
}

func (r *recorder) update(f func(*Instance)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		f(&r.inst)
	}
}

func (r *recorder) snapshot() *Instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	inst := r.inst
	inst.Results = append([]*ResultSet(nil), inst.Results...)
	inst.Errors = append([]QueryError(nil), inst.Errors...)
	sort.SliceStable(inst.Results, func(i, j int) bool { return packIndex(inst.Results[i].QueryID) < packIndex(inst.Results[j].QueryID) })
	sort.SliceStable(inst.Errors, func(i, j int) bool { return packIndex(inst.Errors[i].Query) < packIndex(inst.Errors[j].Query) })
	return &inst
}

// packIndex orders by the pack ("" — a connection error — first).
func packIndex(id string) int {
	if id == "" {
		return -1
	}
	for i, q := range pack {
		if q.ID == id {
			return i
		}
	}
	return len(pack)
}

// forEach runs f for every target in parallel (at most MaxParallel at a
// time), each with its own Options.Timeout and a watchdog, and returns the
// instances in target order.
func (c *collector) forEach(ctx context.Context, targets []target, f func(context.Context, target, *recorder)) []*Instance {
	out := make([]*Instance, len(targets))
	var sem chan struct{}
	if c.o.MaxParallel > 0 {
		sem = make(chan struct{}, c.o.MaxParallel)
	}
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if sem != nil {
				sem <- struct{}{}
				defer func() { <-sem }()
			}
			start := time.Now()
			rec := &recorder{inst: Instance{Name: t.name, Address: t.addr.String()}}
			if t.err != "" {
				rec.inst.Error = t.err
				rec.inst.Errors = []QueryError{{Error: t.err}}
				out[i] = rec.snapshot()
				return
			}
			ictx, cancel := context.WithTimeout(ctx, c.o.timeout())
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				f(ictx, t, rec)
			}()
			select {
			case <-done:
			case <-ictx.Done():
				select {
				case <-done:
				case <-time.After(watchdogGrace):
					msg := fmt.Sprintf("timed out after %s", c.o.timeout())
					rec.update(func(in *Instance) {
						if !in.Collected {
							in.Error = msg
						}
						in.Errors = append(in.Errors, QueryError{Error: msg})
					})
				}
			}
			inst := rec.snapshot()
			inst.Elapsed = time.Since(start)
			out[i] = inst
			c.o.logf("sql: %s: %d result sets, %d errors, %s", inst.Name, len(inst.Results), len(inst.Errors), inst.Elapsed.Round(time.Millisecond))
		}()
	}
	wg.Wait()
	return out
}

// collectInstance runs the per-replica queries on one instance, and the
// SSISDB queries when it is the SSISDB primary.
func (c *collector) collectInstance(ctx context.Context, t target, rec *recorder) {
	c.o.logf("sql: connecting to %s (%s)", t.name, t.addr)
	db, err := c.open(t.addr, "master")
	if err != nil {
		c.connFailed(ctx, rec, err)
		return
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		c.connFailed(ctx, rec, err)
		return
	}
	defer conn.Close()
	rec.update(func(in *Instance) { in.Collected = true })

	// server_properties, ssisdb_replica_states and ag_replicas first: they
	// say whether this is the SSISDB primary, whose SSISDB queries then run
	// on a second connection while the other per-replica queries go on.
	var perReplica []Query
	for _, q := range pack {
		if q.Scope == EveryReplica && !q.OptIn {
			perReplica = append(perReplica, q)
		}
	}
	first := map[string]bool{"server_properties": true, "ssisdb_replica_states": true, "ag_replicas": true}
	sort.SliceStable(perReplica, func(i, j int) bool { return first[perReplica[i].ID] && !first[perReplica[j].ID] })

	var states, replicas *ResultSet
	name := t.name
	var ssisdb sync.WaitGroup
	defer ssisdb.Wait()
	for i, q := range perReplica {
		var args []any
		if q.ID == "server_principals" {
			args = []any{sql.Named("accounts", "|"+strings.Join(c.o.ServiceAccounts, "|")+"|")}
		}
		rs := c.run(ctx, conn, q, args)
		switch q.ID {
		case "server_properties":
			if n, ok := rs.value(0, "ServerName").(string); ok && n != "" {
				name = n
				rec.update(func(in *Instance) { in.Name = n })
			}
		case "ssisdb_replica_states":
			states = rs
		case "ag_replicas":
			replicas = rs
		}
		rec.add(rs)
		if i == len(first)-1 && c.claimPrimary(name, t.single, states, replicas) {
			rec.update(func(in *Instance) { in.Primary = true })
			ssisdb.Add(1)
			go func() {
				defer ssisdb.Done()
				c.collectSSISDB(ctx, t, rec)
			}()
		}
	}
}

// claimPrimary decides whether this instance answers the SSISDB queries:
// the only instance (FCI / standalone), or the SSISDB primary; the first
// claimant wins.
func (c *collector) claimPrimary(name string, single bool, states, replicas *ResultSet) bool {
	if !single && !isPrimary(name, states, replicas) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.primaryName != "" {
		return false
	}
	c.primaryName = name
	return true
}

// collectSSISDB runs the SSISDB queries in the SSISDB database context (the
// catalog views filter on IS_MEMBER of SSISDB roles).
func (c *collector) collectSSISDB(ctx context.Context, t target, rec *recorder) {
	var queries []Query
	for _, q := range pack {
		if q.Scope == SSISDBPrimary && (!q.OptIn || c.o.ReadLogDBConnection) {
			queries = append(queries, q)
		}
	}
	fail := func(err error) {
		msg := "SSISDB connection: " + c.errText(ctx, err)
		for _, q := range queries {
			rec.add(c.failed(q, msg))
		}
		if c.o.ReadLogDBConnection {
			c.setLogDBError(msg)
		}
	}
	db, err := c.open(t.addr, "SSISDB")
	if err != nil {
		fail(err)
		return
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		fail(err)
		return
	}
	defer conn.Close()
	for _, q := range queries {
		rs := c.run(ctx, conn, q, nil)
		if q.ID == logdbConnectionID {
			c.redactLogDB(rs)
		}
		rec.add(rs)
	}
}

// redactLogDB replaces the Password value of the decrypted logging
// connection string by *** in place, keeping the password in memory only
// for logdb_password_check.
func (c *collector) redactLogDB(rs *ResultSet) {
	if rs.Error != nil {
		c.setLogDBError("logdb_connection failed: " + *rs.Error)
		return
	}
	if len(rs.Rows) == 0 || len(rs.Rows[0]) == 0 {
		rs.setError("SSISDB.internal.get_log_dbconnection returned no row")
		c.setLogDBError(*rs.Error)
		return
	}
	raw, ok := rs.Rows[0][0].(string)
	if !ok {
		rs.Rows = nil
		rs.setError("SSISDB.internal.get_log_dbconnection returned no connection string (NULL: not configured, or not permitted)")
		c.setLogDBError(*rs.Error)
		return
	}
	red, pw, user, integrated := redactConnString(raw)
	rs.Rows = [][]any{{red}}
	c.mu.Lock()
	c.logdb.found = true
	c.logdb.password, c.logdb.user, c.logdb.integrated = pw, user, integrated
	c.mu.Unlock()
}

func (c *collector) setLogDBError(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.logdb.err == "" {
		c.logdb.err = msg
	}
}

// passwordCheck runs logdb_password_check on one instance (phase 2).
func (c *collector) passwordCheck(ctx context.Context, t target, rec *recorder) {
	q := queryByID("logdb_password_check")
	c.mu.Lock()
	lg := c.logdb
	c.mu.Unlock()
	switch {
	case !lg.found:
		msg := lg.err
		if msg == "" {
			msg = "no SSISDB primary answered logdb_connection"
		}
		rec.add(c.failed(q, "logging password not available: "+msg))
		return
	case lg.integrated || lg.password == "":
		rec.add(c.failed(q, "not applicable: the logging connection string carries no SQL password (integrated security or no Password key)"))
		return
	}
	login := lg.user
	if login == "" {
		login = "##MS_SSISLogDBWorkerAgentLogin##"
	}
	db, err := c.open(t.addr, "master")
	if err != nil {
		rec.add(c.failed(q, c.errText(ctx, err)))
		return
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		rec.add(c.failed(q, c.errText(ctx, err)))
		return
	}
	defer conn.Close()
	rec.add(c.run(ctx, conn, q, []any{sql.Named("password", lg.password), sql.Named("login", login)}))
}

func (c *collector) connFailed(ctx context.Context, rec *recorder, err error) {
	msg := c.errText(ctx, err)
	rec.update(func(in *Instance) {
		in.Error = msg
		in.Errors = append(in.Errors, QueryError{Query: "", Error: msg})
	})
}

// isPrimary: this instance's own SSISDB database replica state says primary,
// or its own ag_replicas row has role PRIMARY.
func isPrimary(name string, states, replicas *ResultSet) bool {
	if states != nil {
		for i := range states.Rows {
			if truthy(states.value(i, "is_local")) && truthy(states.value(i, "is_primary_replica")) {
				return true
			}
		}
	}
	if replicas != nil {
		for i := range replicas.Rows {
			n, _ := replicas.value(i, "replica_server_name").(string)
			role, _ := replicas.value(i, "role_desc").(string)
			if strings.EqualFold(n, name) && strings.EqualFold(role, "PRIMARY") {
				return true
			}
		}
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	}
	return false
}

// boundedDialer is go-mssqldb's dialer for every connection: a net.Dialer
// with a timeout (the driver's own has none unless a context deadline is
// set, and the pre-login/login handshake is not bounded by the context).
func (c *collector) open(a address, database string) (*sql.DB, error) {
	connector, err := mssql.NewConnector(c.o.connString(a, c.user, c.password, database))
	if err != nil {
		return nil, errors.New(scrub(err.Error(), c.password))
	}
	connector.Dialer = &net.Dialer{Timeout: c.o.timeout(), KeepAlive: 30 * time.Second}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, nil
}

// run executes one query and converts its rows; failures are recorded in
// the ResultSet, never returned.
func (c *collector) run(ctx context.Context, conn *sql.Conn, q Query, args []any) *ResultSet {
	rs := &ResultSet{QueryID: q.ID, SQL: q.SQL, CollectedUTC: time.Now().UTC().Format(time.RFC3339), Columns: q.Columns}
	rows, err := conn.QueryContext(ctx, q.SQL, args...)
	if err != nil {
		rs.setError(c.errText(ctx, err))
		return rs
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		rs.setError(c.errText(ctx, err))
		return rs
	}
	cols := make([]string, len(cts))
	for i, ct := range cts {
		cols[i] = ct.Name()
	}
	rs.Columns = cols
	out := [][]any{}
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rs.setError(c.errText(ctx, err))
			return rs
		}
		row := make([]any, len(cts))
		for i, v := range vals {
			ev, err := encodeValue(cts[i].DatabaseTypeName(), v)
			if err != nil {
				rs.setError(fmt.Sprintf("column %s: %v", cols[i], err))
				return rs
			}
			row[i] = ev
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		rs.setError(c.errText(ctx, err))
		return rs
	}
	rs.Rows = out
	return rs
}

func (c *collector) failed(q Query, msg string) *ResultSet {
	rs := &ResultSet{QueryID: q.ID, SQL: q.SQL, CollectedUTC: time.Now().UTC().Format(time.RFC3339), Columns: q.Columns}
	rs.setError(msg)
	return rs
}

func (rs *ResultSet) setError(msg string) {
	rs.Rows = nil
	rs.Error = &msg
}

// value returns row i's value of the named column (nil if absent).
func (rs *ResultSet) value(i int, col string) any {
	if rs == nil || rs.Error != nil || i >= len(rs.Rows) {
		return nil
	}
	for j, n := range rs.Columns {
		if strings.EqualFold(n, col) && j < len(rs.Rows[i]) {
			return rs.Rows[i][j]
		}
	}
	return nil
}

// errText renders an error for errors.json: SQL Server errors as
// "Msg N, Level L, State S: text", timeouts plainly; always scrubbed of the
// password.
func (c *collector) errText(ctx context.Context, err error) string {
	var msg string
	var me mssql.Error
	var pme *mssql.Error
	switch {
	case errors.As(err, &me):
		msg = fmt.Sprintf("Msg %d, Level %d, State %d: %s", me.Number, me.Class, me.State, me.Message)
	case errors.As(err, &pme):
		msg = fmt.Sprintf("Msg %d, Level %d, State %d: %s", pme.Number, pme.Class, pme.State, pme.Message)
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		msg = fmt.Sprintf("timed out after %s (%v)", c.o.timeout(), err)
	default:
		msg = err.Error()
	}
	c.mu.Lock()
	logdbPassword := c.logdb.password
	c.mu.Unlock()
	return scrub(msg, c.password, logdbPassword)
}

// sortedInstances orders instances by name (stable output).
func sortedInstances(in []*Instance) []*Instance {
	out := append([]*Instance(nil), in...)
	sort.SliceStable(out, func(i, j int) bool { return strings.ToUpper(out[i].Name) < strings.ToUpper(out[j].Name) })
	return out
}
