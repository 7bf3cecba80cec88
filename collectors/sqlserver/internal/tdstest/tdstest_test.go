package tdstest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

func open(t *testing.T, s *Server, user, pass string) *sql.DB {
	t.Helper()
	dsn := fmt.Sprintf("sqlserver://%s:%s@%s?encrypt=disable&connection+timeout=2&dial+timeout=2", user, pass, s.Addr())
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	when := time.Date(2026, 11, 20, 9, 59, 38, 619000000, time.FixedZone("", 2*3600))
	s := &Server{Handler: func(r Request) Response {
		switch r.SQL {
		case "SELECT 1":
			return Response{Results: []ResultSet{{
				Columns: []Column{{"i", Int}, {"b", BigInt}, {"t", TinyInt}, {"bit", Bit}, {"s", NVarChar}, {"m", NVarCharMax}, {"vb", VarBinary}, {"g", UniqueIdentifier}, {"d2", DateTime2}, {"dto", DateTimeOffset}, {"dt", DateTime}, {"n", NVarChar}},
				Rows: [][]any{
					{42, int64(1) << 40, 7, true, "héllo", "long", []byte{0x6A, 0x1B}, "6F9619FF-8B86-D011-B42D-00C04FC964FF", when, when, when, nil},
					{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
				},
			}}}
		case "SELECT @p":
			return Response{Results: []ResultSet{{Columns: []Column{{"p", NVarChar}}, Rows: [][]any{{r.Params["p"]}}}}}
		}
		return Response{Error: &Error{Number: 229, State: 5, Class: 14, Message: "The SELECT permission was denied."}}
	}}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db := open(t, s, "sa", "p@ss;word")
	rows, err := db.QueryContext(ctx, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	cts, _ := rows.ColumnTypes()
	for _, c := range cts {
		t.Log(c.Name(), c.DatabaseTypeName())
	}
	n := 0
	for rows.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		t.Logf("%#v", vals)
		if n == 0 {
			var g mssql.UniqueIdentifier
			if err := g.Scan(vals[7]); err != nil {
				t.Fatal(err)
			}
			if g.String() != "6F9619FF-8B86-D011-B42D-00C04FC964FF" {
				t.Errorf("guid %s", g)
			}
			if !vals[9].(time.Time).Equal(when) {
				t.Errorf("dto %v", vals[9])
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var p string
	if err := db.QueryRowContext(ctx, "SELECT @p", sql.Named("p", "xyz")).Scan(&p); err != nil || p != "xyz" {
		t.Fatalf("%q %v", p, err)
	}
	_, err = db.QueryContext(ctx, "SELECT nope")
	t.Log(err)
	if err == nil {
		t.Fatal("want error")
	}
	if l := s.Logins(); len(l) == 0 || l[0].Password != "p@ss;word" {
		t.Errorf("logins %+v", l)
	}
}
