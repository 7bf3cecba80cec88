// Package windows is the local collector: run on a node (`ssis-ha-lint
// collect --local --out DIR`), it reads that node's artifacts through the
// Win32 APIs and writes nodes/<NODE>/... of a bundle (shared/spec/bundle.md,
// "Node artifacts") with collectors/nodebundle.
//
//   - services: the SCM with read-only handles; the logon account from
//     windows.QueryServiceConfig (mgr.Service.Config() needs more rights and
//     fails under Wine)
//   - certificates: crypt32 system stores opened read-only (LocalMachine\My,
//     LocalMachine\Root and each worker's configured store); DER plus
//     "has a private key" (CERT_KEY_PROV_INFO_PROP_ID), never key material
//   - config files: MasterSettings.config / WorkerSettings.config under
//     %ProgramFiles%\Microsoft SQL Server\<VER>\DTS\Binn for every <VER>
//   - registry (read-only): SCHANNEL and <VER>\DTS\Setup\SQL_IS_Master|Worker
//   - `netsh http show sslcert`, verbatim
//   - inbound firewall rules and the failover cluster through PowerShell,
//     when it is there
//   - host facts: GetComputerNameEx, NetGetJoinInformation, RtlGetVersion
//
// Every step that fails becomes an errors.json entry; collection goes on.
// The orchestration, the file walk and the command steps are portable and
// tested on Linux with a fake platform; the Win32 parts are in *_windows.go.
package windows

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
)

// ErrNotWindows is returned by the Win32 steps on other systems.
var ErrNotWindows = errors.New("the local collector runs only on Windows")

// Supported reports whether the local collector works on this system (the
// CLI refuses `collect --local` and `local: true` nodes elsewhere).
func Supported() bool { return runtime.GOOS == "windows" }

// Options tune a local collection. The zero value is ready for use.
type Options struct {
	// NodeName overrides the computer name as <NODE>.
	NodeName string
	// ProgramFiles are the Program Files directories searched for
	// Microsoft SQL Server\<VER>\DTS\Binn; default %ProgramW6432% and %ProgramFiles%.
	ProgramFiles []string
	// CommandTimeout bounds each external command (netsh, powershell); default 60s.
	CommandTimeout time.Duration
	// PowerShell is the PowerShell executable; default "powershell.exe".
	PowerShell string
	// NoPowerShell skips the PowerShell steps (firewall, cluster): they are
	// then recorded in errors.json as not collected.
	NoPowerShell bool
	// Now is the clock (host.json CollectedUtc); default time.Now.
	Now func() time.Time

	// test seams
	platform platform
	run      func(ctx context.Context, name string, args ...string) ([]byte, error)
}

// platform is the Win32 side.
type platform interface {
	host() (*nodebundle.Host, error)
	services() ([]nodebundle.Service, error)
	// certStore returns the certificates of a system store; location is
	// LocalMachine or CurrentUser.
	certStore(location, store string) ([]nodebundle.Cert, error)
	// registryValues reads values of an HKLM\... key; (nil, nil) when the
	// key does not exist; absent values are left out.
	registryValues(key string, names []string) (map[string]any, error)
	// registrySubkeys lists the subkeys of an HKLM\... key; (nil, nil) when
	// it does not exist.
	registrySubkeys(key string) ([]string, error)
}

func (o *Options) defaults() {
	if o.CommandTimeout <= 0 {
		o.CommandTimeout = 60 * time.Second
	}
	if o.PowerShell == "" {
		o.PowerShell = "powershell.exe"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.platform == nil {
		o.platform = newPlatform()
	}
	if o.run == nil {
		o.run = runCommand
	}
	if len(o.ProgramFiles) == 0 {
		seen := map[string]bool{}
		for _, env := range []string{"ProgramW6432", "ProgramFiles"} {
			if v := os.Getenv(env); v != "" && !seen[strings.ToLower(v)] {
				seen[strings.ToLower(v)] = true
				o.ProgramFiles = append(o.ProgramFiles, v)
			}
		}
		if len(o.ProgramFiles) == 0 {
			o.ProgramFiles = []string{`C:\Program Files`}
		}
	}
}

// CollectLocal collects this machine and writes nodes/<NODE>/... under
// bundleDir. It returns the node directory and the artifacts (whose Errors
// list what could not be collected). The error is for a node that could not
// be written at all.
func CollectLocal(ctx context.Context, bundleDir string, opts Options) (string, *nodebundle.NodeArtifacts, error) {
	a := Collect(ctx, opts)
	dir, err := nodebundle.WriteNode(bundleDir, a)
	return dir, a, err
}

// Collect reads this machine's artifacts. It never fails as a whole: each
// artifact that fails is in the result's Errors.
func Collect(ctx context.Context, opts Options) *nodebundle.NodeArtifacts {
	opts.defaults()
	p := opts.platform
	a := &nodebundle.NodeArtifacts{}

	a.Try(nodebundle.ArtifactHost, func() error {
		h, err := p.host()
		if err != nil {
			return err
		}
		h.CollectedUtc = opts.Now().UTC().Format(time.RFC3339)
		a.Host = h
		return nil
	})
	switch {
	case opts.NodeName != "":
		a.Name = opts.NodeName
	case a.Host != nil && a.Host.ComputerName != "":
		a.Name = a.Host.ComputerName
	default:
		a.Name, _ = os.Hostname()
		if i := strings.IndexByte(a.Name, '.'); i > 0 {
			a.Name = a.Name[:i]
		}
	}
	a.Name = strings.ToUpper(a.Name)

	a.Try(nodebundle.ArtifactServices, func() error {
		svcs, err := p.services()
		if err != nil {
			return err
		}
		a.Services = nodebundle.FilterServices(svcs)
		return nil
	})

	versions := map[string]bool{}
	a.Try(nodebundle.ArtifactFiles, func() error {
		return collectFiles(a, opts.ProgramFiles, versions)
	})

	a.Try(nodebundle.ArtifactRegistry, func() error {
		return collectRegistry(a, p, versions)
	})

	for _, st := range certStores(a) {
		st := st
		artifact := nodebundle.ArtifactCerts + "/" + st[0] + "/" + st[1]
		a.Try(artifact, func() error {
			certs, err := p.certStore(st[0], st[1])
			if err != nil {
				return err
			}
			a.Stores = append(a.Stores, nodebundle.CertStore{Location: st[0], Store: st[1], Certs: certs})
			return nil
		})
	}

	a.Try(nodebundle.ArtifactHTTPSys, func() error {
		cctx, cancel := context.WithTimeout(ctx, opts.CommandTimeout)
		defer cancel()
		out, err := opts.run(cctx, "netsh", "http", "show", "sslcert")
		if err != nil {
			return fmt.Errorf("netsh http show sslcert: %w", err)
		}
		if len(bytes.TrimSpace(out)) == 0 {
			// Windows always prints the "SSL Certificate bindings:" header.
			return errors.New("netsh http show sslcert printed nothing")
		}
		s := string(out)
		a.HTTPSys = &s
		return nil
	})

	if opts.NoPowerShell {
		a.Fail(nodebundle.ArtifactFirewall, errors.New("not collected: PowerShell steps disabled"))
		if hasService(a, "ClusSvc") {
			a.Fail(nodebundle.ArtifactCluster, errors.New("not collected: PowerShell steps disabled"))
		}
	} else {
		collectPowerShell(ctx, a, opts)
	}
	return a
}

func hasService(a *nodebundle.NodeArtifacts, name string) bool {
	for _, s := range a.Services {
		if strings.EqualFold(s.Name, name) {
			return true
		}
	}
	return false
}

// collectFiles copies the config files of every <VER>\DTS\Binn.
func collectFiles(a *nodebundle.NodeArtifacts, roots []string, versions map[string]bool) error {
	a.Files = []nodebundle.File{}
	var errs []string
	searched := 0
	for _, root := range roots {
		base := filepath.Join(root, "Microsoft SQL Server")
		ents, err := os.ReadDir(base)
		if err != nil {
			if !os.IsNotExist(err) {
				errs = append(errs, err.Error())
			}
			continue
		}
		searched++
		for _, e := range ents {
			if !e.IsDir() || !nodebundle.IsVersionDir(e.Name()) {
				continue
			}
			versions[e.Name()] = true
			binn := filepath.Join(base, e.Name(), "DTS", "Binn")
			for _, name := range nodebundle.ConfigFileNames {
				path := filepath.Join(binn, name)
				fi, err := os.Stat(path)
				if err != nil {
					if !os.IsNotExist(err) {
						a.Fail(nodebundle.ArtifactFiles+"/"+name, err)
					}
					continue
				}
				data, err := os.ReadFile(path)
				if err != nil {
					a.Fail(nodebundle.ArtifactFiles+"/"+name, err)
					continue
				}
				a.AddFile(nodebundle.NewFile(name, path, data, fi.ModTime()))
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

func collectRegistry(a *nodebundle.NodeArtifacts, p platform, versions map[string]bool) error {
	var errs []string
	vals, err := p.registryValues(nodebundle.SchannelKey, nodebundle.SchannelValues)
	if err != nil {
		errs = append(errs, nodebundle.SchannelKey+": "+err.Error())
	}
	if a.Registry == nil {
		a.Registry = map[string]map[string]any{}
	}
	if vals != nil {
		a.Registry[nodebundle.SchannelKey] = vals
	}
	subs, err := p.registrySubkeys(nodebundle.SQLServerKey)
	if err != nil {
		errs = append(errs, nodebundle.SQLServerKey+": "+err.Error())
	}
	for _, s := range subs {
		if nodebundle.IsVersionDir(s) {
			versions[s] = true
		}
	}
	for _, v := range slices.Sorted(maps.Keys(versions)) {
		for _, feature := range []string{"SQL_IS_Master", "SQL_IS_Worker"} {
			key := nodebundle.SetupKey(v, feature)
			vals, err := p.registryValues(key, []string{"Version"})
			if err != nil {
				errs = append(errs, key+": "+err.Error())
				continue
			}
			if vals != nil {
				a.Registry[key] = vals
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// certStores returns LocalMachine\My, LocalMachine\Root and the stores the
// node's WorkerSettings.config files name, without duplicates.
func certStores(a *nodebundle.NodeArtifacts) [][2]string {
	out := [][2]string{{"LocalMachine", "My"}, {"LocalMachine", "Root"}}
	seen := map[string]bool{"localmachine/my": true, "localmachine/root": true}
	for _, f := range a.Files {
		if !strings.Contains(strings.ToLower(f.Name), "worker") {
			continue
		}
		loc, store := WorkerStore(f.Data)
		k := strings.ToLower(loc + "/" + store)
		if !seen[k] {
			seen[k] = true
			out = append(out, [2]string{loc, store})
		}
	}
	return out
}

var (
	storeLocRE  = regexp.MustCompile(`(?i)"StoreLocation"\s*:\s*"([^"]*)"|key\s*=\s*"StoreLocation"\s+value\s*=\s*"([^"]*)"`)
	storeNameRE = regexp.MustCompile(`(?i)"StoreName"\s*:\s*"([^"]*)"|key\s*=\s*"StoreName"\s+value\s*=\s*"([^"]*)"`)
	storeWordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 _-]{0,63}$`)
)

// WorkerStore returns the certificate store a WorkerSettings.config names
// (StoreLocation, StoreName), defaulting to LocalMachine and My. It accepts
// JSON or XML appSettings text, with or without a BOM, UTF-16 included.
func WorkerStore(data []byte) (location, store string) {
	text := decodeText(data)
	location, store = "LocalMachine", "My"
	if m := storeLocRE.FindStringSubmatch(text); m != nil {
		v := strings.TrimSpace(m[1] + m[2])
		switch strings.ToLower(v) {
		case "localmachine":
			location = "LocalMachine"
		case "currentuser":
			location = "CurrentUser"
		}
	}
	if m := storeNameRE.FindStringSubmatch(text); m != nil {
		v := strings.TrimSpace(m[1] + m[2])
		if storeWordRE.MatchString(v) {
			store = v
		}
	}
	return location, store
}

func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:])
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) && len(b)%2 == 0:
		u := make([]uint16, 0, len(b)/2-1)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
		}
		return string(utf16.Decode(u))
	}
	return string(b)
}

// psFacts is the PowerShell step: inbound allow firewall rules with their
// ports, and the failover cluster, printed as one fact document
// (nodebundle.DecodeDocument). Windows PowerShell 5.1 syntax.
const psFacts = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$doc = [ordered]@{ Format = 'ssis-ha-lint-node'; Version = 1; ComputerName = $env:COMPUTERNAME; Firewall = $null; Cluster = $null; Errors = @() }
$errs = New-Object System.Collections.ArrayList
try {
  $rows = New-Object System.Collections.ArrayList
  $filters = @{}
  foreach ($f in @(Get-NetFirewallPortFilter -All)) { $filters[[string]$f.InstanceID] = $f }
  foreach ($r in @(Get-NetFirewallRule -Direction Inbound -Action Allow)) {
    $pf = $filters[[string]$r.InstanceID]
    if ($null -eq $pf) { $pf = $r | Get-NetFirewallPortFilter }
    [void]$rows.Add([ordered]@{
      DisplayName = [string]$r.DisplayName
      Enabled = ([string]$r.Enabled -eq 'True')
      Direction = [string]$r.Direction
      Action = [string]$r.Action
      Protocol = [string]$pf.Protocol
      LocalPort = @($pf.LocalPort | ForEach-Object { [string]$_ })
    })
  }
  $doc.Firewall = @($rows)
} catch {
  [void]$errs.Add([ordered]@{ Artifact = 'firewall'; Error = $_.Exception.Message })
}
$clussvc = Get-Service -Name ClusSvc -ErrorAction SilentlyContinue
if ($clussvc) {
  try {
    Import-Module FailoverClusters -ErrorAction Stop
    $c = Get-Cluster
    $nodes = @(Get-ClusterNode | ForEach-Object { [ordered]@{ Name = [string]$_.Name; State = [string]$_.State } })
    $groups = @(Get-ClusterGroup | ForEach-Object { [ordered]@{ Name = [string]$_.Name; State = [string]$_.State; OwnerNode = [string]$_.OwnerNode; GroupType = [string]$_.GroupType } })
    $res = @()
    foreach ($r in @(Get-ClusterResource)) {
      $params = [ordered]@{}
      foreach ($p in @($r | Get-ClusterParameter -ErrorAction SilentlyContinue)) {
        if ($p.Name -in @('ServiceName','DnsName','Name','Address','SubnetMask','Network','StartupParameters','InstanceName','VirtualServerName')) { $params[[string]$p.Name] = $p.Value }
      }
      $owners = @()
      try { $owners = @(Get-ClusterOwnerNode -InputObject $r -ErrorAction Stop | ForEach-Object { $_.OwnerNodes } | ForEach-Object { [string]$_.Name }) } catch { }
      $res += ,([ordered]@{ Name = [string]$r.Name; ResourceType = [string]$r.ResourceType; OwnerGroup = [string]$r.OwnerGroup; OwnerNode = [string]$r.OwnerNode; State = [string]$r.State; PossibleOwners = $owners; Parameters = $params })
    }
    $doc.Cluster = [ordered]@{ Name = [string]$c.Name; Nodes = $nodes; Groups = $groups; Resources = $res }
  } catch {
    [void]$errs.Add([ordered]@{ Artifact = 'cluster'; Error = $_.Exception.Message })
  }
}
$doc.Errors = @($errs)
ConvertTo-Json -InputObject $doc -Depth 8 -Compress
`

func collectPowerShell(ctx context.Context, a *nodebundle.NodeArtifacts, opts Options) {
	cctx, cancel := context.WithTimeout(ctx, opts.CommandTimeout)
	defer cancel()
	out, err := opts.run(cctx, opts.PowerShell, "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand", EncodePowerShell(psFacts))
	var doc *nodebundle.NodeArtifacts
	if err == nil && len(bytes.TrimSpace(out)) == 0 {
		err = errors.New("PowerShell printed nothing (is Windows PowerShell 5.1 installed?)")
	}
	if err == nil {
		doc, err = nodebundle.DecodeDocument(out)
	}
	if err != nil {
		err = fmt.Errorf("PowerShell: %w", err)
		a.Fail(nodebundle.ArtifactFirewall, err)
		if hasService(a, "ClusSvc") {
			a.Fail(nodebundle.ArtifactCluster, err)
		}
		return
	}
	if doc.Firewall != nil {
		a.Firewall = doc.Firewall
	}
	if doc.Cluster != nil {
		a.Cluster = doc.Cluster
	}
	a.Errors = append(a.Errors, doc.Errors...)
}

// EncodePowerShell encodes a script for powershell.exe -EncodedCommand
// (base64 of UTF-16LE).
func EncodePowerShell(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// runCommand runs a command and returns its stdout; stderr goes into the error.
func runCommand(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 2 * time.Second
	hideWindow(cmd)
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("timed out: %w", ctx.Err())
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		if msg != "" {
			return nil, fmt.Errorf("%w: %s", err, msg)
		}
		return nil, err
	}
	return stdout.Bytes(), nil
}
