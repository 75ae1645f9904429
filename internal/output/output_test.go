package output

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type result struct {
	Name  string  `json:"name"`
	Total float64 `json:"total_usd"`
}

func (r result) Tables() []Table {
	return []Table{
		{Columns: []string{"", ""}, KeyValue: true, Rows: [][]any{{"name", r.Name}, {"total", r.Total}}},
		{Title: "Detail:", Columns: []string{"k", "v"}, Rows: [][]any{{"a", 1}, {"b", nil}}},
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 11, 29, 10, 0, 0, 0, time.FixedZone("X", 3600))
	tbl := &Table{Columns: []string{"event", "n", "at", "ratio", "raw"},
		Rows: [][]any{{"ListUsers", int64(1234567), when, 1.0 / 3, json.RawMessage(`{"b":1,"a":[2]}`)}, {"x", nil, nil, math.Inf(1), nil}}}
	tests := []struct {
		name   string
		format Format
		v      any
		want   string
	}{
		{"table", FormatTable, tbl, "EVENT      N        AT                    RATIO  RAW\n" +
			"ListUsers  1234567  2026-11-29 09:00:00Z  0.33   {\"b\":1,\"a\":[2]}\n" +
			"x                                         +Inf\n"},
		{"json keeps column order and exact values", FormatJSON, tbl, `[
  {
    "event": "ListUsers",
    "n": 1234567,
    "at": "2026-11-29T09:00:00Z",
    "ratio": 0.3333333333333333,
    "raw": {
      "b": 1,
      "a": [
        2
      ]
    }
  },
  {
    "event": "x",
    "n": null,
    "at": null,
    "ratio": "+Inf",
    "raw": null
  }
]
`},
		{"csv does not round", FormatCSV, tbl, "event,n,at,ratio,raw\nListUsers,1234567,2026-11-29T09:00:00Z,0.3333333333333333,\"{\"\"b\"\":1,\"\"a\"\":[2]}\"\nx,,,+Inf,\n"},
		{"typed result as table", FormatTable, result{Name: "demo", Total: 12.3456}, "name:   demo\ntotal:  12.35\n\nDetail:\nK  V\na  1\nb\n"},
		{"typed result as json", FormatJSON, result{Name: "demo", Total: 12.3456}, "{\n  \"name\": \"demo\",\n  \"total_usd\": 12.3456\n}\n"},
		{"empty table", FormatTable, &Table{Columns: []string{"a"}}, "(no rows)\n"},
		{"empty json is an array", FormatJSON, &Table{Columns: []string{"a"}, Rows: [][]any{}}, "[]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := Render(&b, tt.format, tt.v); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"table", "json", "csv"} {
		if _, err := ParseFormat(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil {
		t.Error("yaml accepted")
	}
}

func TestCountAndBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := Bytes(1_500_000); got != "1.5 MB" {
		t.Errorf("Bytes = %q", got)
	}
}
