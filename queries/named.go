package queries

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Named is a query file with its metadata. The metadata lives in the file's
// leading comment block:
//
//	-- title: Root user activity
//	-- description: Calls made with the root user's credentials.
//	--   Continuation lines are indented by two or more spaces.
//	-- param: since TIMESTAMPTZ -infinity Start of the window (inclusive)
//	-- param: min_calls INTEGER 10 Report principals with at least this many calls
//
// A param line gives name, DuckDB type, default (a single token; "”" is the
// empty string) and a description. Statements refer to params as $name.
type Named struct {
	Name        string
	Title       string
	Description string
	Params      []Param
	SQL         string
}

// Param is a named query parameter.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Default     string `json:"default"`
	Description string `json:"description"`
}

var paramTypes = map[string]bool{
	"VARCHAR": true, "INTEGER": true, "BIGINT": true, "DOUBLE": true,
	"BOOLEAN": true, "TIMESTAMPTZ": true, "INTERVAL": true,
}

var (
	nameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	paramRE = regexp.MustCompile(`\$([a-z][a-z0-9_]*)`)
)

// LoadNamed parses every .sql file in fsys, sorted by name.
func LoadNamed(fsys fs.FS) ([]Named, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []Named
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		q, err := ParseNamed(strings.TrimSuffix(e.Name(), ".sql"), string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ParseNamed parses one query file's metadata and checks that the statement
// uses exactly the parameters it declares.
func ParseNamed(name, text string) (Named, error) {
	q := Named{Name: name}
	if !nameRE.MatchString(name) {
		return q, fmt.Errorf("query %s: name must be lower_snake_case", name)
	}
	fields, statement := SplitHeader(text)
	for _, f := range fields {
		switch f.Key {
		case "title":
			q.Title = f.Value
		case "description":
			q.Description = f.Value
		case "param":
			p, err := parseParam(f.Value)
			if err != nil {
				return q, fmt.Errorf("query %s: %w", name, err)
			}
			q.Params = append(q.Params, p)
		}
	}
	q.SQL = statement
	switch {
	case q.Title == "":
		return q, fmt.Errorf("query %s: missing `-- title:`", name)
	case q.Description == "":
		return q, fmt.Errorf("query %s: missing `-- description:`", name)
	case q.SQL == "":
		return q, fmt.Errorf("query %s: no statement", name)
	}
	declared := map[string]bool{}
	for _, p := range q.Params {
		if declared[p.Name] {
			return q, fmt.Errorf("query %s: param %s declared twice", name, p.Name)
		}
		declared[p.Name] = true
	}
	used := map[string]bool{}
	for _, m := range paramRE.FindAllStringSubmatch(q.SQL, -1) {
		used[m[1]] = true
		if !declared[m[1]] {
			return q, fmt.Errorf("query %s: uses $%s without a `-- param:` line", name, m[1])
		}
	}
	for _, p := range q.Params {
		if !used[p.Name] {
			return q, fmt.Errorf("query %s: declares param %s but never uses it", name, p.Name)
		}
	}
	return q, nil
}

func parseParam(s string) (Param, error) {
	f := strings.Fields(s)
	if len(f) < 4 {
		return Param{}, fmt.Errorf("param %q: want `name TYPE default description`", s)
	}
	p := Param{Name: f[0], Type: strings.ToUpper(f[1]), Default: f[2], Description: strings.Join(f[3:], " ")}
	if p.Default == "''" {
		p.Default = ""
	}
	if !nameRE.MatchString(p.Name) {
		return p, fmt.Errorf("param %s: name must be lower_snake_case", p.Name)
	}
	if !paramTypes[p.Type] {
		return p, fmt.Errorf("param %s: unsupported type %s", p.Name, p.Type)
	}
	return p, nil
}
