// Package output renders command results as a table for people, or as JSON
// or CSV for programs. Results go to stdout only; nothing here writes logs.
//
// A command hands Render either a *Table (rows whose columns are only known at
// run time, such as ad-hoc SQL) or a typed result. Typed results are encoded
// to JSON as they are (their struct tags are the JSON contract) and implement
// Tabular to say how people see them.
package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Format is an output format.
type Format string

// The formats every command supports.
const (
	FormatTable Format = "table"
	FormatJSON  Format = "json"
	FormatCSV   Format = "csv"
)

// Formats lists the supported formats in the order help text shows them.
var Formats = []Format{FormatTable, FormatJSON, FormatCSV}

// ParseFormat validates a --format value.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use table, json or csv", s)
}

// Table is a rectangular result. In JSON it becomes an array of objects whose
// keys are the column names in column order.
type Table struct {
	// Title is printed above the table in table format; JSON and CSV omit it.
	Title string
	// Columns names each column. When KeyValue is set the table is a list of
	// label/value pairs and its header is not printed.
	Columns  []string
	Rows     [][]any
	KeyValue bool
}

// Tabular is implemented by typed results: Tables returns the sections people
// see in table format. CSV renders the first section, the result's main rows,
// unless the result is a CSVer.
type Tabular interface {
	Tables() []Table
}

// CSVer is implemented by results whose CSV rows are not their first table
// section (a scan shows a summary first but its CSV is every finding).
type CSVer interface {
	CSV() Table
}

// Render writes v to w in format f.
func Render(w io.Writer, f Format, v any) error {
	switch f {
	case FormatJSON:
		return renderJSON(w, v)
	case FormatCSV:
		if c, ok := v.(CSVer); ok {
			return renderCSV(w, c.CSV())
		}
		t, err := primary(v)
		if err != nil {
			return err
		}
		return renderCSV(w, t)
	case FormatTable, "":
		tables, err := sections(v)
		if err != nil {
			return err
		}
		for i, t := range tables {
			if i > 0 {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			if err := renderTable(w, t); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("unknown format %q", f)
	}
}

func sections(v any) ([]Table, error) {
	switch t := v.(type) {
	case *Table:
		return []Table{*t}, nil
	case Table:
		return []Table{t}, nil
	case Tabular:
		return t.Tables(), nil
	}
	return nil, fmt.Errorf("output: %T cannot be shown as a table", v)
}

func primary(v any) (Table, error) {
	ts, err := sections(v)
	if err != nil {
		return Table{}, err
	}
	if len(ts) == 0 {
		return Table{}, nil
	}
	return ts[0], nil
}

func renderJSON(w io.Writer, v any) error {
	switch t := v.(type) {
	case *Table:
		v = rowsJSON(*t)
	case Table:
		v = rowsJSON(t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// rowsJSON turns a table into an array of objects that keep column order.
func rowsJSON(t Table) []orderedRow {
	out := make([]orderedRow, 0, len(t.Rows))
	for _, r := range t.Rows {
		out = append(out, orderedRow{cols: t.Columns, vals: r})
	}
	return out
}

type orderedRow struct {
	cols []string
	vals []any
}

func (r orderedRow) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c)
		b.Write(k)
		b.WriteByte(':')
		var v any
		if i < len(r.vals) {
			v = r.vals[i]
		}
		enc, err := json.Marshal(JSONValue(v))
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c, err)
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// JSONValue converts a value scanned from the database into one encoding/json
// encodes faithfully: times in RFC 3339 UTC, maps with string keys, JSON text
// as embedded JSON, and non-finite floats as strings.
func JSONValue(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case float32:
		return JSONValue(float64(x))
	case *big.Int:
		return json.Number(x.String())
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[fmt.Sprint(k)] = JSONValue(val)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[k] = JSONValue(val)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, val := range x {
			s[i] = JSONValue(val)
		}
		return s
	case fmt.Stringer:
		if _, ok := v.(json.Marshaler); ok {
			return v
		}
		return x.String()
	}
	return v
}

func renderCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if !t.KeyValue || len(t.Columns) > 0 {
		if err := cw.Write(t.Columns); err != nil {
			return err
		}
	}
	rec := make([]string, 0, len(t.Columns))
	for _, r := range t.Rows {
		rec = rec[:0]
		for _, v := range r {
			rec = append(rec, Cell(v, false))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func renderTable(w io.Writer, t Table) error {
	if t.Title != "" {
		if _, err := fmt.Fprintln(w, t.Title); err != nil {
			return err
		}
	}
	if len(t.Rows) == 0 && !t.KeyValue {
		_, err := fmt.Fprintln(w, "(no rows)")
		return err
	}
	var buf bytes.Buffer
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.Border{Left: tw.Off, Right: tw.Off, Top: tw.Off, Bottom: tw.Off},
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
			Symbols: tw.NewSymbols(tw.StyleNone),
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithPadding(tw.Padding{Left: "", Right: "  ", Overwrite: true}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	if !t.KeyValue {
		hdr := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			hdr[i] = strings.ToUpper(c)
		}
		tbl.Header(hdr...)
	}
	for _, r := range t.Rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = Cell(v, true)
			if t.KeyValue && i == 0 {
				cells[i] += ":"
			}
		}
		if err := tbl.Append(cells); err != nil {
			return err
		}
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	// tablewriter pads the last column; trailing blanks only get in the way
	// of people copying output and of golden files.
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		trimmed := strings.TrimRight(line, " \n")
		if trimmed == "" && line == "" {
			continue
		}
		if _, err := io.WriteString(w, trimmed+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// Cell formats one value as text. For people (human=true) floats are rounded
// to two decimals and long text is cut; for CSV nothing is rounded or cut.
func Cell(v any, human bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if human {
			return clip(x)
		}
		return x
	case []byte:
		return Cell(string(x), human)
	case json.RawMessage:
		return Cell(string(x), human)
	case time.Time:
		if human {
			return x.UTC().Format("2006-01-02 15:04:05Z")
		}
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		if human {
			return strconv.FormatFloat(x, 'f', 2, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return Cell(float64(x), human)
	case bool:
		return strconv.FormatBool(x)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case map[any]any, map[string]any, []any:
		b, err := json.Marshal(JSONValue(x))
		if err != nil {
			return fmt.Sprint(x)
		}
		return Cell(string(b), human)
	}
	return Cell(fmt.Sprint(v), human)
}

const maxCell = 120

func clip(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= maxCell {
		return s
	}
	cut := maxCell
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Count formats an integer with thousands separators for people.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes formats a byte count for people (1.5 MB).
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// SortedKeys returns a map's keys in order, for deterministic rendering.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
