package winrm

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
)

// fakeWSMan is an httptest WS-Management endpoint that plays the WinRS
// exchange the client drives: shell Create, Command, Send (stdin), Receive
// (base64 stdout/stderr streams, until CommandState Done with an ExitCode),
// Signal and Delete. It records every action and the stdin it was sent.
type fakeWSMan struct {
	t *testing.T

	// stdout is what the command prints (split over two Receives); stderr
	// and exitCode come with the last one.
	stdout   []byte
	stderr   []byte
	exitCode int
	// mode: "" (answer), "401" (every request), "hang-create" (never answer
	// the shell Create), "hang-receive" (never answer a Receive).
	mode string

	// ntlmUsers are the DOMAIN\\user of every NTLM AUTHENTICATE message
	// (mode "ntlm"), and ntlmSameConn whether each came on the connection of
	// its NEGOTIATE (NTLM authenticates connections, not requests).
	ntlmUsers    []string
	ntlmSameConn []bool
	ntlmConn     string

	mu       sync.Mutex
	actions  []string
	commands []string
	// files are what `>"%TEMP%\name" echo ...` commands wrote.
	files   map[string]*bytes.Buffer
	cmds    map[string]*fakeCommand
	release chan struct{}
}

type fakeCommand struct {
	final    bool // the PowerShell command (else an echo that prints nothing)
	receives int
}

func newFake(t *testing.T, stdout []byte) *fakeWSMan {
	return &fakeWSMan{t: t, stdout: stdout, files: map[string]*bytes.Buffer{}, cmds: map[string]*fakeCommand{}, release: make(chan struct{})}
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
	shellNS = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
)

func envelope(action, body string) string {
	return `<s:Envelope xml:lang="en-US" ` + nsDecl + `><s:Header><a:Action>` + action + `</a:Action>` +
		`<a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

func (f *fakeWSMan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if f.mode == "ntlm" && !f.ntlm(w, r) {
		return
	}
	if f.mode == "401" {
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
	f.mu.Lock()
	f.actions = append(f.actions, action[strings.LastIndex(action, "/")+1:])
	f.mu.Unlock()

	var resp string
	switch action {
	case "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create":
		if f.mode == "hang-create" {
			f.wait(r)
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
		line := string(cm[1])
		f.mu.Lock()
		f.commands = append(f.commands, line)
		id := fmt.Sprintf("AAAAAAAA-BBBB-CCCC-DDDD-%012d", len(f.commands))
		c := &fakeCommand{final: strings.HasPrefix(line, "powershell.exe ")}
		f.cmds[id] = c
		if em := echoRE.FindStringSubmatch(line); em != nil {
			if em[1] == ">" || f.files[em[2]] == nil {
				f.files[em[2]] = &bytes.Buffer{}
			}
			f.files[em[2]].WriteString(em[3] + "\r\n")
		} else if !c.final {
			f.t.Errorf("unexpected command %.200s", line)
		}
		f.mu.Unlock()
		resp = envelope(shellNS+"CommandResponse", `<rsp:CommandResponse><rsp:CommandId>`+id+`</rsp:CommandId></rsp:CommandResponse>`)
	case shellNS + "Receive":
		if f.mode == "hang-receive" {
			f.wait(r)
			return
		}
		if f.mode == "fault-receive" {
			w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault",
				`<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request. The shell was not found.</s:Text></s:Reason></s:Fault>`))
			return
		}
		dm := desiredRE.FindSubmatch(body)
		f.mu.Lock()
		var c *fakeCommand
		if dm != nil {
			c = f.cmds[string(dm[1])]
		}
		if c != nil {
			c.receives++
		}
		f.mu.Unlock()
		if c == nil {
			http.Error(w, "unknown command", http.StatusBadRequest)
			return
		}
		id := string(dm[1])
		if f.mode == "timedout-first" && c.final && c.receives == 1 {
			// what Windows answers when a Receive waited OperationTimeout
			// without output: HTTP 500 with a w:TimedOut fault
			w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault",
				`<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code>`+
					`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.</s:Text></s:Reason>`+
					`<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="sqln1"><f:Message></f:Message></f:WSManFault></s:Detail></s:Fault>`))
			return
		}
		n := c.receives
		if f.mode == "timedout-first" {
			n--
		}
		half := len(f.stdout) / 2
		var b strings.Builder
		b.WriteString(`<rsp:ReceiveResponse>`)
		if !c.final {
			b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`)
		} else if n == 1 {
			stream(&b, id, "stdout", f.stdout[:half])
			b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Running"></rsp:CommandState>`)
		} else {
			stream(&b, id, "stdout", f.stdout[half:])
			stream(&b, id, "stderr", f.stderr)
			b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + shellNS + `CommandState/Done">`)
			b.WriteString(`<rsp:ExitCode>` + itoa(f.exitCode) + `</rsp:ExitCode></rsp:CommandState>`)
		}
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

func (f *fakeWSMan) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-f.release:
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

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// staged returns the script the echo commands staged (gunzipped), and the
// file name.
func (f *fakeWSMan) staged() (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for name, b := range f.files {
		raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(b.String(), "\r\n", ""))
		if err != nil {
			return "", name, err
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return "", name, err
		}
		s, err := io.ReadAll(zr)
		return string(s), name, err
	}
	return "", "", fmt.Errorf("nothing staged")
}

func (f *fakeWSMan) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}

// ntlm plays the server side of an NTLM handshake in Negotiate headers: no
// Authorization -> 401 "Negotiate"; NEGOTIATE (type 1) -> 401 with a
// CHALLENGE (type 2); AUTHENTICATE (type 3) -> the request goes on.
func (f *fakeWSMan) ntlm(w http.ResponseWriter, r *http.Request) bool {
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
		f.mu.Lock()
		f.ntlmConn = r.RemoteAddr
		f.mu.Unlock()
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
		f.mu.Lock()
		f.ntlmUsers = append(f.ntlmUsers, field(28)+`\`+field(36))
		f.ntlmSameConn = append(f.ntlmSameConn, f.ntlmConn == r.RemoteAddr)
		f.mu.Unlock()
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
