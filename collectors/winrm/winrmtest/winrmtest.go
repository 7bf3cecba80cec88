// Package winrmtest is a test helper: an httptest WS-Management endpoint that
// plays the WinRS exchange collectors/winrm drives (shell Create, Command,
// Receive until CommandState Done, Signal, Delete) and prints a given fact
// document as collect-node.ps1 would, so collectors/winrm's own tests and
// other packages (the orchestration in collectors/collect) can collect
// "remote" nodes without Windows.
//
// By default a Server answers HTTPS, lets any client in (the transport's
// empty NTLM message-encryption probe is refused, so the client falls back to
// plain requests) and prints Options.Stdout over two Receives. Options add
// an NTLM handshake, hangs, faults and 401s; the Server records the actions
// it saw, the command lines and the script the client staged.
package winrmtest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
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
	"unicode/utf16"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/winrm"
)

// Mode is how a Server misbehaves.
type Mode int

const (
	// Answer plays the exchange.
	Answer Mode = iota
	// Unauthorized answers every request with HTTP 401.
	Unauthorized
	// HangCreate never answers the shell Create (until Close or the client
	// gives up).
	HangCreate
	// HangReceive never answers a Receive.
	HangReceive
	// ReceiveFault answers every Receive with a WS-Management fault (HTTP
	// 500, "The shell was not found").
	ReceiveFault
	// ReceiveTimedOutOnce answers the script's first Receive with the
	// w:TimedOut fault Windows sends when OperationTimeout passed without
	// output; later Receives answer as usual.
	ReceiveTimedOutOnce
)

func (m Mode) String() string {
	switch m {
	case Answer:
		return "answer"
	case Unauthorized:
		return "401"
	case HangCreate:
		return "hang-create"
	case HangReceive:
		return "hang-receive"
	case ReceiveFault:
		return "fault-receive"
	case ReceiveTimedOutOnce:
		return "timedout-first"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Options say what a Server prints and how it behaves.
type Options struct {
	// Stdout is what the PowerShell command prints (see ScriptOutput),
	// split over two Receives; Stderr and ExitCode come with the last one.
	Stdout   []byte
	Stderr   []byte
	ExitCode int

	Mode Mode
	// NTLM makes the server play the server side of an NTLM handshake in
	// Negotiate (or NTLM) Authorization headers and record each
	// AUTHENTICATE (see NTLMAuths); without it any client is let in.
	NTLM bool
	// HTTP serves plain HTTP instead of HTTPS.
	HTTP bool
	// T, when set, is told (Errorf) of command lines that are neither a
	// staging echo nor the powershell.exe bootstrap.
	T interface {
		Errorf(format string, args ...any)
	}
}

// NTLMAuth is one NTLM AUTHENTICATE message the server accepted.
type NTLMAuth struct {
	// User is DOMAIN\user.
	User string
	// SameConn is whether it came on the connection of the NEGOTIATE before
	// it (NTLM authenticates connections, not requests).
	SameConn bool
}

// Server is a fake WinRM node.
type Server struct {
	*httptest.Server

	opt     Options
	release chan struct{}
	once    sync.Once

	mu       sync.Mutex
	requests int
	actions  []string
	commands []string
	cmds     map[string]*command
	// files are what `>"%TEMP%\name" echo ...` commands wrote.
	files    map[string]*bytes.Buffer
	ntlm     []NTLMAuth
	ntlmConn string
}

type command struct {
	final    bool // the PowerShell command (else an echo that prints nothing)
	receives int
}

// New starts a node as o says.
func New(o Options) *Server {
	s := &Server{opt: o, release: make(chan struct{}), cmds: map[string]*command{}, files: map[string]*bytes.Buffer{}}
	if o.HTTP {
		s.Server = httptest.NewServer(s)
	} else {
		s.Server = httptest.NewTLSServer(s)
	}
	return s
}

// NewServer starts an HTTPS node that prints stdout (ScriptOutput(doc)) and
// exits 0.
func NewServer(stdout []byte) *Server {
	return New(Options{Stdout: stdout})
}

// NewHungServer starts an HTTPS node that accepts connections but never
// answers the shell Create.
func NewHungServer() *Server {
	return New(Options{Mode: HangCreate})
}

// Release lets hung requests return (without a response).
func (s *Server) Release() {
	s.once.Do(func() { close(s.release) })
}

// Close releases hung requests and stops the server.
func (s *Server) Close() {
	s.Release()
	s.Server.Close()
}

// Host is the host it listens on.
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

// CAPEM is the server's certificate as PEM (nil over plain HTTP).
func (s *Server) CAPEM() []byte {
	c := s.Certificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// WriteCA writes the server's certificate as PEM to path (an inventory's
// winrm ca_file).
func (s *Server) WriteCA(path string) error {
	return os.WriteFile(path, s.CAPEM(), 0o644)
}

// Requests is the number of WS-Management requests served.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Seen is the actions of the requests served, in order, by their last path
// element ("Create", "Command", "Receive", "Signal", "Delete").
func (s *Server) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.actions...)
}

// Commands is the command lines the client ran, in order.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// NTLMAuths is the NTLM authentications accepted (Options.NTLM), in order.
func (s *Server) NTLMAuths() []NTLMAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]NTLMAuth(nil), s.ntlm...)
}

// Staged returns the script the echo commands staged (base64 of gzip,
// decoded), and the name of the %TEMP% file it was staged in.
func (s *Server) Staged() (script, name string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, b := range s.files {
		raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(b.String(), "\r\n", ""))
		if err != nil {
			return "", name, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", name, err
		}
		b, err := io.ReadAll(zr)
		return string(b), name, err
	}
	return "", "", errors.New("nothing staged")
}

var (
	actionRE  = regexp.MustCompile(`<a:Action[^>]*>([^<]+)</a:Action>`)
	commandRE = regexp.MustCompile(`<rsp:Command>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</rsp:Command>`)
	echoRE    = regexp.MustCompile(`^(>>?)"%TEMP%\\([^"]+)" echo ([A-Za-z0-9+/=]+)$`)
	desiredRE = regexp.MustCompile(`<rsp:DesiredStream CommandId="([^"]+)"`)
)

const (
	nsDecl = `xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" ` +
		`xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"`
	shellNS    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
	transferNS = "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
	faultAct   = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
)

func envelope(action, body string) string {
	return `<s:Envelope xml:lang="en-US" ` + nsDecl + `><s:Header><a:Action>` + action + `</a:Action>` +
		`<a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

// ServeHTTP plays the WinRS exchange.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if s.opt.NTLM && !s.authenticate(w, r) {
		return
	}
	if s.opt.Mode == Unauthorized {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if len(body) == 0 {
		// The HTTP transport's NTLM message-encryption handshake starts with
		// an empty POST; refusing it makes the client fall back to plain
		// (unencrypted) NTLM requests, which this fake answers.
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	m := actionRE.FindSubmatch(body)
	if m == nil {
		http.Error(w, "no action", http.StatusBadRequest)
		return
	}
	action := string(m[1])
	s.mu.Lock()
	s.requests++
	s.actions = append(s.actions, action[strings.LastIndex(action, "/")+1:])
	s.mu.Unlock()

	var resp string
	switch action {
	case transferNS + "Create":
		if s.opt.Mode == HangCreate {
			s.wait(r)
			return
		}
		resp = envelope(transferNS+"CreateResponse",
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
		resp = envelope(shellNS+"CommandResponse", `<rsp:CommandResponse><rsp:CommandId>`+s.command(string(cm[1]))+`</rsp:CommandId></rsp:CommandResponse>`)
	case shellNS + "Receive":
		switch s.opt.Mode {
		case HangReceive:
			s.wait(r)
			return
		case ReceiveFault:
			fault(w, `<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request. The shell was not found.</s:Text></s:Reason></s:Fault>`)
			return
		}
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
		n := c.receives
		if s.opt.Mode == ReceiveTimedOutOnce && c.final {
			if n == 1 {
				fault(w, `<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code>`+
					`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.</s:Text></s:Reason>`+
					`<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="sqln1"><f:Message></f:Message></f:WSManFault></s:Detail></s:Fault>`)
				return
			}
			n--
		}
		resp = envelope(shellNS+"ReceiveResponse", s.receive(string(dm[1]), c.final, n))
	case shellNS + "Signal":
		resp = envelope(shellNS+"SignalResponse", `<rsp:SignalResponse/>`)
	case transferNS + "Delete":
		resp = envelope(transferNS+"DeleteResponse", ``)
	default:
		http.Error(w, "unknown action "+action, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	io.WriteString(w, resp)
}

// command records a command line (and what a staging echo writes) and
// returns its CommandId.
func (s *Server) command(line string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = append(s.commands, line)
	id := fmt.Sprintf("AAAAAAAA-BBBB-CCCC-DDDD-%012d", len(s.commands))
	c := &command{final: strings.HasPrefix(line, "powershell.exe ")}
	s.cmds[id] = c
	if em := echoRE.FindStringSubmatch(line); em != nil {
		if em[1] == ">" || s.files[em[2]] == nil {
			s.files[em[2]] = &bytes.Buffer{}
		}
		s.files[em[2]].WriteString(em[3] + "\r\n")
	} else if !c.final && s.opt.T != nil {
		s.opt.T.Errorf("unexpected command %.200s", line)
	}
	return id
}

// receive is the body of the n-th ReceiveResponse for command id: an echo is
// Done at once; the PowerShell command prints the first half of Stdout and
// is Running, then the rest with Stderr and is Done with ExitCode.
func (s *Server) receive(id string, final bool, n int) string {
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	half := len(s.opt.Stdout) / 2
	switch {
	case !final:
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`)
	case n == 1:
		stream(&b, id, "stdout", s.opt.Stdout[:half])
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Running"></rsp:CommandState>`)
	default:
		stream(&b, id, "stdout", s.opt.Stdout[half:])
		stream(&b, id, "stderr", s.opt.Stderr)
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Done">`)
		b.WriteString(`<rsp:ExitCode>` + strconv.Itoa(s.opt.ExitCode) + `</rsp:ExitCode></rsp:CommandState>`)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return b.String()
}

func fault(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, envelope(faultAct, body))
}

func (s *Server) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.release:
	}
}

func stream(b *strings.Builder, id, name string, data []byte) {
	// Real servers split output into many Stream elements.
	for len(data) > 0 {
		n := min(len(data), 4096)
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + id + `">`)
		b.WriteString(base64.StdEncoding.EncodeToString(data[:n]))
		b.WriteString(`</rsp:Stream>`)
		data = data[n:]
	}
}

// authenticate plays the server side of an NTLM handshake in Negotiate
// headers: no Authorization -> 401 "Negotiate"; NEGOTIATE (type 1) -> 401
// with a CHALLENGE (type 2); AUTHENTICATE (type 3) -> the request goes on.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	msg, err := base64.StdEncoding.DecodeString(tok)
	if (scheme != "Negotiate" && scheme != "NTLM") || err != nil || len(msg) < 12 || string(msg[:8]) != "NTLMSSP\x00" {
		w.Header().Set("WWW-Authenticate", "Negotiate")
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	switch msg[8] {
	case 1:
		s.mu.Lock()
		s.ntlmConn = r.RemoteAddr
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(challengeMessage()))
		w.WriteHeader(http.StatusUnauthorized)
		return false
	case 3:
		if len(msg) < 44 {
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		field := func(at int) string {
			l := int(binary.LittleEndian.Uint16(msg[at:]))
			off := int(binary.LittleEndian.Uint32(msg[at+4:]))
			if off+l > len(msg) {
				return "?"
			}
			u := make([]uint16, l/2)
			for i := range u {
				u[i] = binary.LittleEndian.Uint16(msg[off+2*i:])
			}
			return string(utf16.Decode(u))
		}
		s.mu.Lock()
		s.ntlm = append(s.ntlm, NTLMAuth{User: field(28) + `\` + field(36), SameConn: s.ntlmConn == r.RemoteAddr})
		s.mu.Unlock()
		return true
	}
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

// challengeMessage is an NTLM CHALLENGE from domain CONTOSO: Unicode, NTLM,
// extended session security, target info (just MsvAvEOL); no LM key, no key
// exchange.
func challengeMessage() []byte {
	target := []byte{}
	for _, r := range "CONTOSO" {
		target = append(target, byte(r), 0)
	}
	b := make([]byte, 48, 48+len(target)+4)
	copy(b, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(b[8:], 2)
	binary.LittleEndian.PutUint16(b[12:], uint16(len(target))) // TargetName
	binary.LittleEndian.PutUint16(b[14:], uint16(len(target)))
	binary.LittleEndian.PutUint32(b[16:], 48)
	binary.LittleEndian.PutUint32(b[20:], 0x00000001|0x00000004|0x00000200|0x00010000|0x00080000|0x00800000)
	copy(b[24:32], "chal1234")
	binary.LittleEndian.PutUint16(b[40:], 4) // TargetInfo
	binary.LittleEndian.PutUint16(b[42:], 4)
	binary.LittleEndian.PutUint32(b[44:], uint32(48+len(target)))
	b = append(b, target...)
	return append(b, 0, 0, 0, 0)
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
