// Command duckdbsql runs SQL statements against a DuckDB file with the same
// DuckDB footprint links, printing each statement's time on stderr. The
// ingest benchmark uses it to time DuckDB's own read_json as the baseline:
//
//	go run ./tools/duckdbsql -db /tmp/baseline.duckdb "CREATE TABLE t AS SELECT ..."
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	path := flag.String("db", "", "database file (created if missing)")
	memory := flag.String("memory-limit", "", "DuckDB memory_limit")
	flag.Parse()
	q := url.Values{}
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	q.Set("storage_compatibility_version", "v1.5.0")
	if *memory != "" {
		q.Set("memory_limit", *memory)
	}
	db, err := sql.Open("duckdb", *path+"?"+q.Encode())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range flag.Args() {
		start := time.Now()
		rows, err := db.Query(stmt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "duckdbsql:", err)
			os.Exit(1)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				fmt.Fprintln(os.Stderr, "duckdbsql:", err)
				os.Exit(1)
			}
			fmt.Println(vals...)
		}
		if err := rows.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "duckdbsql:", err)
			os.Exit(1)
		}
		rows.Close()
		fmt.Fprintf(os.Stderr, "duckdbsql: %.3fs\n", time.Since(start).Seconds())
	}
}
