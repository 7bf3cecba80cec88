package sqlserver

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// encodeValue converts a value scanned from go-mssqldb into the bundle
// encoding (bundle.md "SQL artifacts"), using the column's database type name:
//
//	NULL → nil; BIT → bool; integers → int64; FLOAT/REAL → float64;
//	DECIMAL/NUMERIC/MONEY → json.Number; UNIQUEIDENTIFIER → canonical
//	string (go-mssqldb hands back SQL Server's mixed-endian wire bytes);
//	BINARY/VARBINARY/IMAGE/TIMESTAMP → "0x" + upper-case hex;
//	DATETIMEOFFSET → RFC 3339 with its offset; other date/time → RFC 3339 UTC;
//	strings as they are.
func encodeValue(dbType string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	dbType = strings.ToUpper(dbType)
	switch x := v.(type) {
	case []byte:
		switch dbType {
		case "UNIQUEIDENTIFIER":
			var u mssql.UniqueIdentifier
			if err := u.Scan(x); err != nil {
				return nil, fmt.Errorf("uniqueidentifier: %w", err)
			}
			return u.String(), nil
		case "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY":
			n := json.Number(string(x))
			if _, err := n.Float64(); err != nil {
				return nil, fmt.Errorf("%s value %q is not a number", strings.ToLower(dbType), x)
			}
			return n, nil
		case "VARCHAR", "CHAR", "TEXT", "NVARCHAR", "NCHAR", "NTEXT", "XML":
			return string(x), nil
		default:
			return "0x" + strings.ToUpper(hex.EncodeToString(x)), nil
		}
	case time.Time:
		if dbType == "DATETIMEOFFSET" {
			// datetimeoffset(7) precision and a numeric offset, as SQL Server shows it
			return x.Format("2006-01-02T15:04:05.0000000-07:00"), nil
		}
		return x.UTC().Format(time.RFC3339Nano), nil
	case bool, string:
		return x, nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("non-finite float %v", x)
		}
		return x, nil
	case float32:
		return float64(x), nil
	case mssql.UniqueIdentifier:
		return x.String(), nil
	default:
		return fmt.Sprint(x), nil
	}
}
