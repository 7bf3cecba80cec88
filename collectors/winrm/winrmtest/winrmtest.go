// Package winrmtest is a test helper: an httptest WS-Management endpoint that
// plays the WinRS exchange collectors/winrm drives (shell Create, Command,
// Receive until CommandState Done, Signal, Delete) and prints a given fact
// document as collect-node.ps1 would, so other packages (the orchestration
// in collectors/collect) can collect "remote" nodes without Windows. It does
// not authenticate (any NTLM client is let in) and answers HTTPS only.
//
// It is a trimmed copy of the fake in collectors/winrm's own tests, which
// also plays NTLM and the fault cases.
package winrmtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm"
)

// Server is a fake WinRM node over HTTPS.
type Server struct {
	*httptest.Server

	// Stdout is what the fact script prints (see ScriptOutput).
	stdout []byte
	// hang: never answer the shell Create (a node that hangs).
	hang    bool
	release chan struct{}
	once    sync.Once

	mu       sync.Mutex
	cmds     map[string]*command
	n        int
	requests int
}

type command struct {
	final    bool
	receives int
}

// NewServer starts a node that prints stdout (ScriptOutput(doc)) and exits 0.
func NewServer(stdout []byte) *Server {
	s := &Server{stdout: stdout, release: make(chan struct{}), cmds: map[string]*command{}}
	s.Server = httptest.NewTLSServer(s)
	return s
}

// NewHungServer starts a node that accepts connections but never answers.
func NewHungServer() *Server {
	s := &Server{hang: true, release: make(chan struct{}), cmds: map[string]*command{}}
	s.Server = httptest.NewTLSServer(s)
	return s
}

// Close releases hung requests and stops the server.
func (s *Server) Close() {
	s.once.Do(func() { close(s.release) })
	s.Server.Close()
}

// Host and Port are where it listens.
func (s *Server) Host() string {
	u, _ := url.Parse(s.URL)
	return u.Hostname()
}

// Port is the TCP port it listens on.
func (s *Server) Port() int {
	u, _ := url.Parse(s.URL)
	p, _ := strconv.Atoi(u.Port())
	return p
}

// WriteCA writes the server's certificate as PEM to path (an inventory's
// winrm ca_file).
func (s *Server) WriteCA(path string) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o644)
}

// Requests is the number of WS-Management requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

var (
	actionRE  = regexp.MustCompile(`<a:Action[^>]*>([^<]+)</a:Action>`)
	commandRE = regexp.MustCompile(`<rsp:Command>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</rsp:Command>`)
	desiredRE = regexp.MustCompile(`<rsp:DesiredStream CommandId="([^"]+)"`)
)

const (
	nsDecl = `xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" ` +
		`xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"`
	shellNS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
)

func envelope(action, body string) string {
	return `<s:Envelope xml:lang="en-US" ` + nsDecl + `><s:Header><a:Action>` + action + `</a:Action>` +
		`<a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

// ServeHTTP plays the WinRS exchange.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if len(body) == 0 {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	m := actionRE.FindSubmatch(body)
	if m == nil {
		http.Error(w, "no action", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	action := string(m[1])
	var resp string
	switch action {
	case "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create":
		if s.hang {
			select {
			case <-r.Context().Done():
			case <-s.release:
			}
			return
		}
		resp = envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
			`<x:ResourceCreated><a:Address>http://fake/wsman</a:Address><a:ReferenceParameters>`+
				`<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>`+
				`<w:SelectorSet><w:Selector Name="ShellId">11111111-2222-3333-4444-555555555555</w:Selector></w:SelectorSet>`+
				`</a:ReferenceParameters></x:ResourceCreated><rsp:Shell><rsp:ShellId>11111111-2222-3333-4444-555555555555</rsp:ShellId></rsp:Shell>`)
	case shellNS + "Command":
		cm := commandRE.FindSubmatch(body)
		if cm == nil {
			http.Error(w, "no command", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.n++
		id := fmt.Sprintf("AAAAAAAA-BBBB-CCCC-DDDD-%012d", s.n)
		s.cmds[id] = &command{final: strings.HasPrefix(string(cm[1]), "powershell.exe ")}
		s.mu.Unlock()
		resp = envelope(shellNS+"CommandResponse", `<rsp:CommandResponse><rsp:CommandId>`+id+`</rsp:CommandId></rsp:CommandResponse>`)
	case shellNS + "Receive":
		dm := desiredRE.FindSubmatch(body)
		s.mu.Lock()
		var c *command
		if dm != nil {
			c = s.cmds[string(dm[1])]
		}
		if c != nil {
			c.receives++
		}
		s.mu.Unlock()
		if c == nil {
			http.Error(w, "unknown command", http.StatusBadRequest)
			return
		}
		id := string(dm[1])
		var b strings.Builder
		b.WriteString(`<rsp:ReceiveResponse>`)
		if c.final {
			stream(&b, id, "stdout", s.stdout)
		}
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`)
		b.WriteString(`</rsp:ReceiveResponse>`)
		resp = envelope(shellNS+"ReceiveResponse", b.String())
	case shellNS + "Signal":
		resp = envelope(shellNS+"SignalResponse", `<rsp:SignalResponse/>`)
	case "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete":
		resp = envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", ``)
	default:
		http.Error(w, "unknown action "+action, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	io.WriteString(w, resp)
}

func stream(b *strings.Builder, id, name string, data []byte) {
	for len(data) > 0 {
		n := min(len(data), 4096)
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + id + `">`)
		b.WriteString(base64.StdEncoding.EncodeToString(data[:n]))
		b.WriteString(`</rsp:Stream>`)
		data = data[n:]
	}
}

// ScriptOutput wraps a fact document the way collect-node.ps1 prints it
// (base64 lines between the markers).
func ScriptOutput(doc []byte) []byte {
	b64 := base64.StdEncoding.EncodeToString(doc)
	var lines []string
	for len(b64) > 0 {
		n := min(len(b64), 1000)
		lines = append(lines, b64[:n])
		b64 = b64[n:]
	}
	return []byte(winrm.BeginMarker + "\r\n" + strings.Join(lines, "\r\n") + "\r\n" + winrm.EndMarker + "\r\n")
}

// DocumentFromNodeDir builds the fact document (nodebundle's wire format)
// that would produce the node directory dir of a bundle (nodes/<NODE>):
// what a node answers when the test wants the bundle's node back.
func DocumentFromNodeDir(dir string) ([]byte, error) {
	doc := map[string]any{"Format": "ssis-ha-lint-node", "Version": 1, "ComputerName": filepath.Base(dir)}
	raw := func(name, key string) error {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		doc[key] = json.RawMessage(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))
		return nil
	}
	for name, key := range map[string]string{"host.json": "Host", "services.json": "Services", "registry.json": "Registry",
		"firewall.json": "Firewall", "cluster.json": "Cluster", "errors.json": "Errors"} {
		if err := raw(name, key); err != nil {
			return nil, err
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "httpsys.txt")); err == nil {
		doc["HttpSys"] = string(b)
	}

	// files: files.json with each file's bytes
	if b, err := os.ReadFile(filepath.Join(dir, "files.json")); err == nil {
		var files []map[string]any
		if err := json.Unmarshal(b, &files); err != nil {
			return nil, fmt.Errorf("files.json: %w", err)
		}
		for _, f := range files {
			name, _ := f["Name"].(string)
			data, err := os.ReadFile(filepath.Join(dir, "files", name))
			if err != nil {
				return nil, err
			}
			f["Data"] = base64.StdEncoding.EncodeToString(data)
		}
		doc["Files"] = files
	}

	// certs/<Location>/<Store>/<THUMBPRINT>.cer + .json
	type cert struct {
		Der               string
		HasPrivateKey     bool
		FriendlyName      string
		PrivateKeyReaders []string
	}
	type store struct {
		Location, Store string
		Certs           []cert
	}
	var stores []store
	locs, _ := os.ReadDir(filepath.Join(dir, "certs"))
	for _, loc := range locs {
		sts, _ := os.ReadDir(filepath.Join(dir, "certs", loc.Name()))
		for _, st := range sts {
			sdir := filepath.Join(dir, "certs", loc.Name(), st.Name())
			ents, _ := os.ReadDir(sdir)
			var names []string
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".cer") {
					names = append(names, e.Name())
				}
			}
			sort.Strings(names)
			s := store{Location: loc.Name(), Store: st.Name(), Certs: []cert{}}
			for _, n := range names {
				der, err := os.ReadFile(filepath.Join(sdir, n))
				if err != nil {
					return nil, err
				}
				c := cert{Der: base64.StdEncoding.EncodeToString(der)}
				if b, err := os.ReadFile(filepath.Join(sdir, strings.TrimSuffix(n, ".cer")+".json")); err == nil {
					var side struct {
						HasPrivateKey     bool
						FriendlyName      string
						PrivateKeyReaders []string
					}
					if err := json.Unmarshal(b, &side); err != nil {
						return nil, fmt.Errorf("%s: %w", n, err)
					}
					c.HasPrivateKey, c.FriendlyName, c.PrivateKeyReaders = side.HasPrivateKey, side.FriendlyName, side.PrivateKeyReaders
				}
				s.Certs = append(s.Certs, c)
			}
			stores = append(stores, s)
		}
	}
	if stores != nil {
		doc["Stores"] = stores
	}
	return json.Marshal(doc)
}
