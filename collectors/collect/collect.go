// Package collect runs a whole collection from an inventory into one evidence
// bundle (shared/spec/bundle.md): every node by the way the inventory reaches
// it (winrm: collectors/winrm; local: collectors/windows; bundle: a node
// collected earlier, copied with collectors/nodebundle) and the SQL Server
// side (a live collectors/sqlserver collection, or the sql/ of an earlier
// bundle), in parallel with a concurrency limit and a timeout per target. It
// then writes bundle.json from the inventory's declared deployment and nodes,
// with each node's collected flag and error, and the SQL entries.
//
// A target that fails is recorded in the manifest with its error, never
// dropped, and the scan then reports the checks that need it as unknown. A
// target that hangs is abandoned at its timeout: collectors hand their
// results back in memory and only Run writes them, so an abandoned target
// never writes into the bundle afterwards.
//
// Bundle parts collected separately (`collect --local` on each node,
// `collect --sql`) are combined with Merge.
//
// Nothing here prints to a terminal: progress goes to the Progress given in
// Options (see NewProgress).
package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/sqlserver"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/windows"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm"
)

// DefaultParallel is the concurrency limit when Options.Parallel is 0.
const DefaultParallel = 8

// SQLTarget is the Target name of the SQL Server side.
const SQLTarget = "SQL"

// Options tune Run. The zero value collects with DefaultParallel targets at
// a time, silently.
type Options struct {
	// Parallel is the number of targets collected at once (default 8).
	Parallel int
	// Progress receives each target's state (nil: Quiet).
	Progress Progress
	// ToolVersion is written to bundle.json.
	ToolVersion string
	// Lookup reads the environment variables the inventory names for
	// credentials (default os.LookupEnv).
	Lookup func(string) (string, bool)
	// Prompt asks for the SQL password when its environment variable is
	// unset (nil: no prompt, the SQL side fails with "no password"). It is
	// called before collection starts, never while progress is shown.
	Prompt func(prompt string) (string, error)
	// Local tunes the local collector (the node with `local: true`); its
	// NodeName is set to the inventory's name.
	Local windows.Options
	// Grace is how long Run waits past a target's timeout for the collector
	// to return on its own (with its own message) before abandoning it;
	// default 2s.
	Grace time.Duration
	// Now is the clock (bundle.json created_utc); default time.Now.
	Now func() time.Time
}

// Summary is what Run did.
type Summary struct {
	// Dir is the bundle directory written.
	Dir      string
	Manifest *bundle.Manifest
	// Results has one entry per target, in inventory order (nodes, then SQL).
	Results []Result
}

// Result is one target's outcome.
type Result struct {
	Target    Target
	Collected bool
	// Error is why the target could not be collected ("" when it was).
	Error string
	// Note says what a collected target lacks ("2 artifacts not collected").
	Note    string
	Elapsed time.Duration
}

// Failed returns the targets that were not collected.
func (s *Summary) Failed() []Result {
	var out []Result
	for _, r := range s.Results {
		if !r.Collected {
			out = append(out, r)
		}
	}
	return out
}

// job is one target: work collects it (bounded by ctx) and returns a commit
// function that writes what it collected into the bundle; commit runs only
// when work finished in time.
type job struct {
	t    Target
	work func(ctx context.Context) (commit func() (note string, err error), err error)
	// after, when set, is waited for before the job starts (the SQL side
	// waits for the nodes when it derives the service accounts from them).
	after <-chan struct{}
	// res is the outcome, set when the job is over.
	res Result
	// from is the created_utc of the earlier bundle a target was copied
	// from (zero when collected live or unknown).
	from time.Time
}

// Run collects every target of inv into outDir (created; it must be empty
// or not exist) and writes bundle.json. The error is for a bundle that could
// not be written at all; targets that fail are in the Summary and in the
// manifest.
func Run(ctx context.Context, inv *inventory.Inventory, outDir string, opts Options) (*Summary, error) {
	if inv == nil {
		return nil, errors.New("collect: no inventory")
	}
	if err := prepareOut(outDir); err != nil {
		return nil, err
	}
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Progress == nil {
		opts.Progress = Quiet{}
	}
	if opts.Lookup == nil {
		opts.Lookup = os.LookupEnv
	}
	if opts.Grace <= 0 {
		opts.Grace = 2 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	started := opts.Now().UTC()

	stage, err := os.MkdirTemp(outDir, ".collect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage)

	c := &run{inv: inv, out: outDir, stage: stage, opts: opts}
	var jobs []*job
	for _, n := range inv.Nodes {
		jobs = append(jobs, c.nodeJob(n))
	}
	nodesDone := make(chan struct{})
	var sqlJob *job
	if inv.SQL != nil {
		sqlJob, err = c.sqlJob(inv.SQL, nodesDone)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, sqlJob)
	}

	targets := make([]Target, len(jobs))
	for i, j := range jobs {
		targets[i] = j.t
	}
	opts.Progress.Plan(targets)

	sem := make(chan struct{}, opts.Parallel)
	var nodesWG, all sync.WaitGroup
	for _, j := range jobs {
		all.Add(1)
		isNode := j != sqlJob
		if isNode {
			nodesWG.Add(1)
		}
		go func() {
			defer all.Done()
			if isNode {
				defer nodesWG.Done()
			}
			if j.after != nil {
				select {
				case <-j.after:
				case <-ctx.Done():
				}
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				j.res = Result{Target: j.t, Error: "canceled before it started: " + ctx.Err().Error()}
				opts.Progress.Fail(j.t, errors.New(j.res.Error))
				return
			}
			defer func() { <-sem }()
			j.res = c.runJob(ctx, j)
		}()
	}
	go func() { nodesWG.Wait(); close(nodesDone) }()
	all.Wait()
	opts.Progress.Finish()

	sum := &Summary{Dir: outDir}
	for _, j := range jobs {
		sum.Results = append(sum.Results, j.res)
	}
	m, err := c.manifest(started, jobs, sqlJob)
	if err != nil {
		return sum, err
	}
	sum.Manifest = m
	if err := writeManifest(outDir, m); err != nil {
		return sum, err
	}
	return sum, nil
}

// prepareOut creates dir, or accepts it when it is empty.
func prepareOut(dir string) error {
	if dir == "" {
		return errors.New("collect: no output directory")
	}
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(ents) > 0:
		return fmt.Errorf("%s is not empty: give a new or empty directory for the bundle", dir)
	}
	return nil
}

type run struct {
	inv   *inventory.Inventory
	out   string
	stage string
	opts  Options

	mu         sync.Mutex
	sqlEntries []bundle.ManifestSQL
}

// runJob runs one job with its timeout and commits its result.
func (c *run) runJob(parent context.Context, j *job) Result {
	res := Result{Target: j.t}
	c.opts.Progress.Start(j.t)
	start := time.Now()
	fail := func(err error) Result {
		res.Elapsed = time.Since(start)
		res.Error = oneLine(err)
		c.opts.Progress.Fail(j.t, err)
		return res
	}
	timeout := j.t.Timeout
	if timeout <= 0 {
		timeout = inventory.DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()

	type outcome struct {
		commit func() (string, error)
		err    error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: fmt.Errorf("internal error: %v", r)}
			}
		}()
		commit, err := j.work(ctx)
		done <- outcome{commit, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		// give the collector a moment to return with its own message
		select {
		case o = <-done:
		case <-time.After(c.opts.Grace):
			if parent.Err() != nil {
				return fail(fmt.Errorf("canceled after %s", elapsed(time.Since(start))))
			}
			return fail(fmt.Errorf("timed out after %v", timeout))
		}
	}
	if o.err == nil && o.commit == nil {
		o.err = errors.New("collected nothing")
	}
	if o.err != nil {
		if o.commit != nil { // the failure itself is evidence (SQL entry errors)
			if _, cerr := o.commit(); cerr != nil {
				o.err = fmt.Errorf("%v; and writing it: %v", o.err, cerr)
			}
		}
		return fail(o.err)
	}
	note, err := o.commit()
	if err != nil {
		return fail(fmt.Errorf("write: %w", err))
	}
	res.Collected, res.Note, res.Elapsed = true, note, time.Since(start)
	c.opts.Progress.Done(j.t, note)
	return res
}

func (c *run) nodeJob(n *inventory.Node) *job {
	j := &job{t: Target{Name: n.Name, Kind: "node", Timeout: n.Timeout}}
	switch n.Reach {
	case inventory.ReachBundle:
		src, srcNode := "", n.Name
		if n.Bundle != nil {
			src = n.Bundle.Path
			if n.Bundle.Node != "" {
				srcNode = n.Bundle.Node
			}
			j.t.Via = "bundle " + n.Bundle.Raw
		}
		j.work = func(ctx context.Context) (func() (string, error), error) {
			dir, err := os.MkdirTemp(c.stage, "node-")
			if err != nil {
				return nil, err
			}
			if _, err := nodebundle.CopyNode(dir, n.Name, src, srcNode); err != nil {
				return nil, err
			}
			from := sourceCreated(src)
			return func() (string, error) {
				j.from = from
				final := filepath.Join(c.out, "nodes", n.Name)
				if err := moveInto(filepath.Join(dir, "nodes", n.Name), final); err != nil {
					return "", err
				}
				return artifactNote(final), nil
			}, nil
		}
	case inventory.ReachWinRM:
		if n.WinRM != nil {
			port := n.WinRM.Port
			if port == 0 {
				port = 5985
				if n.WinRM.HTTPS() {
					port = 5986
				}
			}
			j.t.Via = fmt.Sprintf("winrm %s:%d", n.WinRM.Host, port)
		}
		j.work = func(ctx context.Context) (func() (string, error), error) {
			t, err := winrm.TargetFromInventory(n, c.opts.Lookup)
			if err != nil {
				return nil, err
			}
			t.Timeout = j.t.Timeout
			a, err := winrm.Collect(ctx, t)
			if err != nil {
				return nil, err
			}
			a.Name = n.Name
			return func() (string, error) {
				if _, err := nodebundle.WriteNode(c.out, a); err != nil {
					return "", err
				}
				return errorsNote(len(a.Errors)), nil
			}, nil
		}
	case inventory.ReachLocal:
		j.t.Via = "local"
		j.work = func(ctx context.Context) (func() (string, error), error) {
			if !windows.Supported() {
				return nil, errors.New("local: true needs the tool to run on that Windows node (use winrm: from here, or collect --local on the node and bundle merge)")
			}
			o := c.opts.Local
			o.NodeName = n.Name
			a := windows.Collect(ctx, o)
			a.Name = n.Name
			return func() (string, error) {
				if _, err := nodebundle.WriteNode(c.out, a); err != nil {
					return "", err
				}
				return errorsNote(len(a.Errors)), nil
			}, nil
		}
	default:
		j.work = func(context.Context) (func() (string, error), error) {
			return nil, fmt.Errorf("node %s has no way to reach it", n.Name)
		}
	}
	return j
}

// sqlJob builds the SQL side's job. A live collection's password is read
// (or prompted for) here, before any progress is shown.
func (c *run) sqlJob(s *inventory.SQL, nodesDone <-chan struct{}) (*job, error) {
	j := &job{t: Target{Name: SQLTarget, Kind: "sql", Timeout: s.Timeout}}
	if s.Bundle != "" {
		j.t.Via = "bundle " + s.Bundle
		if rel, err := filepath.Rel(c.inv.Dir, s.Bundle); err == nil && c.inv.Dir != "" && len(rel) < len(s.Bundle) {
			j.t.Via = "bundle " + rel
		}
		j.work = func(ctx context.Context) (func() (string, error), error) {
			dir, err := os.MkdirTemp(c.stage, "sql-")
			if err != nil {
				return nil, err
			}
			insts, err := nodebundle.CopySQL(dir, s.Bundle)
			if err != nil {
				return nil, err
			}
			entries, from := sourceSQLEntries(s.Bundle, insts)
			return func() (string, error) {
				j.from = from
				for _, in := range insts {
					if err := moveInto(filepath.Join(dir, "sql", in), filepath.Join(c.out, "sql", in)); err != nil {
						return "", err
					}
				}
				c.setSQL(entries)
				return sqlNote(entries), nil
			}, nil
		}
		return j, nil
	}

	// live: discovery through the entry point, then every replica in
	// parallel, each bounded by the timeout
	per := s.Timeout
	if per <= 0 {
		per = inventory.DefaultTimeout
	}
	j.t.Timeout = 2*per + 5*time.Second
	j.t.Via = "sql " + s.Server
	o, err := c.sqlOptions(s)
	if err != nil {
		// a credential problem: recorded like any failure
		j.work = func(context.Context) (func() (string, error), error) {
			return c.sqlFailure(s, err), err
		}
		return j, nil
	}
	if len(o.ServiceAccounts) == 0 {
		j.after = nodesDone
	}
	j.work = func(ctx context.Context) (func() (string, error), error) {
		if len(o.ServiceAccounts) == 0 {
			o.ServiceAccounts = c.serviceAccounts()
		}
		res, err := sqlserver.Collect(ctx, o)
		if res == nil {
			if err == nil {
				err = errors.New("SQL collection returned nothing")
			}
			return c.sqlFailure(s, err), err
		}
		res.ToolVersion = c.opts.ToolVersion
		dir, derr := os.MkdirTemp(c.stage, "sql-")
		if derr != nil {
			return nil, derr
		}
		commit := func() (string, error) {
			if err := sqlserver.WriteBundle(dir, res); err != nil {
				return "", err
			}
			m, err := readManifest(dir)
			if err != nil {
				return "", err
			}
			for _, e := range m.SQL {
				if err := moveInto(filepath.Join(dir, "sql", e.Instance), filepath.Join(c.out, "sql", e.Instance)); err != nil {
					return "", err
				}
			}
			c.setSQL(m.SQL)
			return sqlNote(m.SQL), nil
		}
		return commit, err // err: the entry point was unreachable (recorded)
	}
	return j, nil
}

// sqlOptions maps the inventory's sql block onto sqlserver.Options, with the
// password read from the named environment variable (or the prompt) now.
func (c *run) sqlOptions(s *inventory.SQL) (sqlserver.Options, error) {
	lookup := c.opts.Lookup
	user, err := s.UserName(lookup)
	if err != nil {
		return sqlserver.Options{}, err
	}
	o := sqlserver.Options{
		Server: s.Server, Auth: sqlserver.Auth(s.Auth), User: user,
		Krb5ConfigFile: s.Krb5Conf, Krb5KeytabFile: s.Krb5Keytab, Krb5CredCacheFile: s.Krb5CCache, Krb5Realm: s.Realm,
		ServerSPN: s.SPN, Encrypt: encryptMode(s.Encrypt), TrustServerCertificate: s.TrustServerCertificate,
		CAFile: s.CAFile, HostNameInCertificate: s.HostInCertificate, Timeout: s.Timeout,
		ReplicaAddrs: s.Replicas, ServiceAccounts: append([]string(nil), s.ServiceAccounts...),
		ReadLogDBConnection: s.ReadLogDBConnection, MaxParallel: c.opts.Parallel,
		AppName: "ssis-ha-lint/" + c.opts.ToolVersion,
	}
	envName := s.PasswordEnv
	if envName == "" {
		envName = sqlserver.PasswordEnv
	}
	password, _ := lookup(envName)
	needs := s.Auth == "sql" || s.Auth == "ntlm" || (s.Auth == "kerberos" && user != "" && s.Krb5Keytab == "")
	if password == "" && needs && c.opts.Prompt != nil {
		p, err := c.opts.Prompt(fmt.Sprintf("SQL Server password for %s (%s): ", user, s.Server))
		if err != nil {
			return o, fmt.Errorf("password prompt: %w", err)
		}
		password = p
	}
	// the password stays in memory: the collector reads it through Getenv
	o.PasswordEnv = envName
	o.Getenv = func(k string) string {
		if k == envName {
			return password
		}
		v, _ := lookup(k)
		return v
	}
	return o, nil
}

func encryptMode(s string) string {
	switch strings.ToLower(s) {
	case "true":
		return sqlserver.EncryptMandatory
	case "false":
		return sqlserver.EncryptOptional
	}
	return s
}

// sqlFailure returns a commit that records the SQL side as not collected:
// one manifest entry named after the entry point.
func (c *run) sqlFailure(s *inventory.SQL, err error) func() (string, error) {
	return func() (string, error) {
		name := strings.ToUpper(s.Host)
		if s.Instance != "" {
			name += "$" + strings.ToUpper(s.Instance)
		}
		if name == "" {
			name = "SQL"
		}
		c.setSQL([]bundle.ManifestSQL{{Instance: name, Collected: false, Error: oneLine(err)}})
		return "", nil
	}
}

func (c *run) setSQL(e []bundle.ManifestSQL) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sqlEntries = append(c.sqlEntries, e...)
}

// serviceAccounts returns the logon accounts of the Scale Out master and
// worker services of the collected nodes.
func (c *run) serviceAccounts() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range c.inv.Nodes {
		data, err := os.ReadFile(filepath.Join(c.out, "nodes", n.Name, "services.json"))
		if err != nil {
			continue
		}
		var svcs []struct{ Name, StartName string }
		if json.Unmarshal(data, &svcs) != nil {
			continue
		}
		for _, s := range svcs {
			ln := strings.ToLower(s.Name)
			if !strings.HasPrefix(ln, "ssisscaleoutmaster") && !strings.HasPrefix(ln, "ssisscaleoutworker") {
				continue
			}
			acct := strings.TrimSpace(s.StartName)
			if acct == "" || seen[strings.ToLower(acct)] {
				continue
			}
			seen[strings.ToLower(acct)] = true
			out = append(out, acct)
		}
	}
	sort.Strings(out)
	return out
}

// sourceSQLEntries returns the copied instances' entries of the source
// bundle's manifest (collected, error), or collected entries when it has none.
func sourceSQLEntries(src string, insts []string) ([]bundle.ManifestSQL, time.Time) {
	known := map[string]bundle.ManifestSQL{}
	var created time.Time
	if b, err := bundle.Open(src); err == nil {
		for _, e := range b.Manifest.SQL {
			known[strings.ToUpper(e.Instance)] = e
		}
		created, _ = time.Parse(time.RFC3339, b.Manifest.CreatedUTC)
	}
	out := make([]bundle.ManifestSQL, 0, len(insts))
	for _, in := range insts {
		e, ok := known[strings.ToUpper(in)]
		if !ok {
			e = bundle.ManifestSQL{Instance: in, Collected: true}
		}
		e.Instance = in
		out = append(out, e)
	}
	return out, created
}

// sourceCreated returns the created_utc of the bundle a node is copied from
// (zero for a lone node directory or an unreadable manifest).
func sourceCreated(src string) time.Time {
	var m *bundle.Manifest
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		var err error
		if m, err = readManifest(src); err != nil {
			return time.Time{}
		}
	} else if b, err := bundle.Open(src); err == nil {
		m = &b.Manifest
	} else {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, m.CreatedUTC)
	return t
}

// createdUTC is the bundle's collection time, which rules judge freshness
// (heartbeats, certificate validity) against: the time the SQL side was
// collected when it is reused from an earlier bundle, else the earliest
// source time when every target comes from earlier bundles, else the start of
// this collection.
func createdUTC(started time.Time, jobs []*job, sqlJob *job) time.Time {
	if sqlJob != nil && !sqlJob.from.IsZero() {
		return sqlJob.from.UTC()
	}
	var earliest time.Time
	for _, j := range jobs {
		if j.from.IsZero() {
			return started
		}
		if earliest.IsZero() || j.from.Before(earliest) {
			earliest = j.from
		}
	}
	if earliest.IsZero() {
		return started
	}
	return earliest.UTC()
}

// manifest builds bundle.json: the inventory's deployment, every node in
// inventory order with its outcome, and the SQL entries.
func (c *run) manifest(started time.Time, jobs []*job, sqlJob *job) (*bundle.Manifest, error) {
	d := c.inv.Deployment
	tv := c.opts.ToolVersion
	if tv == "" {
		tv = "dev"
	}
	m := &bundle.Manifest{
		Format: bundle.Format, Version: bundle.SupportedVersion,
		CreatedUTC: createdUTC(started, jobs, sqlJob).Format(time.RFC3339), ToolVersion: tv,
		Deployment: bundle.ManifestDeployment{Name: d.Name, Variant: d.Variant, MasterDNS: d.MasterDNS,
			MasterPort: d.MasterPort, Listener: d.Listener, ScaleOutVersion: d.ScaleOutVersion},
		Nodes: []bundle.ManifestNode{},
		SQL:   []bundle.ManifestSQL{},
	}
	for i, n := range c.inv.Nodes {
		r := jobs[i].res
		roles := append([]string{}, n.Roles...)
		m.Nodes = append(m.Nodes, bundle.ManifestNode{Name: n.Name, Roles: roles, Collected: r.Collected, Error: r.Error})
	}
	c.mu.Lock()
	entries := append([]bundle.ManifestSQL(nil), c.sqlEntries...)
	c.mu.Unlock()
	if sqlJob != nil && len(entries) == 0 && !sqlJob.res.Collected {
		name := SQLTarget
		if s := c.inv.SQL; s != nil && s.Host != "" {
			name = strings.ToUpper(s.Host)
		}
		entries = append(entries, bundle.ManifestSQL{Instance: name, Collected: false, Error: sqlJob.res.Error})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Instance < entries[j].Instance })
	m.SQL = append(m.SQL, entries...)
	return m, nil
}

// writeManifest writes bundle.json (indented, no HTML escaping).
func writeManifest(dir string, m *bundle.Manifest) error {
	data, err := marshal(m)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".bundle.json.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, bundle.ManifestName))
}

func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func readManifest(dir string) (*bundle.Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, bundle.ManifestName))
	if err != nil {
		return nil, err
	}
	return bundle.ParseManifest(data)
}

// moveInto renames src to dst (replacing dst), creating dst's parent.
func moveInto(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := nodebundle.RemoveAll(dst); err != nil {
		return err
	}
	return os.Rename(src, dst)
}

// artifactNote counts the errors.json entries of a node directory.
func artifactNote(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "errors.json"))
	if err != nil {
		return ""
	}
	var errs []json.RawMessage
	if json.Unmarshal(data, &errs) != nil {
		return ""
	}
	return errorsNote(len(errs))
}

func errorsNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "1 artifact not collected"
	}
	return fmt.Sprintf("%d artifacts not collected", n)
}

func sqlNote(entries []bundle.ManifestSQL) string {
	failed := 0
	for _, e := range entries {
		if !e.Collected {
			failed++
		}
	}
	if failed == 0 {
		return fmt.Sprintf("%d instances", len(entries))
	}
	return fmt.Sprintf("%d of %d instances not collected", failed, len(entries))
}
