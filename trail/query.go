package trail

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/footprint-dev/footprint/internal/store"
	"github.com/footprint-dev/footprint/internal/when"
	"github.com/footprint-dev/footprint/queries"
)

// Result is a query's rows.
type Result struct {
	Columns []string
	Rows    [][]any
}

// Errors callers branch on.
var (
	ErrUnknownQuery = errors.New("unknown query")
	ErrBadParam     = errors.New("bad query parameter")
)

// Queries lists the named forensic queries.
func Queries() ([]queries.Named, error) {
	return queries.LoadNamed(queries.Trail())
}

// QueryOptions configure RunQuery.
type QueryOptions struct {
	Name   string
	Params map[string]string // by name; missing ones take their default
	Now    time.Time         // for relative times such as 7d
}

// RunQuery runs one named query with its parameters bound.
func RunQuery(ctx context.Context, db *sql.DB, opts QueryOptions) (*Result, error) {
	all, err := Queries()
	if err != nil {
		return nil, err
	}
	var q *queries.Named
	for i := range all {
		if all[i].Name == opts.Name {
			q = &all[i]
		}
	}
	if q == nil {
		names := make([]string, len(all))
		for i, n := range all {
			names[i] = n.Name
		}
		return nil, fmt.Errorf("%w %q; known queries: %s", ErrUnknownQuery, opts.Name, strings.Join(names, ", "))
	}
	declared := map[string]bool{}
	args := make([]any, 0, len(q.Params))
	for _, p := range q.Params {
		declared[p.Name] = true
		raw, ok := opts.Params[p.Name]
		if !ok {
			raw = p.Default
		}
		v, err := bindParam(p, raw, opts.Now)
		if err != nil {
			return nil, err
		}
		args = append(args, sql.Named(p.Name, v))
	}
	for k := range opts.Params {
		if !declared[k] {
			return nil, fmt.Errorf("%w: query %s has no parameter %q (see `footprint trail queries`)", ErrBadParam, q.Name, k)
		}
	}
	return collect(ctx, db, q.SQL, args...)
}

func bindParam(p queries.Param, raw string, now time.Time) (any, error) {
	fail := func(err error) error {
		return fmt.Errorf("%w %s=%q: %v", ErrBadParam, p.Name, raw, err)
	}
	switch p.Type {
	case "TIMESTAMPTZ":
		if raw == "infinity" || raw == "-infinity" {
			return raw, nil
		}
		t, err := when.Parse(raw, now)
		if err != nil {
			return nil, fail(err)
		}
		return t.Format(time.RFC3339Nano), nil
	case "INTEGER", "BIGINT":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fail(errors.New("not an integer"))
		}
		return n, nil
	case "DOUBLE":
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fail(errors.New("not a number"))
		}
		return f, nil
	case "BOOLEAN":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fail(errors.New("not true or false"))
		}
		return b, nil
	case "INTERVAL":
		d, err := when.ParseDuration(raw)
		if err != nil {
			return nil, fail(err)
		}
		return fmt.Sprintf("%d microseconds", d.Microseconds()), nil
	}
	return raw, nil
}

// SQL runs one ad-hoc statement. The store should be read-only; SQL also
// refuses anything but queries up front, with a message that says so.
func SQL(ctx context.Context, st *store.Store, statement string) (*Result, error) {
	if err := store.CheckReadOnly(ctx, st, statement); err != nil {
		return nil, err
	}
	res, err := collect(ctx, st.DB, statement)
	if err != nil {
		return nil, store.ClassifyExec(err)
	}
	return res, nil
}

func collect(ctx context.Context, db *sql.DB, query string, args ...any) (*Result, error) {
	// The driver hands JSON columns back decoded into Go maps, which loses
	// key order and integers beyond 2^53. When the prepared statement says a
	// column is JSON, ask DuckDB for its text instead and pass it through
	// untouched. The statement runs once either way.
	if cols, jsonCols, err := describe(ctx, db, query); err == nil && len(jsonCols) > 0 {
		if wrapped, ok := wrapJSON(query, cols, jsonCols); ok {
			if res, err := collectOnce(ctx, db, wrapped, args...); err == nil {
				for _, row := range res.Rows {
					for _, c := range jsonCols {
						if s, ok := row[c].(string); ok {
							row[c] = json.RawMessage(s)
						}
					}
				}
				res.Columns = cols
				return res, nil
			}
			// not wrappable (PRAGMA, EXPLAIN ...): run it as it is
		}
	}
	return collectOnce(ctx, db, query, args...)
}

// describe prepares query without running it and returns its column names
// and the positions of its JSON columns.
func describe(ctx context.Context, db *sql.DB, query string) (cols []string, jsonCols []int, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("driver cannot prepare")
		}
		st, err := pc.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer st.Close()
		ds, ok := st.(*duckdb.Stmt)
		if !ok {
			return errors.New("not a DuckDB statement")
		}
		n, err := ds.ColumnCount()
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			name, err := ds.ColumnName(i)
			if err != nil {
				return err
			}
			cols = append(cols, name)
			if ti, err := ds.ColumnTypeInfo(i); err == nil && ti.Alias() == "JSON" {
				jsonCols = append(jsonCols, i)
			}
		}
		return nil
	})
	return cols, jsonCols, err
}

func wrapJSON(query string, cols []string, jsonCols []int) (string, bool) {
	q := strings.TrimRight(strings.TrimSpace(query), "; \t\n")
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			return "", false // duplicate names cannot be addressed
		}
		seen[c] = true
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		quoted := `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		if slices.Contains(jsonCols, i) {
			b.WriteString("CAST(" + quoted + " AS VARCHAR) AS " + quoted)
		} else {
			b.WriteString(quoted)
		}
	}
	b.WriteString(" FROM (\n" + q + "\n)")
	return b.String(), true
}

func collectOnce(ctx context.Context, db *sql.DB, query string, args ...any) (*Result, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: cols, Rows: [][]any{}}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, vals)
	}
	return res, rows.Err()
}
