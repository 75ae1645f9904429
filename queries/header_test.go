package queries

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitHeader(t *testing.T) {
	t.Parallel()
	text := `-- title: Root user activity
-- description: Calls made with the root user's
--   credentials, continued.
-- a comment that is not a field
--   and is not continued onto the field above
-- param: since TIMESTAMPTZ -infinity Start
--    of the window

SELECT 1
-- trailing comment stays in the statement
`
	fields, stmt := SplitHeader(text)
	want := []Field{
		{"title", "Root user activity"},
		{"description", "Calls made with the root user's credentials, continued."},
		{"param", "since TIMESTAMPTZ -infinity Start of the window"},
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if stmt != "SELECT 1\n-- trailing comment stays in the statement" {
		t.Errorf("statement %q", stmt)
	}
}

func TestLoadNamedTrailQueries(t *testing.T) {
	t.Parallel()
	qs, err := LoadNamed(Trail())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Title == "" || q.Description == "" || q.SQL == "" || len(q.Params) < 2 {
			t.Errorf("%s: %+v", q.Name, q)
		}
	}
}

func TestParseNamedRejects(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"no title":         "-- description: d\nSELECT 1",
		"undeclared param": "-- title: t\n-- description: d\nSELECT $x",
		"unused param":     "-- title: t\n-- description: d\n-- param: x INTEGER 1 the x\nSELECT 1",
		"bad type":         "-- title: t\n-- description: d\n-- param: x TEXTISH 1 the x\nSELECT $x",
		"no statement":     "-- title: t\n-- description: d\n",
	} {
		if _, err := ParseNamed("q", text); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
