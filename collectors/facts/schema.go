package facts

import _ "embed"

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the facts document, as
// `ssis-ha-lint schema` prints it. The caller gets its own copy.
func Schema() []byte {
	return append([]byte(nil), schemaJSON...)
}
