package awssim

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"
)

// Principal types as CloudTrail's userIdentity.type names them.
const (
	TypeRoot        = "Root"
	TypeIAMUser     = "IAMUser"
	TypeAssumedRole = "AssumedRole"
)

// principal is who made a request.
type principal struct {
	Type    string
	Account *Account
	User    *User // IAMUser
	Role    *Role // AssumedRole
	Session string
	// SourceIdentity of an assumed-role session.
	SourceIdentity string
	KeyID          string
	Secret         string
	Token          string
	Created        time.Time
	Expires        time.Time
}

// ARN is the principal's ARN as GetCallerIdentity and CloudTrail give it.
func (p *principal) ARN() string {
	switch p.Type {
	case TypeRoot:
		return "arn:aws:iam::" + p.Account.ID + ":root"
	case TypeIAMUser:
		return "arn:aws:iam::" + p.Account.ID + ":user" + pathOr(p.User.Path) + p.User.Name
	case TypeAssumedRole:
		return "arn:aws:sts::" + p.Account.ID + ":assumed-role/" + p.Role.Name + "/" + p.Session
	}
	return ""
}

// ID is the principal's userId / principalId.
func (p *principal) ID() string {
	switch p.Type {
	case TypeRoot:
		return p.Account.ID
	case TypeIAMUser:
		return userID(p.Account, p.User)
	case TypeAssumedRole:
		return roleID(p.Account, p.Role) + ":" + p.Session
	}
	return ""
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// stableID derives an AWS-looking unique ID from a name, so the same
// fixture always gives the same IDs.
func stableID(prefix, seed string) string {
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	h := uint64(1469598103934665603)
	for i := 0; i < len(seed); i++ {
		h ^= uint64(seed[i])
		h *= 1099511628211
	}
	b := []byte(prefix)
	for len(b) < 21 {
		b = append(b, upper[h%uint64(len(upper))])
		h = h*6364136223846793005 + 1442695040888963407
	}
	return string(b)
}

func userID(a *Account, u *User) string {
	if u.ID != "" {
		return u.ID
	}
	return stableID("AIDA", a.ID+"/user/"+u.Name)
}

func roleID(a *Account, r *Role) string {
	if r.ID != "" {
		return r.ID
	}
	return stableID("AROA", a.ID+"/role/"+r.Name)
}

func policyID(account string, p *Policy) string {
	if p.ID != "" {
		return p.ID
	}
	return stableID("ANPA", account+"/policy/"+p.Name)
}

func roleARN(a *Account, r *Role) string {
	return "arn:aws:iam::" + a.ID + ":role" + pathOr(r.Path) + r.Name
}

func userARN(a *Account, u *User) string {
	return "arn:aws:iam::" + a.ID + ":user" + pathOr(u.Path) + u.Name
}

// ---- policy documents (trust evaluation) ----

type policyDoc struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

type statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal any                       `json:"Principal"`
	Action    any                       `json:"Action"`
	Resource  any                       `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition"`
}

// parsePolicy reads a policy document; Statement may be one object or a list.
func parsePolicy(doc string) (*policyDoc, error) {
	var raw struct {
		Version   string          `json:"Version"`
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	p := &policyDoc{Version: raw.Version}
	s := strings.TrimSpace(string(raw.Statement))
	switch {
	case s == "":
		return nil, fmt.Errorf("policy document has no Statement")
	case strings.HasPrefix(s, "["):
		if err := json.Unmarshal(raw.Statement, &p.Statement); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
	default:
		var st statement
		if err := json.Unmarshal(raw.Statement, &st); err != nil {
			return nil, fmt.Errorf("policy Statement: %w", err)
		}
		p.Statement = []statement{st}
	}
	for i, st := range p.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, fmt.Errorf("policy Statement[%d].Effect %q is neither Allow nor Deny", i, st.Effect)
		}
	}
	return p, nil
}

func strList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func wildcard(pattern, s string) bool {
	ok, err := path.Match(strings.ReplaceAll(strings.ToLower(pattern), "/", "\x00"), strings.ReplaceAll(strings.ToLower(s), "/", "\x00"))
	return err == nil && ok
}

// trustContext is what a trust policy is evaluated against.
type trustContext struct {
	caller         *principal
	externalID     string
	sessionName    string
	sourceIdentity string
}

// principalMatches reports whether a statement's Principal names the caller.
func (tc trustContext) principalMatches(p any) bool {
	if s, ok := p.(string); ok {
		return s == "*"
	}
	m, ok := p.(map[string]any)
	if !ok {
		return false
	}
	c := tc.caller
	for _, v := range strList(m["AWS"]) {
		switch {
		case v == "*":
			return true
		case v == c.Account.ID, v == "arn:aws:iam::"+c.Account.ID+":root":
			return true
		case c.Type == TypeIAMUser && v == userARN(c.Account, c.User):
			return true
		case c.Type == TypeAssumedRole && (v == roleARN(c.Account, c.Role) || v == c.ARN()):
			return true
		}
	}
	return false
}

func (tc trustContext) conditionsHold(cond map[string]map[string]any) bool {
	keys := map[string]string{
		"sts:externalid":       tc.externalID,
		"sts:rolesessionname":  tc.sessionName,
		"sts:sourceidentity":   tc.sourceIdentity,
		"aws:principalaccount": tc.caller.Account.ID,
		"aws:principalarn":     tc.caller.ARN(),
	}
	for op, kv := range cond {
		for k, want := range kv {
			have, known := keys[strings.ToLower(k)]
			wants := strList(want)
			match := false
			for _, w := range wants {
				switch op {
				case "StringEquals":
					match = match || (known && have == w)
				case "StringLike":
					match = match || (known && wildcard(w, have))
				case "StringNotEquals":
					match = known && have != w
				default:
					return false // an operator we do not evaluate never allows
				}
			}
			if !match {
				return false
			}
		}
	}
	return true
}

// allows reports whether the trust policy lets the caller assume the role.
func (tc trustContext) allows(doc string) bool {
	p, err := parsePolicy(doc)
	if err != nil {
		return false
	}
	allowed := false
	for _, st := range p.Statement {
		actionOK := false
		for _, a := range strList(st.Action) {
			if wildcard(a, "sts:AssumeRole") {
				actionOK = true
			}
		}
		if !actionOK || !tc.principalMatches(st.Principal) || !tc.conditionsHold(st.Condition) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}
