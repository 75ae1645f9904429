package queries

import (
	"strings"
)

// Field is one `-- key: value` line of a statement file's leading comment
// block, with its continuation lines (indented by three or more spaces after
// the `--`) joined on.
type Field struct {
	Key, Value string
}

// SplitHeader splits a statement file into its header fields, in order, and
// the statement after them. Comment lines without a key are ignored, as are
// blank lines between the header and the statement.
func SplitHeader(text string) (fields []Field, statement string) {
	lines := strings.Split(text, "\n")
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		if !strings.HasPrefix(line, "--") {
			break
		}
		rest := strings.TrimPrefix(line, "--")
		if strings.HasPrefix(rest, "   ") && len(fields) > 0 && fields[len(fields)-1].Key != "" {
			f := &fields[len(fields)-1]
			f.Value += " " + strings.TrimSpace(rest)
			continue
		}
		key, val, ok := strings.Cut(strings.TrimSpace(rest), ":")
		if !ok {
			// a comment line that is not a field ends any continuation
			fields = append(fields, Field{})
			continue
		}
		fields = append(fields, Field{Key: strings.TrimSpace(key), Value: strings.TrimSpace(val)})
	}
	kept := fields[:0]
	for _, f := range fields {
		if f.Key != "" {
			kept = append(kept, f)
		}
	}
	return kept, strings.TrimSpace(strings.Join(lines[i:], "\n"))
}
