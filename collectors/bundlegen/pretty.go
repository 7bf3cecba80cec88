package bundlegen

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// jnode is a parsed JSON value that keeps object key order.
type jnode struct {
	kind  byte // '{', '[', or 's' (scalar)
	raw   []byte
	keys  []string
	elems []*jnode
}

func parseJSON(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: '{'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseJSON(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, kt.(string))
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: '['}
			for dec.More() {
				v, err := parseJSON(dec)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token()
			return n, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(t); err != nil {
			return nil, err
		}
		return &jnode{kind: 's', raw: bytes.TrimRight(b.Bytes(), "\n")}, nil
	}
}

func (n *jnode) compact(b *bytes.Buffer) {
	switch n.kind {
	case 's':
		b.Write(n.raw)
	case '[':
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.compact(b)
		}
		b.WriteByte(']')
	case '{':
		b.WriteByte('{')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(n.keys[i])
			b.Write(k)
			b.WriteString(": ")
			e.compact(b)
		}
		b.WriteByte('}')
	}
}

const prettyWidth = 160

// pretty writes n indented; arrays and objects inside arrays that fit in
// one line are written on one line.
func (n *jnode) pretty(b *bytes.Buffer, indent string, inArray bool) {
	if n.kind == 's' || len(n.elems) == 0 {
		if n.kind == 's' {
			b.Write(n.raw)
		} else if n.kind == '[' {
			b.WriteString("[]")
		} else {
			b.WriteString("{}")
		}
		return
	}
	if n.kind == '[' || inArray {
		var c bytes.Buffer
		n.compact(&c)
		if len(indent)+c.Len() <= prettyWidth {
			b.Write(c.Bytes())
			return
		}
	}
	inner := indent + "  "
	open, close := byte('{'), byte('}')
	if n.kind == '[' {
		open, close = '[', ']'
	}
	b.WriteByte(open)
	b.WriteByte('\n')
	for i, e := range n.elems {
		b.WriteString(inner)
		if n.kind == '{' {
			k, _ := json.Marshal(n.keys[i])
			b.Write(k)
			b.WriteString(": ")
		}
		e.pretty(b, inner, n.kind == '[')
		if i < len(n.elems)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent)
	b.WriteByte(close)
}

// prettyJSON marshals v and lays it out for people to read.
func prettyJSON(v any) []byte {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	dec := json.NewDecoder(&raw)
	dec.UseNumber()
	n, err := parseJSON(dec)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	n.pretty(&b, "", false)
	b.WriteByte('\n')
	return b.Bytes()
}
