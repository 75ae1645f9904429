package scan

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/footprint-dev/footprint/queries"
)

// Control is one control's SQL (queries/controls/<ID>.sql). The statement
// returns one row per evaluated resource: account_id, region, resource_arn,
// status (pass, fail, or not_evaluated) and reason. Its leading comment
// block declares
//
//	-- control: IAM.4
//	-- tables: iam_credential_report            every table the statement reads
//	-- gaps: account                            optional: a gap anywhere in the account reaches every finding
//	-- semantics: how the control is evaluated (continuation lines indented)
//	-- body: cis_metric_filter_alarm            optional: run shared/<name>.sql instead of a statement of its own
//
// The statement may use $scan_id, $now (the scan's start), $partition and,
// for the CIS metric-filter controls, $pattern (the requirement's exact
// filter pattern from the standard).
type Control struct {
	ID        string
	Tables    []string
	GapScope  string // region (default) or account
	Semantics string
	SQL       string
	Params    []string
	// Body names a shared statement (shared/<name>.sql) the control runs.
	Body string
}

// Gap scopes.
const (
	GapScopeRegion  = "region"
	GapScopeAccount = "account"
)

// KnownParams are the parameters the evaluator binds.
var KnownParams = []string{"now", "partition", "pattern", "scan_id"}

var (
	controlIDRE = regexp.MustCompile(`^[A-Za-z0-9]+\.[0-9]+$`)
	paramRE     = regexp.MustCompile(`\$([a-z_]+)`)
	tableRE     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// LoadControls parses every control file.
func LoadControls() (map[string]*Control, error) { return ParseControls(queries.Controls()) }

// ParseControls parses every <ID>.sql in fsys.
func ParseControls(fsys fs.FS) (map[string]*Control, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]*Control{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		c, err := ParseControl(strings.TrimSuffix(e.Name(), ".sql"), string(b))
		if err != nil {
			return nil, err
		}
		if c.Body != "" {
			shared, err := fs.ReadFile(fsys, path.Join("shared", c.Body+".sql"))
			if err != nil {
				return nil, fmt.Errorf("control %s: body %s: %w", c.ID, c.Body, err)
			}
			_, statement := queries.SplitHeader(string(shared))
			if err := c.setSQL(statement); err != nil {
				return nil, err
			}
		}
		out[c.ID] = c
	}
	return out, nil
}

// ParseControl parses one control file named id.
func ParseControl(id, text string) (*Control, error) {
	c := &Control{ID: id, GapScope: GapScopeRegion}
	if !controlIDRE.MatchString(id) {
		return nil, fmt.Errorf("control file %s.sql: the name must be a control ID such as IAM.4", id)
	}
	declared := ""
	fields, own := queries.SplitHeader(text)
	for _, f := range fields {
		switch f.Key {
		case "control":
			declared = f.Value
		case "tables":
			for _, t := range strings.Split(f.Value, ",") {
				if t = strings.TrimSpace(t); t != "" {
					c.Tables = append(c.Tables, t)
				}
			}
		case "gaps":
			c.GapScope = f.Value
		case "semantics":
			c.Semantics = f.Value
		case "body":
			c.Body = f.Value
		}
	}
	switch {
	case declared != id:
		return nil, fmt.Errorf("control %s.sql: `-- control: %s` does not match the file name", id, declared)
	case len(c.Tables) == 0:
		return nil, fmt.Errorf("control %s: missing `-- tables:`", id)
	case c.Semantics == "":
		return nil, fmt.Errorf("control %s: missing `-- semantics:`", id)
	case own == "" && c.Body == "":
		return nil, fmt.Errorf("control %s: no statement", id)
	case own != "" && c.Body != "":
		return nil, fmt.Errorf("control %s: a statement and `-- body: %s`: choose one", id, c.Body)
	case c.GapScope != GapScopeRegion && c.GapScope != GapScopeAccount:
		return nil, fmt.Errorf("control %s: gaps must be region or account, not %q", id, c.GapScope)
	}
	for _, t := range c.Tables {
		if !tableRE.MatchString(t) {
			return nil, fmt.Errorf("control %s: bad table name %q", id, t)
		}
	}
	if own != "" {
		if err := c.setSQL(own); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// setSQL sets the statement and the parameters it uses.
func (c *Control) setSQL(sql string) error {
	c.SQL, c.Params = sql, nil
	seen := map[string]bool{}
	for _, m := range paramRE.FindAllStringSubmatch(sql, -1) {
		if seen[m[1]] {
			continue
		}
		seen[m[1]] = true
		if i := sort.SearchStrings(KnownParams, m[1]); i == len(KnownParams) || KnownParams[i] != m[1] {
			return fmt.Errorf("control %s: unknown parameter $%s (known: %s)", c.ID, m[1], strings.Join(KnownParams, ", "))
		}
		c.Params = append(c.Params, m[1])
	}
	sort.Strings(c.Params)
	return nil
}
