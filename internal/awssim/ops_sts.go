package awssim

import (
	"regexp"
	"strings"
	"time"
)

func registerSTS(r registry) {
	r.add(
		&Operation{Service: "sts", Name: "GetCallerIdentity", ReadOnly: true, Handler: stsGetCallerIdentity,
			Params: func(*Call) any { return nil }},
		&Operation{Service: "sts", Name: "AssumeRole", ReadOnly: true, Handler: stsAssumeRole},
	)
}

func stsGetCallerIdentity(c *Call) (any, error) {
	p := c.caller
	return Struct{F("UserId", p.ID()), F("Account", p.Account.ID), F("Arn", p.ARN())}, nil
}

var (
	roleARNRe     = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$`)
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

func stsAssumeRole(c *Call) (any, error) {
	arn := c.In.Str("RoleArn")
	session := c.In.Str("RoleSessionName")
	if !sessionNameRe.MatchString(session) {
		return nil, c.err(errValidation, "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	m := roleARNRe.FindStringSubmatch(arn)
	if m == nil {
		return nil, c.err(errValidation, "%s is invalid", arn)
	}
	denied := c.err(errAccessDenied, "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.caller.ARN(), arn)
	acct := c.sim.fx.account(m[1])
	if acct == nil {
		return nil, denied
	}
	var role *Role
	for _, r := range acct.IAM.Roles {
		if r.Name == m[2] && roleARN(acct, r) == arn {
			role = r
		}
	}
	c.resources = []trailResource{{AccountID: acct.ID, Type: "AWS::IAM::Role", ARN: arn}}
	c.sharedWith = acct
	if role == nil {
		return nil, denied
	}
	tc := trustContext{caller: c.caller, externalID: c.In.Str("ExternalId"), sessionName: session,
		sourceIdentity: c.In.Str("SourceIdentity")}
	if c.caller.Type == TypeAssumedRole && c.caller.SourceIdentity != "" {
		if tc.sourceIdentity != "" && tc.sourceIdentity != c.caller.SourceIdentity {
			return nil, denied
		}
		tc.sourceIdentity = c.caller.SourceIdentity // a source identity persists through role chaining
	}
	if !tc.allows(role.TrustPolicy.JSON) {
		return nil, denied
	}
	max := role.MaxSessionDuration
	if max == 0 {
		max = 3600
	}
	if c.caller.Type == TypeAssumedRole {
		max = 3600 // role chaining
	}
	dur := 3600
	if d, ok := c.In.Int("DurationSeconds"); ok {
		if d < 900 || d > max {
			return nil, c.err(errValidation, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		dur = d
	}
	s := c.sim
	s.mu.Lock()
	p := &principal{
		Type: TypeAssumedRole, Account: acct, Role: role, Session: session, SourceIdentity: tc.sourceIdentity,
		KeyID:   "ASIA" + strings.ToUpper(s.tokenLocked(16)),
		Secret:  s.tokenLocked(40),
		Token:   "awssim/" + s.tokenLocked(120),
		Created: c.Now,
		Expires: c.Now.Add(time.Duration(dur) * time.Second),
	}
	s.sessions[p.KeyID] = p
	s.mu.Unlock()

	resp := map[string]any{
		"credentials": map[string]any{"accessKeyId": p.KeyID, "sessionToken": p.Token,
			"expiration": p.Expires.Format("Jan 2, 2006, 3:04:05 PM")},
		"assumedRoleUser": map[string]any{"assumedRoleId": p.ID(), "arn": p.ARN()},
	}
	out := Struct{
		F("Credentials", Struct{F("AccessKeyId", p.KeyID), F("SecretAccessKey", p.Secret),
			F("SessionToken", p.Token), F("Expiration", p.Expires)}),
		F("AssumedRoleUser", Struct{F("AssumedRoleId", p.ID()), F("Arn", p.ARN())}),
		F("PackedPolicySize", 0),
	}
	if p.SourceIdentity != "" {
		out = append(out, F("SourceIdentity", p.SourceIdentity))
		resp["sourceIdentity"] = p.SourceIdentity
	}
	c.respElems = resp
	return out, nil
}
