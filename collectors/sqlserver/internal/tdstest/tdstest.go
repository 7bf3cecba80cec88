// Package tdstest is a minimal MS-TDS 7.4 responder for tests: it listens on
// 127.0.0.1, answers PRELOGIN (encryption not supported, so clients must use
// encrypt=disable) and LOGIN7, and serves recorded result sets for SQL batch
// and RPC (sp_executesql) requests by matching the query text.
//
// It speaks just enough of the protocol for github.com/microsoft/go-mssqldb to
// run unmodified against it: COLMETADATA/ROW/DONE tokens with INTN, BITN,
// NVARCHAR (incl. max), BIGVARBINARY, GUIDTYPE, DATETIMN, DATETIME2N and
// DATETIMEOFFSETN columns, NULLs, ERROR tokens, slow answers (honouring
// ATTENTION), dropped connections and silent peers.
//
// It is test-only: nothing outside tests imports it.
package tdstest

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
)

// Type is a column type of a recorded result set.
type Type int

// Column types; each maps to one TDS type.
const (
	TinyInt          Type = iota // INTN(1)
	Int                          // INTN(4)
	BigInt                       // INTN(8)
	Bit                          // BITN
	NVarChar                     // NVARCHAR(4000)
	NVarCharMax                  // NVARCHAR(max), PLP encoded
	VarBinary                    // VARBINARY(8000)
	UniqueIdentifier             // GUIDTYPE
	DateTime                     // DATETIMN(8)
	DateTime2                    // DATETIME2N(7)
	DateTimeOffset               // DATETIMEOFFSETN(7)
)

// Column is one column of a result set.
type Column struct {
	Name string
	Type Type
}

// ResultSet is a recorded answer. Row values by column type:
// integers (int, int64), bool, string, []byte, GUID as its canonical string,
// time.Time (DateTimeOffset keeps the value's zone offset), nil for NULL.
type ResultSet struct {
	Columns []Column
	Rows    [][]any
}

// Error is a server error (ERROR token).
type Error struct {
	Number  int32
	State   uint8
	Class   uint8
	Message string
}

// Response is what the server does with one request.
type Response struct {
	Results []ResultSet
	Error   *Error
	Delay   time.Duration // answer after this long (an ATTENTION cancels it)
	Drop    bool          // close the connection instead of answering
	Hang    bool          // never answer (until ATTENTION or close)
}

// Request is one statement the client sent.
type Request struct {
	RPC    bool           // sent as RPC (sp_executesql) rather than SQL batch
	Proc   string         // RPC procedure name or "sp_executesql" for id 10
	SQL    string         // batch text, or sp_executesql's statement
	Params map[string]any // RPC parameters by name (without '@'), except statement/declarations
}

// Login is what the client sent in LOGIN7.
type Login struct {
	User, Password, Database, AppName, ServerName string
	SSPI                                          bool
}

// Server is a running responder.
type Server struct {
	// ServerName is reported in tokens; defaults to "FAKESQL".
	ServerName string
	// Handler answers a request. Defaults to an error 208 (invalid object).
	Handler func(Request) Response
	// CheckLogin accepts or refuses a login; nil accepts everybody.
	CheckLogin func(Login) *Error
	// Silent accepts TCP connections but never reads or answers anything.
	Silent bool
	// PreloginDelay delays the PRELOGIN answer.
	PreloginDelay time.Duration

	ln     net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	reqs   []Request
	logins []Login
	wg     sync.WaitGroup
	closed bool
}

// Start listens on 127.0.0.1:0 and serves until Close.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if s.ServerName == "" {
		s.ServerName = "FAKESQL"
	}
	s.ln = ln
	s.conns = map[net.Conn]struct{}{}
	s.wg.Add(1)
	go s.accept()
	return nil
}

// Addr is host:port of the listener.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the listener's TCP port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Requests returns every statement received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Logins returns every LOGIN7 received so far.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Login(nil), s.logins...)
}

// Close stops listening, drops every connection and waits for the handlers.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				c.Close()
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			}()
			if s.Silent {
				io.Copy(io.Discard, c) // until the client or Close drops it
				return
			}
			_ = s.serve(c)
		}()
	}
}

// TDS packet types.
const (
	pktBatch     = 1
	pktRPC       = 3
	pktReply     = 4
	pktAttention = 6
	pktLogin7    = 16
	pktPrelogin  = 18
)

const packetSize = 4096

type message struct {
	typ     byte
	payload []byte
	err     error
}

// readMessage reads packets until end-of-message.
func readMessage(r io.Reader) (byte, []byte, error) {
	var payload []byte
	var typ byte
	for {
		var h [8]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return 0, nil, err
		}
		typ = h[0]
		n := int(binary.BigEndian.Uint16(h[2:4]))
		if n < 8 {
			return 0, nil, errors.New("tdstest: short packet")
		}
		buf := make([]byte, n-8)
		if _, err := io.ReadFull(r, buf); err != nil {
			return 0, nil, err
		}
		payload = append(payload, buf...)
		if h[1]&0x01 != 0 {
			return typ, payload, nil
		}
	}
}

// writeMessage splits payload into packets of at most packetSize bytes.
func writeMessage(w io.Writer, typ byte, payload []byte) error {
	var out bytes.Buffer
	seq := byte(1)
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), packetSize-8)
		status := byte(0)
		if n == len(payload) {
			status = 1
		}
		var h [8]byte
		h[0] = typ
		h[1] = status
		binary.BigEndian.PutUint16(h[2:4], uint16(n+8))
		binary.BigEndian.PutUint16(h[4:6], 51) // spid
		h[6] = seq
		seq++
		out.Write(h[:])
		out.Write(payload[:n])
		payload = payload[n:]
	}
	_, err := w.Write(out.Bytes())
	return err
}

func (s *Server) serve(c net.Conn) error {
	// PRELOGIN
	typ, _, err := readMessage(c)
	if err != nil {
		return err
	}
	if typ != pktPrelogin {
		return fmt.Errorf("tdstest: expected PRELOGIN, got packet type %d", typ)
	}
	if s.PreloginDelay > 0 {
		time.Sleep(s.PreloginDelay)
	}
	if err := writeMessage(c, pktReply, preloginReply()); err != nil {
		return err
	}
	// LOGIN7
	typ, payload, err := readMessage(c)
	if err != nil {
		return err
	}
	if typ != pktLogin7 {
		return fmt.Errorf("tdstest: expected LOGIN7, got packet type %d", typ)
	}
	login, err := parseLogin7(payload)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.logins = append(s.logins, login)
	s.mu.Unlock()
	var lerr *Error
	if s.CheckLogin != nil {
		lerr = s.CheckLogin(login)
	} else if login.SSPI {
		lerr = &Error{Number: 18452, State: 1, Class: 14, Message: "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication."}
	}
	if lerr != nil {
		var t tokens
		t.errorToken(*lerr, s.ServerName)
		t.done(0x02, 0, 0)
		_ = writeMessage(c, pktReply, t.Bytes())
		return nil
	}
	db := login.Database
	if db == "" {
		db = "master"
	}
	var t tokens
	t.envChange(1, db, "master")
	t.loginAck()
	t.envChange(4, fmt.Sprint(packetSize), fmt.Sprint(packetSize))
	t.done(0, 0, 0)
	if err := writeMessage(c, pktReply, t.Bytes()); err != nil {
		return err
	}

	// Requests. A reader goroutine lets a slow answer notice ATTENTION.
	msgs := make(chan message, 4)
	go func() {
		for {
			typ, payload, err := readMessage(c)
			msgs <- message{typ, payload, err}
			if err != nil {
				close(msgs)
				return
			}
		}
	}()
	for m := range msgs {
		if m.err != nil {
			return m.err
		}
		var req Request
		switch m.typ {
		case pktAttention:
			var t tokens
			t.done(0x20, 0, 0)
			if err := writeMessage(c, pktReply, t.Bytes()); err != nil {
				return err
			}
			continue
		case pktBatch:
			req, err = parseBatch(m.payload)
		case pktRPC:
			req, err = parseRPC(m.payload)
		default:
			return fmt.Errorf("tdstest: unexpected packet type %d", m.typ)
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, req)
		s.mu.Unlock()
		resp := Response{Error: &Error{Number: 208, State: 1, Class: 16, Message: "Invalid object name (no recorded answer)."}}
		if s.Handler != nil {
			resp = s.Handler(req)
		}
		if resp.Drop {
			return nil
		}
		if resp.Hang || resp.Delay > 0 {
			var timer <-chan time.Time
			if !resp.Hang {
				timer = time.After(resp.Delay)
			}
			select {
			case <-timer:
			case m, ok := <-msgs:
				if !ok || m.err != nil {
					return nil
				}
				if m.typ == pktAttention {
					var t tokens
					t.done(0x20, 0, 0)
					if err := writeMessage(c, pktReply, t.Bytes()); err != nil {
						return err
					}
					continue
				}
				return fmt.Errorf("tdstest: request during a pending answer (type %d)", m.typ)
			}
		}
		body, err := encodeResponse(resp, s.ServerName)
		if err != nil {
			// a fixture mistake: answer with an error so the test sees it
			var t tokens
			t.errorToken(Error{Number: 50000, State: 1, Class: 16, Message: "tdstest: " + err.Error()}, s.ServerName)
			t.done(0x02, 0, 0)
			body = t.Bytes()
		}
		if err := writeMessage(c, pktReply, body); err != nil {
			return err
		}
	}
	return nil
}

func preloginReply() []byte {
	// options: VERSION(0) 6 bytes, ENCRYPTION(1) 1 byte, INSTOPT(2) 1 byte, MARS(4) 1 byte
	type opt struct {
		tok  byte
		data []byte
	}
	opts := []opt{
		{0, []byte{16, 0, 0x10, 0x5F, 0, 0}}, // 16.0.4191
		{1, []byte{2}},                       // ENCRYPT_NOT_SUP
		{2, []byte{0}},
		{4, []byte{0}},
	}
	off := 5*len(opts) + 1
	var hdr, data bytes.Buffer
	for _, o := range opts {
		hdr.WriteByte(o.tok)
		binary.Write(&hdr, binary.BigEndian, uint16(off+data.Len()))
		binary.Write(&hdr, binary.BigEndian, uint16(len(o.data)))
		data.Write(o.data)
	}
	hdr.WriteByte(0xFF)
	hdr.Write(data.Bytes())
	return hdr.Bytes()
}

func ucs2(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, v := range u {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

func fromUCS2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func parseLogin7(p []byte) (Login, error) {
	if len(p) < 94 {
		return Login{}, errors.New("tdstest: LOGIN7 too short")
	}
	field := func(at int, mangled bool) (string, error) {
		off := int(binary.LittleEndian.Uint16(p[at:]))
		n := int(binary.LittleEndian.Uint16(p[at+2:])) * 2
		if off+n > len(p) {
			return "", errors.New("tdstest: LOGIN7 field out of range")
		}
		b := append([]byte(nil), p[off:off+n]...)
		if mangled {
			for i, v := range b {
				v ^= 0xA5
				b[i] = v<<4 | v>>4
			}
		}
		return fromUCS2(b), nil
	}
	var l Login
	var err error
	if l.User, err = field(40, false); err != nil {
		return l, err
	}
	if l.Password, err = field(44, true); err != nil {
		return l, err
	}
	if l.AppName, err = field(48, false); err != nil {
		return l, err
	}
	if l.ServerName, err = field(52, false); err != nil {
		return l, err
	}
	if l.Database, err = field(68, false); err != nil {
		return l, err
	}
	l.SSPI = binary.LittleEndian.Uint16(p[80:]) > 0
	return l, nil
}

func skipAllHeaders(p []byte) ([]byte, error) {
	if len(p) < 4 {
		return nil, errors.New("tdstest: missing ALL_HEADERS")
	}
	n := int(binary.LittleEndian.Uint32(p))
	if n < 4 || n > len(p) {
		return nil, errors.New("tdstest: bad ALL_HEADERS length")
	}
	return p[n:], nil
}

func parseBatch(p []byte) (Request, error) {
	body, err := skipAllHeaders(p)
	if err != nil {
		return Request{}, err
	}
	return Request{SQL: fromUCS2(body)}, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errors.New("tdstest: truncated RPC request")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() byte {
	v := r.take(1)
	if v == nil {
		return 0
	}
	return v[0]
}

func (r *reader) u16() uint16 {
	v := r.take(2)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(v)
}

func (r *reader) u32() uint32 {
	v := r.take(4)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(v)
}

func (r *reader) u64() uint64 {
	v := r.take(8)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

func parseRPC(p []byte) (Request, error) {
	body, err := skipAllHeaders(p)
	if err != nil {
		return Request{}, err
	}
	r := &reader{b: body}
	req := Request{RPC: true, Params: map[string]any{}}
	n := r.u16()
	if n == 0xFFFF {
		id := r.u16()
		if id != 10 {
			return req, fmt.Errorf("tdstest: unsupported RPC proc id %d", id)
		}
		req.Proc = "sp_executesql"
	} else {
		req.Proc = fromUCS2(r.take(int(n) * 2))
	}
	r.u16() // option flags
	for i := 0; len(r.b) > 0 && r.err == nil; i++ {
		name := fromUCS2(r.take(int(r.u8()) * 2))
		r.u8() // status flags
		v, err := readParamValue(r)
		if err != nil {
			return req, err
		}
		if r.err != nil {
			return req, r.err
		}
		switch {
		case req.Proc == "sp_executesql" && i == 0:
			s, _ := v.(string)
			req.SQL = s
		case req.Proc == "sp_executesql" && i == 1:
			// parameter declarations
		default:
			req.Params[strings.TrimPrefix(name, "@")] = v
		}
	}
	return req, r.err
}

func readParamValue(r *reader) (any, error) {
	typ := r.u8()
	switch typ {
	case 0xE7, 0xA7, 0xA5, 0xAD, 0xEF: // NVARCHAR, BIGVARCHAR, BIGVARBIN, BIGBINARY, NCHAR
		maxLen := r.u16()
		if typ != 0xA5 && typ != 0xAD {
			r.take(5) // collation
		}
		var data []byte
		null := false
		if maxLen == 0xFFFF {
			total := r.u64()
			if total == 0xFFFFFFFFFFFFFFFF {
				null = true
			} else {
				for {
					chunk := r.u32()
					if chunk == 0 || r.err != nil {
						break
					}
					data = append(data, r.take(int(chunk))...)
				}
			}
		} else {
			n := r.u16()
			if n == 0xFFFF {
				null = true
			} else {
				data = r.take(int(n))
			}
		}
		if null {
			return nil, r.err
		}
		switch typ {
		case 0xE7, 0xEF:
			return fromUCS2(data), r.err
		case 0xA7:
			return string(data), r.err
		default:
			return append([]byte(nil), data...), r.err
		}
	case 0x26, 0x68, 0x6D, 0x24: // INTN, BITN, FLTN, GUID
		r.u8() // max size
		n := int(r.u8())
		if n == 0 {
			return nil, r.err
		}
		b := r.take(n)
		if r.err != nil {
			return nil, r.err
		}
		switch typ {
		case 0x26:
			switch n {
			case 1:
				return int64(b[0]), nil
			case 2:
				return int64(int16(binary.LittleEndian.Uint16(b))), nil
			case 4:
				return int64(int32(binary.LittleEndian.Uint32(b))), nil
			default:
				return int64(binary.LittleEndian.Uint64(b)), nil
			}
		case 0x68:
			return b[0] != 0, nil
		case 0x24:
			return guidString(b), nil
		default:
			return append([]byte(nil), b...), nil
		}
	default:
		return nil, fmt.Errorf("tdstest: unsupported RPC parameter type 0x%02X", typ)
	}
}

// tokens builds a token stream.
type tokens struct{ bytes.Buffer }

func (t *tokens) u16(v uint16) { binary.Write(t, binary.LittleEndian, v) }
func (t *tokens) u32(v uint32) { binary.Write(t, binary.LittleEndian, v) }
func (t *tokens) bvarchar(s string) {
	b := ucs2(s)
	t.WriteByte(byte(len(b) / 2))
	t.Write(b)
}

func (t *tokens) envChange(typ byte, newV, oldV string) {
	var b tokens
	b.WriteByte(typ)
	b.bvarchar(newV)
	b.bvarchar(oldV)
	t.WriteByte(0xE3)
	t.u16(uint16(b.Len()))
	t.Write(b.Bytes())
}

func (t *tokens) loginAck() {
	var b tokens
	b.WriteByte(1)                                         // SQL_TSQL
	binary.Write(&b, binary.BigEndian, uint32(0x74000004)) // TDS 7.4
	b.bvarchar("Microsoft SQL Server")
	b.Write([]byte{16, 0, 0x10, 0x5F}) // version 16.0.4191
	t.WriteByte(0xAD)
	t.u16(uint16(b.Len()))
	t.Write(b.Bytes())
}

func (t *tokens) done(status, curCmd uint16, rows uint64) {
	t.WriteByte(0xFD)
	t.u16(status)
	t.u16(curCmd)
	binary.Write(t, binary.LittleEndian, rows)
}

func (t *tokens) errorToken(e Error, server string) {
	var b tokens
	binary.Write(&b, binary.LittleEndian, e.Number)
	b.WriteByte(e.State)
	b.WriteByte(e.Class)
	msg := ucs2(e.Message)
	b.u16(uint16(len(msg) / 2))
	b.Write(msg)
	b.bvarchar(server)
	b.bvarchar("")
	b.u32(1)
	t.WriteByte(0xAA)
	t.u16(uint16(b.Len()))
	t.Write(b.Bytes())
}

func encodeResponse(resp Response, server string) ([]byte, error) {
	var t tokens
	if resp.Error != nil {
		t.errorToken(*resp.Error, server)
		t.done(0x02, 0xC1, 0)
		return t.Bytes(), nil
	}
	if len(resp.Results) == 0 {
		t.done(0, 0, 0)
		return t.Bytes(), nil
	}
	for i, rs := range resp.Results {
		if err := t.resultSet(rs); err != nil {
			return nil, err
		}
		status := uint16(0x10)
		if i < len(resp.Results)-1 {
			status |= 0x01
		}
		t.done(status, 0xC1, uint64(len(rs.Rows)))
	}
	return t.Bytes(), nil
}

var collation = []byte{0x09, 0x04, 0xD0, 0x00, 0x34} // SQL_Latin1_General_CP1_CI_AS

func (t *tokens) resultSet(rs ResultSet) error {
	t.WriteByte(0x81)
	t.u16(uint16(len(rs.Columns)))
	for _, c := range rs.Columns {
		t.u32(0)      // user type
		t.u16(0x0001) // nullable
		switch c.Type {
		case TinyInt:
			t.Write([]byte{0x26, 1})
		case Int:
			t.Write([]byte{0x26, 4})
		case BigInt:
			t.Write([]byte{0x26, 8})
		case Bit:
			t.Write([]byte{0x68, 1})
		case NVarChar:
			t.WriteByte(0xE7)
			t.u16(8000)
			t.Write(collation)
		case NVarCharMax:
			t.WriteByte(0xE7)
			t.u16(0xFFFF)
			t.Write(collation)
		case VarBinary:
			t.WriteByte(0xA5)
			t.u16(8000)
		case UniqueIdentifier:
			t.Write([]byte{0x24, 16})
		case DateTime:
			t.Write([]byte{0x6F, 8})
		case DateTime2:
			t.Write([]byte{0x2A, 7})
		case DateTimeOffset:
			t.Write([]byte{0x2B, 7})
		default:
			return fmt.Errorf("unknown column type %d", c.Type)
		}
		t.bvarchar(c.Name)
	}
	for ri, row := range rs.Rows {
		if len(row) != len(rs.Columns) {
			return fmt.Errorf("row %d has %d values for %d columns", ri, len(row), len(rs.Columns))
		}
		t.WriteByte(0xD1)
		for ci, v := range row {
			if err := t.value(rs.Columns[ci].Type, v); err != nil {
				return fmt.Errorf("row %d column %s: %w", ri, rs.Columns[ci].Name, err)
			}
		}
	}
	return nil
}

func toInt64(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	}
	return 0, fmt.Errorf("want an integer, got %T", v)
}

const ticksPerDay = 864000000000 // 100 ns units

// timeParts returns days since 0001-01-01 and 100 ns ticks since midnight of t (in t's zone).
func timeParts(t time.Time) (days int64, ticks int64) {
	y, m, d := t.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	base := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	// time.Duration overflows beyond ~292 years, so count days via Unix seconds.
	days = (midnight.Unix() - base.Unix()) / 86400
	hh, mm, ss := t.Clock()
	ticks = (int64(hh)*3600+int64(mm)*60+int64(ss))*10000000 + int64(t.Nanosecond())/100
	return
}

func le(v int64, n int) []byte {
	b := make([]byte, n)
	for i := range n {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func (t *tokens) value(typ Type, v any) error {
	if v == nil {
		switch typ {
		case NVarChar, VarBinary:
			t.u16(0xFFFF)
		case NVarCharMax:
			binary.Write(t, binary.LittleEndian, uint64(0xFFFFFFFFFFFFFFFF))
		default:
			t.WriteByte(0)
		}
		return nil
	}
	switch typ {
	case TinyInt, Int, BigInt:
		n, err := toInt64(v)
		if err != nil {
			return err
		}
		size := map[Type]int{TinyInt: 1, Int: 4, BigInt: 8}[typ]
		t.WriteByte(byte(size))
		t.Write(le(n, size))
	case Bit:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want bool, got %T", v)
		}
		t.WriteByte(1)
		if b {
			t.WriteByte(1)
		} else {
			t.WriteByte(0)
		}
	case NVarChar:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want string, got %T", v)
		}
		b := ucs2(s)
		if len(b) > 8000 {
			return errors.New("string longer than 4000 characters: use NVarCharMax")
		}
		t.u16(uint16(len(b)))
		t.Write(b)
	case NVarCharMax:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want string, got %T", v)
		}
		b := ucs2(s)
		binary.Write(t, binary.LittleEndian, uint64(len(b)))
		for len(b) > 0 {
			n := min(len(b), 1000)
			t.u32(uint32(n))
			t.Write(b[:n])
			b = b[n:]
		}
		t.u32(0)
	case VarBinary:
		b, ok := v.([]byte)
		if !ok {
			return fmt.Errorf("want []byte, got %T", v)
		}
		t.u16(uint16(len(b)))
		t.Write(b)
	case UniqueIdentifier:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("want GUID string, got %T", v)
		}
		b, err := guidWire(s)
		if err != nil {
			return err
		}
		t.WriteByte(16)
		t.Write(b)
	case DateTime:
		tm, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("want time.Time, got %T", v)
		}
		tm = tm.UTC()
		y, m, d := tm.Date()
		days := (time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() - time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()) / 86400
		hh, mm, ss := tm.Clock()
		ms := int64(hh*3600+mm*60+ss)*1000 + int64(tm.Nanosecond()/1e6)
		t.WriteByte(8)
		t.Write(le(days, 4))
		t.Write(le((ms*300+500)/1000, 4))
	case DateTime2:
		tm, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("want time.Time, got %T", v)
		}
		days, ticks := timeParts(tm.UTC())
		t.WriteByte(8)
		t.Write(le(ticks, 5))
		t.Write(le(days, 3))
	case DateTimeOffset:
		tm, ok := v.(time.Time)
		if !ok {
			return fmt.Errorf("want time.Time, got %T", v)
		}
		_, off := tm.Zone()
		days, ticks := timeParts(tm.UTC())
		t.WriteByte(10)
		t.Write(le(ticks, 5))
		t.Write(le(days, 3))
		t.Write(le(int64(off/60), 2))
	default:
		return fmt.Errorf("unknown type %d", typ)
	}
	return nil
}

// guidWire encodes a canonical GUID string in SQL Server's wire order: the
// first three groups little-endian, the last two as written.
func guidWire(s string) ([]byte, error) {
	h := strings.ReplaceAll(s, "-", "")
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 16 || len(s) != 36 {
		return nil, fmt.Errorf("bad GUID %q", s)
	}
	w := make([]byte, 16)
	w[0], w[1], w[2], w[3] = b[3], b[2], b[1], b[0]
	w[4], w[5] = b[5], b[4]
	w[6], w[7] = b[7], b[6]
	copy(w[8:], b[8:])
	return w, nil
}

// guidString decodes wire-order GUID bytes.
func guidString(w []byte) string {
	if len(w) != 16 {
		return hex.EncodeToString(w)
	}
	b := []byte{w[3], w[2], w[1], w[0], w[5], w[4], w[7], w[6]}
	b = append(b, w[8:]...)
	x := strings.ToUpper(hex.EncodeToString(b))
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
