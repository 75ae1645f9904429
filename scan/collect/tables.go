package collect

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/footprint-dev/footprint/queries"
)

// Tables maps every inventory table to its columns after the key columns
// (scan_id, account_id, region), in order. It is read from the schema
// migrations, so the Go side cannot drift from the DDL.
var Tables = mustInventoryTables()

// KeyColumns lead every inventory table.
var KeyColumns = []string{"scan_id", "account_id", "region"}

var createRE = regexp.MustCompile(`(?s)CREATE TABLE ([a-z0-9_]+) \((.*?)\n\);`)

func mustInventoryTables() map[string][]string {
	t, err := inventoryTables(queries.Schema())
	if err != nil {
		panic(err) // the embedded schema is fixed at build time
	}
	return t
}

// inventoryTables parses the CREATE TABLE statements of the migrations and
// keeps the tables whose first columns are the inventory key.
func inventoryTables(fsys fs.FS) (map[string][]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		for _, m := range createRE.FindAllStringSubmatch(string(b), -1) {
			var cols []string
			for _, line := range strings.Split(m[2], "\n") {
				line = strings.TrimSpace(line)
				if line == "" || strings.HasPrefix(line, "--") {
					continue
				}
				cols = append(cols, strings.Fields(line)[0])
			}
			if len(cols) < 3 || cols[0] != "scan_id" || cols[1] != "account_id" || cols[2] != "region" {
				continue
			}
			switch name := m[1]; {
			case strings.HasPrefix(name, "scan_"), name == "findings":
				// the scanner's own bookkeeping, not inventory
			default:
				out[name] = cols[3:]
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no inventory tables in the schema")
	}
	return out, nil
}
