package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/windows"
)

// ErrLocalNotWindows is returned by Local on other systems.
var ErrLocalNotWindows = errors.New("collect --local runs on a Windows node; use collect -i with winrm from here")

// LocalOptions tune Local.
type LocalOptions struct {
	// Roles of this node: master, worker, replica (may be empty: Merge
	// keeps what the part says).
	Roles []string
	// Deployment and Variant (ag, default, or fci) are written to the
	// part's declared deployment.
	Deployment string
	Variant    string
	// ToolVersion is written to bundle.json.
	ToolVersion string
	// Timeout bounds the collection (default inventory.DefaultTimeout).
	Timeout time.Duration
	// Windows tunes the local collector (NodeName overrides the computer name).
	Windows windows.Options
	// Now is the clock (created_utc); default time.Now.
	Now func() time.Time
}

// Local collects this machine into outDir (created; empty or new) as a
// bundle part: nodes/<NODE>/ and a bundle.json that lists this one node with
// its roles. Parts of every node are combined with Merge. It needs Windows
// (ErrLocalNotWindows elsewhere).
func Local(ctx context.Context, outDir string, o LocalOptions) (*bundle.Manifest, *nodebundle.NodeArtifacts, error) {
	if !windows.Supported() {
		return nil, nil, ErrLocalNotWindows
	}
	return local(ctx, outDir, o, windows.Collect)
}

// ParseRoles checks a comma-separated role list (master,worker,replica).
func ParseRoles(s string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(s, ",") {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			continue
		}
		switch r {
		case inventory.RoleMaster, inventory.RoleWorker, inventory.RoleReplica:
		default:
			return nil, fmt.Errorf("bad role %q (one of: master, worker, replica)", r)
		}
		dup := false
		for _, x := range out {
			dup = dup || x == r
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out, nil
}

func local(ctx context.Context, outDir string, o LocalOptions, collect func(context.Context, windows.Options) *nodebundle.NodeArtifacts) (*bundle.Manifest, *nodebundle.NodeArtifacts, error) {
	if o.Variant == "" {
		o.Variant = inventory.VariantAG
	}
	if o.Variant != inventory.VariantAG && o.Variant != inventory.VariantFCI {
		return nil, nil, fmt.Errorf("variant %q: want ag or fci", o.Variant)
	}
	if o.Timeout <= 0 {
		o.Timeout = inventory.DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := prepareOut(outDir); err != nil {
		return nil, nil, err
	}
	started := o.Now().UTC()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	a := collect(ctx, o.Windows)
	if _, err := nodebundle.WriteNode(outDir, a); err != nil {
		return nil, a, err
	}
	tv := o.ToolVersion
	if tv == "" {
		tv = "dev"
	}
	roles := append([]string{}, o.Roles...)
	m := &bundle.Manifest{
		Format: bundle.Format, Version: bundle.SupportedVersion,
		CreatedUTC: started.Format(time.RFC3339), ToolVersion: tv,
		Deployment: bundle.ManifestDeployment{Name: o.Deployment, Variant: o.Variant},
		Nodes:      []bundle.ManifestNode{{Name: strings.ToUpper(a.Name), Roles: roles, Collected: true}},
		SQL:        []bundle.ManifestSQL{},
	}
	if err := writeManifest(outDir, m); err != nil {
		return nil, a, err
	}
	return m, a, nil
}
