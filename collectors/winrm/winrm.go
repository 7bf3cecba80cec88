// Package winrm collects a node remotely: it runs the embedded PowerShell 5.1
// fact script (collect-node.ps1) over WS-Management with
// github.com/masterzen/winrm, decodes the one JSON document it prints, and
// writes the node's part of the bundle with collectors/nodebundle (the same
// writer as the local collector).
//
// Transport and authentication (masterzen/winrm v0.0.0-20240702205601-3fad6e106085):
//
//   - https + ntlm / negotiate: NTLMv2 through go-ntlmssp (it answers both
//     "WWW-Authenticate: NTLM" and "Negotiate" with NTLM tokens, per request,
//     on a kept-alive connection); TLS is verified against the system roots
//     or the inventory's ca_file. go-ntlmssp authenticates in the domain the
//     server names in its challenge; the user's DOMAIN\ prefix only says a
//     domain account is meant.
//   - http + ntlm / negotiate: NTLM with WinRM message encryption (the
//     library's Encryption transport), which Windows requires by default on
//     plain HTTP.
//   - https + kerberos: SPNEGO/Kerberos through gokrb5 (password from the
//     environment, or a credential cache; krb5.conf from krb5_conf or
//     /etc/krb5.conf). Kerberos over plain HTTP is not supported by the
//     library (no Kerberos message encryption), and the inventory rejects it.
//
// The script does not fit a command line (cmd.exe's 8191 characters), so it
// is staged, gzipped and base64, in a %TEMP% file by a few `echo` commands,
// and a small -EncodedCommand bootstrap reads it, deletes it and runs it.
//
// Every node has a timeout that bounds the whole exchange: connections are
// closed when it expires, and the call returns even if the library is still
// blocked in a request.
package winrm

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	mz "github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/inventory"
	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
)

// Script is collect-node.ps1, the fact script run on each node.
//
//go:embed collect-node.ps1
var Script string

// Output markers around the base64 fact document.
const (
	BeginMarker = "SSISHALINT-BEGIN"
	EndMarker   = "SSISHALINT-END"
)

// DefaultTimeout bounds one node when the target sets none.
const DefaultTimeout = 2 * time.Minute

// Target is one node reached over WinRM.
type Target struct {
	// Node is the node name (the bundle's <NODE>).
	Node string
	Host string
	// Port defaults to 5986 (https) or 5985 (http).
	Port  int
	HTTPS bool
	// Auth is "ntlm" (default), "negotiate" or "kerberos".
	Auth     string
	User     string
	Password string
	// CACert is PEM; nil uses the system roots.
	CACert        []byte
	TLSServerName string
	// Insecure skips TLS verification (tests only; the inventory has no such key).
	Insecure bool
	// Kerberos.
	Realm      string
	Krb5Conf   string
	Krb5CCache string
	SPN        string

	// Timeout bounds the whole collection of this node.
	Timeout time.Duration
}

// TargetFromInventory builds the target of an inventory node reached over
// WinRM, reading credentials from the environment variables it names
// (lookup is os.LookupEnv when nil) and the CA file it names.
func TargetFromInventory(n *inventory.Node, lookup func(string) (string, bool)) (Target, error) {
	if n == nil || n.WinRM == nil {
		return Target{}, errors.New("node is not reached over WinRM")
	}
	w := n.WinRM
	t := Target{Node: n.Name, Host: w.Host, Port: w.Port, HTTPS: w.HTTPS(), Auth: w.Auth, TLSServerName: w.TLSServerName,
		Realm: w.Realm, Krb5Conf: w.Krb5Conf, Krb5CCache: w.Krb5CCache, SPN: w.SPN, Timeout: n.Timeout}
	user, pass, err := w.Credentials(lookup)
	if err != nil {
		return Target{}, fmt.Errorf("node %s: %w", n.Name, err)
	}
	t.User, t.Password = user, pass
	if w.CAFile != "" {
		b, err := os.ReadFile(w.CAFile)
		if err != nil {
			return Target{}, fmt.Errorf("node %s: ca_file: %w", n.Name, err)
		}
		t.CACert = b
	}
	return t, nil
}

func (t *Target) defaults() {
	if t.Auth == "" {
		t.Auth = "ntlm"
	}
	if t.Port == 0 {
		t.Port = 5985
		if t.HTTPS {
			t.Port = 5986
		}
	}
	if t.Timeout <= 0 {
		t.Timeout = DefaultTimeout
	}
}

func (t *Target) url() string {
	scheme := "http"
	if t.HTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/wsman", scheme, net.JoinHostPort(t.Host, fmt.Sprint(t.Port)))
}

// CollectNode collects the node and writes nodes/<NODE>/... under bundleDir.
// On error nothing is written and the caller records the node as not
// collected (bundle.json nodes[].error) with the error's text.
func CollectNode(ctx context.Context, bundleDir string, t Target) (string, *nodebundle.NodeArtifacts, error) {
	a, err := Collect(ctx, t)
	if err != nil {
		return "", nil, err
	}
	dir, err := nodebundle.WriteNode(bundleDir, a)
	return dir, a, err
}

// Collect runs the fact script on the node and decodes its document. The
// artifacts' Name is t.Node (when set), so the bundle uses the inventory's
// name for the node directory.
func Collect(ctx context.Context, t Target) (*nodebundle.NodeArtifacts, error) {
	t.defaults()
	if t.Host == "" {
		return nil, errors.New("WinRM: no host")
	}
	if t.Auth == "kerberos" && !t.HTTPS {
		return nil, errors.New("WinRM: kerberos needs https (this WinRM library encrypts plain-HTTP messages only with NTLM)")
	}
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()

	type result struct {
		stdout, stderr string
		code           int
		err            error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("WinRM client panic: %v", r)}
			}
		}()
		stdout, stderr, code, err := run(ctx, t)
		done <- result{stdout, stderr, code, err}
	}()

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, describe(t, ctx.Err(), ctx)
	}
	if r.err != nil {
		return nil, describe(t, r.err, ctx)
	}
	payload, err := extract(r.stdout)
	if err != nil {
		msg := err.Error()
		if r.code != 0 {
			msg = fmt.Sprintf("the fact script exited with code %d", r.code)
		}
		if e := cleanStderr(r.stderr); e != "" {
			msg += ": " + e
		}
		return nil, fmt.Errorf("WinRM %s: %s", t.url(), msg)
	}
	a, err := nodebundle.DecodeDocument(payload)
	if err != nil {
		return nil, fmt.Errorf("WinRM %s: %w", t.url(), err)
	}
	if t.Node != "" {
		a.Name = strings.ToUpper(t.Node)
	}
	return a, nil
}

// run performs the WS-Management exchange: one shell; a few `echo` commands
// that stage the gzipped, base64 script in a file under %TEMP% (cmd.exe
// limits a command line to 8191 characters); the PowerShell bootstrap that
// reads the file, deletes it and runs the script; then the shell is deleted.
//
// The script is not sent on stdin: the library posts stdin (Send) from one
// goroutine while another polls output (Receive), and its HTTP
// message-encryption transport keeps per-request NTLM state unguarded (a
// data race; on a real server it would break the sealing sequence). Staging
// keeps every request of a shell sequential.
func run(ctx context.Context, t Target) (string, string, int, error) {
	client, err := newClient(ctx, t)
	if err != nil {
		return "", "", 1, err
	}
	shell, err := client.CreateShell()
	if err != nil {
		return "", "", 1, err
	}
	defer shell.Close()

	name, cmds := stageCommands(Script)
	for i, c := range cmds {
		_, stderr, code, err := execute(ctx, shell, c)
		if err != nil {
			return "", "", 1, fmt.Errorf("staging the fact script (%d/%d): %w", i+1, len(cmds), err)
		}
		if code != 0 {
			return "", stderr, code, fmt.Errorf("staging the fact script in %%TEMP%%\\%s failed with code %d: %s", name, code, cleanStderr(stderr))
		}
	}
	return execute(ctx, shell, BootstrapCommand(name))
}

func newClient(ctx context.Context, t Target) (*mz.Client, error) {
	dial := func(network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: min(t.Timeout, 30*time.Second), KeepAlive: 30 * time.Second}
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newCtxConn(ctx, c), nil
	}
	// A Receive long-polls for up to the operation timeout; keep it well
	// inside the node timeout.
	op := t.Timeout / 2
	if op > 20*time.Second {
		op = 20 * time.Second
	}
	if op < time.Second {
		op = time.Second
	}
	params := mz.NewParameters(fmt.Sprintf("PT%dS", int(op/time.Second)), "en-US", 153600)
	params.Dial = dial
	switch {
	case t.Auth == "kerberos":
		conf := t.Krb5Conf
		if conf == "" {
			conf = "/etc/krb5.conf"
		}
		settings := &mz.Settings{WinRMUsername: t.User, WinRMPassword: t.Password, WinRMHost: t.Host, WinRMPort: t.Port,
			WinRMProto: "https", WinRMInsecure: t.Insecure, KrbRealm: t.Realm, KrbConfig: conf, KrbSpn: t.SPN, KrbCCache: t.Krb5CCache}
		params.TransportDecorator = func() mz.Transporter { return mz.NewClientKerberos(settings) }
	case t.HTTPS:
		params.TransportDecorator = func() mz.Transporter { return mz.NewClientNTLMWithDial(dial) }
	default:
		params.TransportDecorator = func() mz.Transporter {
			enc, err := mz.NewEncryption("ntlm")
			if err != nil {
				panic(err) // "ntlm" is always supported
			}
			return enc
		}
	}
	inner := params.TransportDecorator
	params.TransportDecorator = func() mz.Transporter { return faultCheck{inner()} }
	ep := mz.NewEndpoint(t.Host, t.Port, t.HTTPS, t.Insecure, t.CACert, nil, nil, op+10*time.Second)
	ep.TLSServerName = t.TLSServerName
	return mz.NewClientWithParameters(ep, t.User, t.Password, params)
}

// execute runs one command in the shell and collects its output. Requests
// stay sequential: only the library's output loop posts until it is done.
func execute(ctx context.Context, shell *mz.Shell, command string) (string, string, int, error) {
	cmd, err := shell.ExecuteWithContext(ctx, command)
	if err != nil {
		return "", "", 1, err
	}
	var stdout, stderr bytes.Buffer
	var outErr error
	var wg sync.WaitGroup
	wg.Add(2)
	// A failed Receive closes the output pipes with its error: that is how
	// the library reports it outside RunWithContext.
	go func() { defer wg.Done(); _, outErr = io.Copy(&stdout, cmd.Stdout) }()
	go func() { defer wg.Done(); _, _ = io.Copy(&stderr, cmd.Stderr) }()
	cmd.Wait()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return "", "", 1, err
	}
	// Signal (terminate) is how WinRS releases a finished command.
	_ = cmd.Close()
	if outErr != nil {
		return stdout.String(), stderr.String(), 1, fmt.Errorf("receiving output: %w", outErr)
	}
	return stdout.String(), stderr.String(), cmd.ExitCode(), nil
}

// stageChunk is the base64 carried by one echo command (well under cmd.exe's
// 8191-character command line).
const stageChunk = 6000

// stageCommands returns the temp file name and the cmd.exe commands that
// write the gzipped, base64 script into %TEMP%\<name>.
func stageCommands(script string) (string, []string) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte(script))
	_ = zw.Close()
	b64 := base64.StdEncoding.EncodeToString(buf.Bytes())
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	name := "ssis-ha-lint-" + hex.EncodeToString(rnd[:]) + ".b64"
	var cmds []string
	for i := 0; len(b64) > 0; i++ {
		n := min(len(b64), stageChunk)
		redir := ">>"
		if i == 0 {
			redir = ">"
		}
		// Redirection first: a chunk ending in a digit must not read as "2>>".
		cmds = append(cmds, redir+`"%TEMP%\`+name+`" echo `+b64[:n])
		b64 = b64[n:]
	}
	return name, cmds
}

// bootstrap reads the staged script, deletes the file and runs the script
// (PowerShell 5.1). %s is the file name under $env:TEMP.
const bootstrap = `$ErrorActionPreference = 'Stop'; ` +
	`$p = Join-Path $env:TEMP '%s'; ` +
	`try { $t = [System.IO.File]::ReadAllText($p) } finally { Remove-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue }; ` +
	`$b = [System.Convert]::FromBase64String(($t -replace '\s', '')); ` +
	`$ms = New-Object System.IO.MemoryStream(,$b); ` +
	`$gz = New-Object System.IO.Compression.GZipStream($ms, [System.IO.Compression.CompressionMode]::Decompress); ` +
	`$s = (New-Object System.IO.StreamReader($gz, [System.Text.Encoding]::UTF8)).ReadToEnd(); ` +
	`& ([scriptblock]::Create($s))`

// BootstrapCommand is the command line that runs the script staged in
// %TEMP%\<name>.
func BootstrapCommand(name string) string {
	return "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand " + encodePS(fmt.Sprintf(bootstrap, name))
}

func encodePS(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// extract returns the decoded document between the markers.
func extract(stdout string) ([]byte, error) {
	i := strings.Index(stdout, BeginMarker)
	if i < 0 {
		return nil, errors.New("the fact script printed no document")
	}
	rest := stdout[i+len(BeginMarker):]
	j := strings.Index(rest, EndMarker)
	if j < 0 {
		return nil, errors.New("the fact document is truncated (no end marker)")
	}
	b64 := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, rest[:j])
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("the fact document is not valid base64: %w", err)
	}
	return data, nil
}

// cleanStderr turns PowerShell's stderr (often CLIXML) into a short message.
func cleanStderr(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "#< CLIXML"))
	if strings.HasPrefix(s, "<Objs") {
		var parts []string
		for _, seg := range strings.Split(s, `<S S="Error">`)[1:] {
			if k := strings.Index(seg, "</S>"); k >= 0 {
				parts = append(parts, strings.ReplaceAll(seg[:k], "_x000D__x000A_", " "))
			}
		}
		s = strings.Join(parts, "")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}

// describe makes transport errors readable.
func describe(t Target, err error, ctx context.Context) error {
	msg := err.Error()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("WinRM %s: timed out after %v", t.url(), t.Timeout)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("WinRM %s: canceled", t.url())
	case httpStatus(msg, "401"):
		return fmt.Errorf("WinRM %s: authentication failed (HTTP 401) for user %q with %s: check user_env/password_env and that the account may use WinRM", t.url(), t.User, t.Auth)
	case httpStatus(msg, "403"):
		return fmt.Errorf("WinRM %s: access denied (HTTP 403) for user %q", t.url(), t.User)
	}
	return fmt.Errorf("WinRM %s: %v", t.url(), err)
}

// ctxConn closes its connection when the context ends, so a request blocked
// on a silent peer returns.
type ctxConn struct {
	net.Conn
	stop func() bool
	once sync.Once
}

func newCtxConn(ctx context.Context, c net.Conn) net.Conn {
	cc := &ctxConn{Conn: c}
	cc.stop = context.AfterFunc(ctx, func() { c.Close() })
	return cc
}

func (c *ctxConn) Close() error {
	c.once.Do(func() { c.stop() })
	return c.Conn.Close()
}

// httpStatus reports whether a library error message is about an HTTP status
// ("http error 401", "http response error: 401 - ...", "request returned: 401 - ...").
func httpStatus(msg, code string) bool {
	for _, p := range []string{"error " + code, "error: " + code, "returned: " + code, code + " Unauthorized", code + " Forbidden"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// faultCheck turns WS-Management faults into errors. masterzen/winrm's
// transports return a SOAP fault that comes with HTTP 500 as a normal body
// (their status check runs in a defer that cannot change the result), so a
// fatal fault ("the shell was not found") would make the output loop poll
// until the node's timeout. The Receive timeout fault (w:TimedOut, code
// 2150858793) stays a normal answer: the loop polls again, as it should.
type faultCheck struct {
	mz.Transporter
}

var (
	faultRE     = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Fault[\s>]`)
	faultTextRE = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?(?:Text|Message)(?:\s[^>]*)?>([^<]+)<`)
)

func (f faultCheck) Post(c *mz.Client, m *soap.SoapMessage) (string, error) {
	body, err := f.Transporter.Post(c, m)
	if err != nil || !faultRE.MatchString(body) {
		return body, err
	}
	if strings.Contains(body, "TimedOut") || strings.Contains(body, "2150858793") {
		return body, nil
	}
	msg := "WS-Management fault"
	if t := faultTextRE.FindStringSubmatch(body[faultRE.FindStringIndex(body)[0]:]); t != nil {
		msg += ": " + strings.Join(strings.Fields(html.UnescapeString(t[1])), " ")
	}
	return "", errors.New(msg)
}
