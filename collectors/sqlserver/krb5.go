package sqlserver

// Registers go-mssqldb's Kerberos authenticator ("authenticator=krb5"), used
// by Options.Auth == AuthKerberos (from Linux/macOS; on Windows integrated
// auth goes through SSPI instead).
import _ "github.com/microsoft/go-mssqldb/integratedauth/krb5"
