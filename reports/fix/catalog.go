package fix

import (
	"fmt"
	"strings"
)

// Languages of a fix block.
const (
	langPS     = "ps1"
	langSQL    = "sql"
	langManual = "manual"
)

// Stages of a node script, in the order the README runs them.
const (
	stageExport  = "Export"
	stageApply   = "Apply"
	stageSQL     = "SQL"
	stageRestart = "Restart"
)

// Phases order blocks: certificates and trust first, then configuration
// keys, then bindings/registry/firewall, then the service account, then
// T-SQL, then restarts.
const (
	phaseExport = iota
	phaseCert
	phaseConfig
	phaseNetwork
	phaseAccount
	phaseSQL
	phaseRestartMaster
	phaseRestartWorker
	phaseManual
)

var phaseNames = map[int]string{
	phaseExport:        "export certificates",
	phaseCert:          "certificates and trust",
	phaseConfig:        "configuration keys",
	phaseNetwork:       "bindings, registry, firewall",
	phaseAccount:       "service account",
	phaseSQL:           "T-SQL",
	phaseRestartMaster: "restart the master (cluster resource)",
	phaseRestartWorker: "start / restart workers",
	phaseManual:        "manual",
}

// kind is how a fix parameter is validated before any template runs.
type kind int

const (
	kStr      kind = iota // any non-empty string (escaped where used)
	kOptStr               // any string, may be empty or absent
	kThumb                // certificate thumbprint (40 or 64 hex digits)
	kSID                  // 0x hex SID
	kGUID                 // GUID
	kOptGUID              // GUID or empty
	kPort                 // TCP port number
	kOptStore             // certificate store name, may be empty
	kDNS                  // a DNS host name (goes into a certificate subject)
	kList                 // list of strings
)

func (k kind) String() string {
	return [...]string{"string", "string", "thumbprint", "hex SID", "GUID", "GUID", "port", "store name", "DNS name", "list"}[k]
}

// spec describes one fix id of docs/fix-catalog.md.
type spec struct {
	lang   string
	phase  int
	params map[string]kind
	// defaults for optional params.
	defaults map[string]string
	// primary: a T-SQL fix that runs on the primary replica only.
	primary bool
}

// catalog is docs/fix-catalog.md in code. A meta-test checks that both list
// the same ids and params.
var catalog = map[string]spec{
	"set-master-config": {lang: langPS, phase: phaseConfig,
		params: map[string]kind{"path": kStr, "key": kStr, "value": kOptStr}},
	"set-worker-config": {lang: langPS, phase: phaseConfig,
		params: map[string]kind{"path": kStr, "key": kStr, "value": kOptStr, "service": kStr}},
	"import-master-cert": {lang: langPS, phase: phaseCert,
		params:   map[string]kind{"thumbprint": kThumb, "source_node": kStr, "store": kOptStore},
		defaults: map[string]string{"store": "Root"}},
	"trust-worker-cert": {lang: langPS, phase: phaseCert,
		params: map[string]kind{"thumbprint": kThumb, "worker": kStr, "cer_path": kOptStr}},
	"trust-master-cert": {lang: langPS, phase: phaseCert,
		params: map[string]kind{"thumbprint": kThumb, "source_node": kStr}},
	"replace-worker-cert": {lang: langPS, phase: phaseCert,
		params:   map[string]kind{"worker": kDNS, "store": kOptStore, "service": kStr},
		defaults: map[string]string{"store": "My"}},
	"renew-master-cert": {lang: langPS, phase: phaseCert,
		params: map[string]kind{"dns_name": kDNS, "port": kPort, "path": kStr}},
	"bind-master-port": {lang: langPS, phase: phaseNetwork,
		params: map[string]kind{"port": kPort, "thumbprint": kThumb, "app_id": kOptGUID}},
	"set-schannel-clientauth": {lang: langPS, phase: phaseNetwork, params: map[string]kind{}},
	"add-firewall-rule": {lang: langPS, phase: phaseNetwork,
		params: map[string]kind{"port": kPort, "display_name": kOptStr}},
	"set-master-account": {lang: langPS, phase: phaseAccount,
		params: map[string]kind{"service": kStr, "account": kStr}},
	"restart-master": {lang: langPS, phase: phaseRestartMaster,
		params: map[string]kind{"resource": kStr, "service": kStr}},
	"start-worker": {lang: langPS, phase: phaseRestartWorker,
		params: map[string]kind{"service": kStr}},
	"sql-update-master-address": {lang: langSQL, phase: phaseSQL, primary: true,
		params: map[string]kind{"address": kStr}},
	"sql-update-logdb-info": {lang: langSQL, phase: phaseSQL, primary: true,
		params:   map[string]kind{"server_name": kStr, "login": kOptStr},
		defaults: map[string]string{"login": "##MS_SSISLogDBWorkerAgentLogin##"}},
	"sql-alter-logdb-login": {lang: langSQL, phase: phaseSQL,
		params: map[string]kind{"login": kStr}},
	"sql-create-logdb-login": {lang: langSQL, phase: phaseSQL,
		params: map[string]kind{"login": kStr, "sid": kSID}},
	"sql-enable-login": {lang: langSQL, phase: phaseSQL,
		params: map[string]kind{"login": kStr}},
	"sql-create-windows-login": {lang: langSQL, phase: phaseSQL,
		params: map[string]kind{"login": kStr}},
	"sql-dmk-by-smk": {lang: langSQL, phase: phaseSQL, primary: true, params: map[string]kind{}},
	"sql-enable-worker-agent": {lang: langSQL, phase: phaseSQL, primary: true,
		params: map[string]kind{"agent_id": kGUID}},
	"sql-enable-clr": {lang: langSQL, phase: phaseSQL, params: map[string]kind{}},
	"manual": {lang: langManual, phase: phaseManual,
		params: map[string]kind{"steps": kList}},
}

// sqlOrder orders the blocks of one .sql file: server objects first (CLR,
// logins), then SSISDB keys, then the catalog procedures.
var sqlOrder = map[string]int{
	"sql-enable-clr":            0,
	"sql-create-windows-login":  1,
	"sql-create-logdb-login":    2,
	"sql-alter-logdb-login":     3,
	"sql-enable-login":          4,
	"sql-dmk-by-smk":            5,
	"sql-update-logdb-info":     6,
	"sql-update-master-address": 7,
	"sql-enable-worker-agent":   8,
}

// validate checks and normalises the params of a fix against its spec:
// strings for scalar kinds, []string for lists. It returns the name of the
// first bad param with the error.
func (s spec) validate(raw map[string]any) (map[string]string, map[string][]string, string, error) {
	for name := range raw {
		if isSecretName(name) {
			return nil, nil, name, fmt.Errorf("a fix param must never carry a secret (param name %q)", name)
		}
	}
	p := map[string]string{}
	l := map[string][]string{}
	for name, k := range s.params {
		v, ok := raw[name]
		if k == kList {
			list, err := toList(v)
			if err != nil {
				return nil, nil, name, err
			}
			if len(list) == 0 {
				return nil, nil, name, fmt.Errorf("is empty")
			}
			l[name] = list
			continue
		}
		str := ""
		if ok {
			var err error
			if str, err = toString(v); err != nil {
				return nil, nil, name, err
			}
		}
		if str == "" {
			str = s.defaults[name]
		}
		var err error
		switch k {
		case kStr:
			if strings.TrimSpace(str) == "" {
				err = fmt.Errorf("is missing or empty")
			}
		case kOptStr:
		case kThumb:
			str, err = thumb(str)
		case kSID:
			str, err = hex(str)
		case kGUID:
			str, err = guid(str)
		case kOptGUID:
			if str != "" {
				str, err = guid(str)
			}
		case kPort:
			str, err = port(str)
		case kOptStore:
			if str != "" {
				str, err = store(str)
			}
		case kDNS:
			str, err = dnsName(str)
		}
		if err != nil {
			return nil, nil, name, err
		}
		p[name] = str
	}
	return p, l, "", nil
}

func isSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"password", "passwd", "pwd", "secret", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func toString(v any) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case bool:
		if t {
			return "true", nil
		}
		return "false", nil
	case float64:
		if t == float64(int64(t)) {
			return fmt.Sprintf("%d", int64(t)), nil
		}
		return fmt.Sprintf("%g", t), nil
	case int:
		return fmt.Sprintf("%d", t), nil
	case int64:
		return fmt.Sprintf("%d", t), nil
	case fmt.Stringer: // json.Number
		return t.String(), nil
	}
	return "", fmt.Errorf("is a %T, want a string", v)
}

func toList(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{t}, nil
	case []string:
		return t, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, err := toString(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("is a %T, want a list of strings", v)
}
