package facts

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/bundle"
)

// Configuration file names.
const (
	MasterSettingsFile = "MasterSettings.config"
	WorkerSettingsFile = "WorkerSettings.config"
)

// masterKeys are the documented MasterSettings.config keys, in doc order.
var masterKeys = []string{
	"PortNumber", "SSLCertThumbprint", "SqlServerName", "CleanupCompletedJobsIntervalInMs",
	"DealWithExpiredTasksIntervalInMs", "MasterHeartbeatIntervalInMs", "SqlConnectionTimeoutInSecs",
}

// workerKeys are the documented WorkerSettings.config keys, in doc order.
var workerKeys = []string{
	"DisplayName", "Description", "MasterEndpoint", "MasterHttpsCertThumbprint", "WorkerHttpsCertThumbprint",
	"StoreLocation", "StoreName", "AgentHeartbeatInterval", "TaskHeartbeatInterval", "HeartbeatErrorTolerance",
	"TaskRequestMaxCPU", "TaskRequestMinMemory", "MaxTaskCount", "LeaseInterval", "TasksRootFolder",
	"TaskLogLevel", "TaskLogSegment", "TaskLogEnabled", "ExecutionLogCacheFolder", "ExecutionLogMaxBufferLogCount",
	"ExecutionLogMaxInMemoryBufferCount", "ExecutionLogRetryCount", "ExecutionLogRetryTimeout", "AgentId",
}

// olderWorkerSpellings maps the 2017 docs' spellings to the documented key.
var olderWorkerSpellings = map[string]string{
	"heartbeaterrortollerance": "HeartbeatErrorTolerance",
	"leaseinternval":           "LeaseInterval",
}

var (
	requiredMaster = []string{"PortNumber", "SSLCertThumbprint", "SqlServerName"}
	requiredWorker = []string{"MasterEndpoint", "MasterHttpsCertThumbprint", "WorkerHttpsCertThumbprint", "AgentId"}
)

// Defaults documented for the typed values.
const (
	DefaultMasterHeartbeatMS     = 30000
	DefaultSQLConnectTimeoutSecs = 15
	DefaultAgentHeartbeatSeconds = 60
)

// MaxSettingsSize is the largest settings file read; the documented files
// are a few hundred bytes.
var MaxSettingsSize = 1 << 20

// kv is one key/value read from a file, with its line.
type kv struct {
	key   string
	value any
	line  int
}

// ParseSettings parses a MasterSettings.config or WorkerSettings.config
// (chosen by name, case-insensitively; any other name maps no key). Content
// problems never give a Go error: they set ParseError (rule CONFIG-PARSE).
// The returned file has Name and the parsed fields set; Artifact, Path,
// Version and LastWrite* are the caller's.
func ParseSettings(name string, data []byte) *ConfigFile {
	cf := &ConfigFile{
		Name:        name,
		Settings:    map[string]any{},
		Lines:       map[string]int{},
		UnknownKeys: []string{},
		MissingKeys: []string{},
		Warnings:    []string{},
	}
	kind := ""
	lname := strings.ToLower(name)
	switch {
	case strings.Contains(lname, "master"):
		kind = "master"
	case strings.Contains(lname, "worker"):
		kind = "worker"
	}

	if len(data) > MaxSettingsSize {
		cf.ParseError = fmt.Sprintf("file is %d bytes, more than the limit of %d for a settings file", len(data), MaxSettingsSize)
		return cf
	}
	pairs, format, perr := readSettings(data)
	cf.Format = format
	if perr != nil {
		cf.ParseError = perr.Error()
		return cf
	}
	canon := canonicalKeys(kind)
	fromOlder := make(map[string]bool, len(pairs))
	unknown := map[string]bool{}
	cf.Settings = make(map[string]any, len(pairs))
	cf.Lines = make(map[string]int, len(pairs))
	var lower []byte // an ASCII key in lower case (the lookups do not allocate)
	for _, p := range pairs {
		var doc string
		var known bool
		older := false
		if isASCII(p.key) {
			lower = append(lower[:0], p.key...)
			for i, c := range lower {
				if 'A' <= c && c <= 'Z' {
					lower[i] = c + 'a' - 'A'
				}
			}
			doc, known = canon[string(lower)]
			if !known && kind == "worker" {
				doc, known = olderWorkerSpellings[string(lower)]
				older = known
			}
		} else {
			lk := strings.ToLower(p.key)
			doc, known = canon[lk]
			if !known && kind == "worker" {
				doc, known = olderWorkerSpellings[lk]
				older = known
			}
		}
		if !known {
			// An unknown key's value is never kept: it may be a secret
			// (a password someone added); the key alone is reported.
			if !unknown[p.key] {
				unknown[p.key] = true
				cf.UnknownKeys = append(cf.UnknownKeys, p.key)
			}
			continue
		}
		if _, seen := cf.Settings[doc]; seen {
			if older && !fromOlder[doc] {
				cf.Warnings = append(cf.Warnings, fmt.Sprintf("%s: line %d: %s is the older spelling of %s, which is also set; the documented key wins", name, p.line, p.key, doc))
				continue
			}
			cf.Warnings = append(cf.Warnings, fmt.Sprintf("%s: line %d: %s is set again (line %d); the last value wins", name, p.line, doc, cf.Lines[doc]))
		}
		fromOlder[doc] = older
		cf.Settings[doc] = p.value
		cf.Lines[doc] = p.line
	}

	var required []string
	switch kind {
	case "master":
		required = requiredMaster
	case "worker":
		required = requiredWorker
	}
	for _, k := range required {
		if v, ok := cf.Settings[k]; !ok || v == nil || strings.TrimSpace(asString(v)) == "" {
			cf.MissingKeys = append(cf.MissingKeys, k)
		}
	}
	switch kind {
	case "master":
		cf.Master = typedMaster(cf)
	case "worker":
		cf.Worker = typedWorker(cf)
	}
	return cf
}

// canonicalMaster and canonicalWorker are canonicalKeys' maps, built once
// (read only).
var (
	canonicalMaster = buildCanonicalKeys(masterKeys)
	canonicalWorker = buildCanonicalKeys(workerKeys)
)

// canonicalKeys maps the lower-case documented keys of a kind to their
// spelling; the map is shared: read only.
func canonicalKeys(kind string) map[string]string {
	switch kind {
	case "master":
		return canonicalMaster
	case "worker":
		return canonicalWorker
	}
	return map[string]string{}
}

func buildCanonicalKeys(keys []string) map[string]string {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[strings.ToLower(k)] = k
	}
	return m
}

func typedMaster(cf *ConfigFile) *MasterSettings {
	m := &MasterSettings{HeartbeatIntervalMS: DefaultMasterHeartbeatMS, SQLConnectTimeoutSecs: DefaultSQLConnectTimeoutSecs}
	s := cf.Settings
	if v, ok := s["PortNumber"]; ok && v != nil {
		if n, ok := asInt(v); ok && n > 0 && n <= 65535 {
			m.Port = n
		} else {
			cf.Warnings = append(cf.Warnings, fmt.Sprintf("%s: PortNumber %q is not a TCP port", cf.Name, asString(v)))
		}
	}
	m.Thumbprint = NormalizeThumbprint(asString(s["SSLCertThumbprint"]))
	if v := strings.TrimSpace(asString(s["SqlServerName"])); v != "" {
		e := ParseSQLEndpoint(v)
		m.SQLServer = &e
	}
	if n, ok := asInt(s["MasterHeartbeatIntervalInMs"]); ok && n > 0 {
		m.HeartbeatIntervalMS = n
	}
	if n, ok := asInt(s["SqlConnectionTimeoutInSecs"]); ok && n >= 0 {
		m.SQLConnectTimeoutSecs = n
	}
	return m
}

func typedWorker(cf *ConfigFile) *WorkerSettings {
	s := cf.Settings
	w := &WorkerSettings{AgentHeartbeatSeconds: DefaultAgentHeartbeatSeconds}
	if v, ok := s["MasterEndpoint"]; ok && v != nil {
		w.MasterEndpoint = ParseURL(asString(v))
	}
	w.MasterThumbprint = NormalizeThumbprint(asString(s["MasterHttpsCertThumbprint"]))
	w.WorkerThumbprint = NormalizeThumbprint(asString(s["WorkerHttpsCertThumbprint"]))
	loc := strings.TrimSpace(asString(s["StoreLocation"]))
	if loc == "" {
		loc = "LocalMachine"
	}
	store := strings.TrimSpace(asString(s["StoreName"]))
	if store == "" {
		store = "My"
	}
	w.Store = loc + "/" + store
	w.AgentID = strings.ToLower(strings.Trim(strings.TrimSpace(asString(s["AgentId"])), "{}"))
	if v, ok := s["AgentHeartbeatInterval"]; ok && v != nil && asString(v) != "" {
		if secs, ok := ParseTimeSpan(asString(v)); ok && secs > 0 {
			w.AgentHeartbeatSeconds = secs
			w.AgentHeartbeatSpecified = true
		} else {
			cf.Warnings = append(cf.Warnings, fmt.Sprintf("%s: AgentHeartbeatInterval %q is not a time span (hh:mm:ss); using the default %d s", cf.Name, asString(v), DefaultAgentHeartbeatSeconds))
		}
	}
	return w
}

// readSettings detects the format and returns the key/value pairs.
func readSettings(data []byte) ([]kv, string, error) {
	text, err := bundle.DecodeText(data)
	if err != nil {
		return nil, "", err
	}
	i := 0
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
		i++
	}
	if i == len(text) {
		return nil, "", errors.New("empty file")
	}
	first := text[i]
	if first != '{' && first != '<' {
		if first == '[' {
			return nil, "json", errors.New("not a JSON object: the file holds a JSON array")
		}
		return nil, "", fmt.Errorf("not JSON or XML: first byte 0x%02X at offset %d", first, i)
	}
	if !utf8.Valid(text) {
		off := 0
		for off < len(text) {
			r, size := utf8.DecodeRune(text[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := bundle.LineCol(text, int64(off))
		return nil, "", fmt.Errorf("invalid UTF-8 at line %d, column %d (offset %d)", line, col, off)
	}
	if first == '{' {
		pairs, err := readJSONSettings(text)
		return pairs, "json", err
	}
	pairs, err := readXMLSettings(text)
	return pairs, "xml", err
}

func readJSONSettings(text []byte) ([]kv, error) {
	if pairs, ok := readFlatJSONSettings(text); ok {
		return pairs, nil
	}
	return readJSONSettingsTokens(text)
}

// readJSONSettingsTokens reads the settings with encoding/json's tokens.
func readJSONSettingsTokens(text []byte) ([]kv, error) {
	if err := bundle.CheckJSONDepth(text, bundle.MaxJSONDepth); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	fail := func(err error) error {
		var se *json.SyntaxError
		off := dec.InputOffset()
		msg := err.Error()
		if errors.As(err, &se) {
			off = se.Offset
		} else if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			off = int64(len(text))
			msg = "unexpected end of file"
		}
		line, col := bundle.LineCol(text, off)
		return fmt.Errorf("invalid JSON at line %d, column %d: %s", line, col, msg)
	}
	if _, err := dec.Token(); err != nil { // '{'
		return nil, fail(err)
	}
	var pairs []kv
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fail(fmt.Errorf("object key is not a string"))
		}
		line, _ := bundle.LineCol(text, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fail(err)
		}
		val, err := scalar(raw)
		if err != nil {
			return nil, fmt.Errorf("key %q at line %d: %v", key, line, err)
		}
		pairs = append(pairs, kv{key: key, value: val, line: line})
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := bundle.LineCol(text, dec.InputOffset())
		return nil, fmt.Errorf("invalid JSON at line %d, column %d: data after the closing brace", line, col)
	}
	return pairs, nil
}

// readFlatJSONSettings is the fast path of readJSONSettings: a valid
// object of scalar values gives the same pairs; ok is false for anything
// else, which the thorough path reads (and words the error of).
func readFlatJSONSettings(text []byte) ([]kv, bool) {
	if bundle.MaxJSONDepth < 1 {
		return nil, false
	}
	members, ok := bundle.FlatJSONObject(text)
	if !ok {
		return nil, false
	}
	pairs := make([]kv, 0, len(members))
	line, off := 1, 0
	for _, m := range members {
		line += bytes.Count(text[off:m.KeyEnd], []byte{'\n'})
		off = m.KeyEnd
		v := m.Value
		if n, isNum := v.(json.Number); isNum {
			if i, err := n.Int64(); err == nil {
				v = i
			} else if f, err := n.Float64(); err == nil && !math.IsInf(f, 0) {
				v = f
			} else {
				return nil, false
			}
		}
		pairs = append(pairs, kv{key: m.Key, value: v, line: line})
	}
	return pairs, true
}

// scalar decodes a JSON value that must be a string, number, boolean or null.
func scalar(raw json.RawMessage) (any, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil, errors.New("no value")
	}
	switch t[0] {
	case '{':
		return nil, errors.New("got an object, want a string, number or boolean")
	case '[':
		return nil, errors.New("got an array, want a string, number or boolean")
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		f, err := n.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %s out of range", n)
		}
		return f, nil
	}
	return v, nil
}

func readXMLSettings(text []byte) ([]kv, error) {
	dec := xml.NewDecoder(bytes.NewReader(text))
	dec.Strict = true
	dec.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "utf8", "utf-16", "utf16", "unicode", "us-ascii", "ascii":
			return input, nil // already converted to UTF-8
		}
		return nil, fmt.Errorf("unsupported encoding %q", charset)
	}
	fail := func(err error) error {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid XML at line %d: %s", se.Line, se.Msg)
		}
		line, _ := bundle.LineCol(text, dec.InputOffset())
		return fmt.Errorf("invalid XML at line %d: %v", line, err)
	}
	var pairs []kv
	depth, roots, appSettingsDepth := 0, 0, -1
	found := false
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return nil, fail(errors.New("more than one root element"))
				}
			}
			depth++
			if depth > bundle.MaxJSONDepth {
				return nil, fail(fmt.Errorf("elements nested more than %d levels deep", bundle.MaxJSONDepth))
			}
			switch {
			case strings.EqualFold(t.Name.Local, "appSettings") && appSettingsDepth < 0:
				appSettingsDepth = depth
				found = true
			case appSettingsDepth >= 0 && depth == appSettingsDepth+1 && strings.EqualFold(t.Name.Local, "add"):
				line := lineOfTag(text, start)
				var key, value *string
				for _, a := range t.Attr {
					a := a
					switch strings.ToLower(a.Name.Local) {
					case "key":
						key = &a.Value
					case "value":
						value = &a.Value
					}
				}
				if key == nil {
					return nil, fmt.Errorf("invalid appSettings at line %d: <add> without a key attribute", line)
				}
				var v any
				if value != nil {
					v = *value
				}
				pairs = append(pairs, kv{key: *key, value: v, line: line})
			}
		case xml.EndElement:
			if depth == appSettingsDepth {
				appSettingsDepth = -1
			}
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, fail(errors.New("text outside the root element"))
			}
		}
	}
	if roots == 0 {
		return nil, errors.New("invalid XML: no root element")
	}
	if !found {
		return nil, errors.New("XML without an <appSettings> element: cannot read the settings")
	}
	return pairs, nil
}

// lineOfTag returns the line of the first '<' at or after offset.
func lineOfTag(text []byte, offset int64) int {
	if offset < 0 || offset > int64(len(text)) {
		offset = 0
	}
	if i := bytes.IndexByte(text[offset:], '<'); i >= 0 {
		offset += int64(i)
	}
	line, _ := bundle.LineCol(text, offset)
	return line
}
