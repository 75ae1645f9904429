package collect

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// statement is one policy statement flattened into lists, as the
// *_policy_statements tables hold it.
type statement struct {
	Sid           string
	Effect        string
	Principals    []string // "*", "AWS:<arn>", "Service:<name>" ...
	NotPrincipals []string
	Actions       []string
	NotActions    []string
	Resources     []string
	NotResources  []string
	Condition     string // JSON, "" when none
}

// parsePolicy decodes a policy document: JSON, or JSON URL-encoded as IAM
// returns it.
func parsePolicy(doc string) ([]statement, error) {
	doc = strings.TrimSpace(doc)
	if strings.HasPrefix(doc, "%") {
		if d, err := url.PathUnescape(doc); err == nil {
			doc = d
		}
	}
	var raw struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var list []map[string]json.RawMessage
	switch s := strings.TrimSpace(string(raw.Statement)); {
	case s == "" || s == "null":
	case strings.HasPrefix(s, "["):
		if err := json.Unmarshal(raw.Statement, &list); err != nil {
			return nil, fmt.Errorf("policy statements: %w", err)
		}
	default:
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy statement: %w", err)
		}
		list = append(list, one)
	}
	out := make([]statement, 0, len(list))
	for _, m := range list {
		var st statement
		var err error
		st.Sid, _ = jsonString(m["Sid"])
		st.Effect, _ = jsonString(m["Effect"])
		if st.Actions, err = stringList(m["Action"]); err != nil {
			return nil, fmt.Errorf("Action: %w", err)
		}
		if st.NotActions, err = stringList(m["NotAction"]); err != nil {
			return nil, fmt.Errorf("NotAction: %w", err)
		}
		if st.Resources, err = stringList(m["Resource"]); err != nil {
			return nil, fmt.Errorf("Resource: %w", err)
		}
		if st.NotResources, err = stringList(m["NotResource"]); err != nil {
			return nil, fmt.Errorf("NotResource: %w", err)
		}
		if st.Principals, err = principals(m["Principal"]); err != nil {
			return nil, fmt.Errorf("Principal: %w", err)
		}
		if st.NotPrincipals, err = principals(m["NotPrincipal"]); err != nil {
			return nil, fmt.Errorf("NotPrincipal: %w", err)
		}
		if c := strings.TrimSpace(string(m["Condition"])); c != "" && c != "null" && c != "{}" {
			st.Condition = c
		}
		out = append(out, st)
	}
	return out, nil
}

func jsonString(r json.RawMessage) (string, bool) {
	var s string
	if len(r) == 0 || json.Unmarshal(r, &s) != nil {
		return "", false
	}
	return s, true
}

// stringList reads a string or a list of strings (nil when absent).
func stringList(r json.RawMessage) ([]string, error) {
	if len(r) == 0 || string(r) == "null" {
		return nil, nil
	}
	if s, ok := jsonString(r); ok {
		return []string{s}, nil
	}
	var l []string
	if err := json.Unmarshal(r, &l); err != nil {
		return nil, err
	}
	return l, nil
}

// principals flattens "*" or {"AWS": ..., "Service": ...} into sorted
// "<type>:<value>" strings; "*" and {"AWS": "*"} are both "*".
func principals(r json.RawMessage) ([]string, error) {
	if len(r) == 0 || string(r) == "null" {
		return nil, nil
	}
	if s, ok := jsonString(r); ok {
		return []string{s}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r, &m); err != nil {
		return nil, err
	}
	var out []string
	for k, v := range m {
		vals, err := stringList(v)
		if err != nil {
			return nil, err
		}
		for _, x := range vals {
			if k == "AWS" && x == "*" {
				out = append(out, "*")
				continue
			}
			out = append(out, k+":"+x)
		}
	}
	sort.Strings(out)
	return out, nil
}

// list turns a string slice into a LIST column value (NULL for nil).
func list(s []string) any {
	if s == nil {
		return nil
	}
	return s
}

// nullable turns "" into NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
