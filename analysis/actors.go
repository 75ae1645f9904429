package analysis

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrBadRules means a rules file could not be used; the message says why.
var ErrBadRules = errors.New("bad actor rules")

// Rule assigns an actor to the events it matches. Rules are tried in order;
// the first whose conditions all hold wins. Within one condition a list of
// patterns means any of them.
//
// Patterns are globs: * matches any run of characters (also none), ? exactly
// one; everything else is literal and, unless IgnoreCase, case-sensitive. A
// field that is absent from an event (SQL NULL, or empty) matches nothing.
type Rule struct {
	// ID names the rule. A user rule with a built-in rule's ID replaces it.
	ID string `yaml:"id" json:"id"`
	// Actor is the actor ID, possibly a template: {role}, {session}, {user},
	// {service} (invokedBy), {principal} (the ARN), {account}, {identity_type}.
	// A rule only matches events that have every field its template uses.
	Actor       string `yaml:"actor" json:"actor"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	Match       Match  `yaml:"match" json:"match"`
	IgnoreCase  bool   `yaml:"ignore_case,omitempty" json:"ignore_case,omitempty"`
	// Disable, in a user rules file, removes the built-in rule with this ID.
	Disable bool `yaml:"disable,omitempty" json:"disable,omitempty"`
	// Builtin marks the rules footprint ships.
	Builtin bool `yaml:"-" json:"builtin"`
}

// Match holds a rule's conditions; every non-empty one must hold.
type Match struct {
	Role         Patterns `yaml:"role,omitempty" json:"role,omitempty"`                   // sessionContext.sessionIssuer.userName
	Session      Patterns `yaml:"session,omitempty" json:"session,omitempty"`             // role-session name
	UserAgent    Patterns `yaml:"user_agent,omitempty" json:"user_agent,omitempty"`       // userAgent
	IdentityType Patterns `yaml:"identity_type,omitempty" json:"identity_type,omitempty"` // userIdentity.type
	InvokedBy    Patterns `yaml:"invoked_by,omitempty" json:"invoked_by,omitempty"`       // userIdentity.invokedBy
	SourceIP     Patterns `yaml:"source_ip,omitempty" json:"source_ip,omitempty"`         // sourceIPAddress
	User         Patterns `yaml:"user,omitempty" json:"user,omitempty"`                   // userIdentity.userName
	Principal    Patterns `yaml:"principal,omitempty" json:"principal,omitempty"`         // userIdentity.arn
	Account      Patterns `yaml:"account,omitempty" json:"account,omitempty"`             // recipientAccountId
	EventType    Patterns `yaml:"event_type,omitempty" json:"event_type,omitempty"`       // eventType
	// Console, when set, requires the event to come from (true) or not from
	// (false) the AWS Management Console: a console sign-in or action, or
	// sessionCredentialFromConsole.
	Console *bool `yaml:"console,omitempty" json:"console,omitempty"`
}

// Patterns is one glob or a list of globs (any of them).
type Patterns []string

// UnmarshalYAML accepts a string or a list of strings.
func (p *Patterns) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*p = Patterns{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*p = s
		return nil
	}
	return fmt.Errorf("line %d: want a pattern or a list of patterns", n.Line)
}

// field is one event attribute a rule can test.
type field struct {
	name   string // as in the rules file
	column string // SQL over the classified columns
	get    func(*Event) string
}

// fields in the order conditions are checked and explained.
var fields = []field{
	{"role", "session_issuer_name", func(e *Event) string { return e.Role }},
	{"session", "session_name", func(e *Event) string { return e.Session }},
	{"user_agent", "user_agent", func(e *Event) string { return e.UserAgent }},
	{"identity_type", "identity_type", func(e *Event) string { return e.IdentityType }},
	{"invoked_by", "invoked_by", func(e *Event) string { return e.InvokedBy }},
	{"source_ip", "source_ip_address", func(e *Event) string { return e.SourceIP }},
	{"user", "user_name", func(e *Event) string { return e.User }},
	{"principal", "principal_arn", func(e *Event) string { return e.Principal }},
	{"account", "recipient_account_id", func(e *Event) string { return e.Account }},
	{"event_type", "event_type", func(e *Event) string { return e.EventType }},
}

func (m *Match) patterns(name string) Patterns {
	switch name {
	case "role":
		return m.Role
	case "session":
		return m.Session
	case "user_agent":
		return m.UserAgent
	case "identity_type":
		return m.IdentityType
	case "invoked_by":
		return m.InvokedBy
	case "source_ip":
		return m.SourceIP
	case "user":
		return m.User
	case "principal":
		return m.Principal
	case "account":
		return m.Account
	case "event_type":
		return m.EventType
	}
	return nil
}

// template placeholders and the field each reads.
var placeholders = map[string]string{
	"role": "role", "session": "session", "user": "user", "service": "invoked_by",
	"principal": "principal", "account": "account", "identity_type": "identity_type",
}

var placeholderRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// templatePart is a literal or a field reference of an actor template.
type templatePart struct {
	literal string
	field   string // set for a placeholder
}

func parseTemplate(s string) ([]templatePart, error) {
	var parts []templatePart
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			parts = append(parts, templatePart{literal: s[last:m[0]]})
		}
		name := s[m[2]:m[3]]
		f, ok := placeholders[name]
		if !ok {
			return nil, fmt.Errorf("unknown placeholder {%s}: use {role}, {session}, {user}, {service}, {principal}, {account} or {identity_type}", name)
		}
		parts = append(parts, templatePart{field: f})
		last = m[1]
	}
	if last < len(s) {
		parts = append(parts, templatePart{literal: s[last:]})
	}
	return parts, nil
}

func fieldByName(name string) field {
	for _, f := range fields {
		if f.name == name {
			return f
		}
	}
	panic("analysis: unknown field " + name)
}

func validate(r *Rule) error {
	if r.ID == "" {
		return errors.New("a rule needs an id")
	}
	if r.Disable {
		return nil
	}
	if strings.TrimSpace(r.Actor) == "" {
		return fmt.Errorf("rule %s: no actor", r.ID)
	}
	if _, err := parseTemplate(r.Actor); err != nil {
		return fmt.Errorf("rule %s: %w", r.ID, err)
	}
	for _, f := range fields {
		for _, p := range r.Match.patterns(f.name) {
			if p == "" {
				return fmt.Errorf("rule %s: empty %s pattern", r.ID, f.name)
			}
		}
	}
	return nil
}

// RulesFile is the format of --actors FILE (YAML or JSON).
type RulesFile struct {
	Rules []Rule `yaml:"rules" json:"rules"`
}

// ParseRules reads a rules document (YAML, or JSON, which YAML accepts).
func ParseRules(b []byte) ([]Rule, error) {
	var f RulesFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRules, err)
	}
	seen := map[string]bool{}
	for i := range f.Rules {
		if err := validate(&f.Rules[i]); err != nil {
			return nil, fmt.Errorf("%w: rule %d: %v", ErrBadRules, i+1, err)
		}
		if seen[f.Rules[i].ID] {
			return nil, fmt.Errorf("%w: rule id %s appears twice", ErrBadRules, f.Rules[i].ID)
		}
		seen[f.Rules[i].ID] = true
	}
	return f.Rules, nil
}

// LoadRules returns the built-in rules merged with the user's rules file
// (path may be empty). A user rule whose ID is a built-in rule's replaces it
// in its place (or removes it, with disable: true); every other user rule
// comes before all built-in rules, in file order.
func LoadRules(path string) ([]Rule, error) {
	if path == "" {
		return BuiltinRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read actor rules: %w", err)
	}
	user, err := ParseRules(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return MergeRules(BuiltinRules(), user)
}

// MergeRules applies user rules to base as LoadRules describes.
func MergeRules(base, user []Rule) ([]Rule, error) {
	byID := map[string]int{}
	for i, r := range base {
		byID[r.ID] = i
	}
	replaced := map[string]*Rule{}
	var front []Rule
	for i := range user {
		u := user[i]
		if _, ok := byID[u.ID]; ok {
			replaced[u.ID] = &u
			continue
		}
		if u.Disable {
			return nil, fmt.Errorf("%w: rule %s disables a built-in rule that does not exist", ErrBadRules, u.ID)
		}
		front = append(front, u)
	}
	out := append([]Rule{}, front...)
	for _, r := range base {
		if u, ok := replaced[r.ID]; ok {
			if u.Disable {
				continue
			}
			out = append(out, *u)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func yes() *bool { b := true; return &b }

// defenderRoles are the roles Microsoft Defender for Cloud's plans create
// (../shared/reference/cloudtrail.md).
var defenderRoles = Patterns{"CspmMonitorAws", "DefenderForCloud-*", "SensitiveDataDiscovery",
	"MDCContainersAgentlessDiscoveryK8sRole", "MDCContainersImageAssessmentRole"}

// BuiltinRules are footprint's own rules, most specific first: footprint
// itself, the known tools, AWS services acting for you, the console, then
// readable fallbacks so every event gets exactly one actor.
func BuiltinRules() []Rule {
	rules := []Rule{
		{ID: "footprint-session", Actor: "footprint", Description: "footprint's fixed role-session name",
			Match: Match{Session: Patterns{"footprint-scanner"}}},
		{ID: "footprint-user-agent", Actor: "footprint", Description: "footprint's user agent (footprint/<version>)",
			Match: Match{UserAgent: Patterns{"footprint/*", "* footprint/*", "*app/footprint*"}}},
		{ID: "defender-session", Actor: "defender-for-cloud", Description: "Defender for Cloud CSPM's session name MicrosoftDefenderForClouds_<tenant>",
			Match: Match{Session: Patterns{"MicrosoftDefenderForClouds_*"}}},
		{ID: "defender-roles", Actor: "defender-for-cloud", Description: "roles the Defender for Cloud plans create",
			Match: Match{Role: defenderRoles}},
		{ID: "prowler-session", Actor: "prowler", Description: "Prowler's default session name",
			Match: Match{Session: Patterns{"ProwlerAssessmentSession"}}},
		{ID: "prowler-user-agent", Actor: "prowler", Description: "Prowler's APN id in the user agent",
			Match: Match{UserAgent: Patterns{"*APN_1826889*"}}},
		{ID: "scoutsuite-user-agent", Actor: "scoutsuite", Description: "ScoutSuite's user agent (Scout Suite/<version>)",
			Match: Match{UserAgent: Patterns{"*Scout Suite*", "*ScoutSuite*"}}},
		{ID: "steampipe", Actor: "steampipe", Description: "Steampipe's session name or user agent",
			IgnoreCase: true, Match: Match{UserAgent: Patterns{"*steampipe*"}}},
		{ID: "steampipe-session", Actor: "steampipe", Description: "Steampipe's session name",
			IgnoreCase: true, Match: Match{Session: Patterns{"steampipe*"}}},
		{ID: "cloudquery", Actor: "cloudquery", Description: "CloudQuery's user agent",
			IgnoreCase: true, Match: Match{UserAgent: Patterns{"*cloudquery*"}}},
		{ID: "cloudquery-session", Actor: "cloudquery", Description: "CloudQuery's session name",
			IgnoreCase: true, Match: Match{Session: Patterns{"cloudquery*"}}},
		{ID: "terraform-user-agent", Actor: "terraform", Description: "the Terraform AWS provider's user agent",
			Match: Match{UserAgent: Patterns{"*Terraform/*", "*terraform-provider-aws/*"}}},
		{ID: "aws-config-role", Actor: "aws-config", Description: "AWS Config's service-linked role",
			Match: Match{Role: Patterns{"AWSServiceRoleForConfig", "aws-config-role*", "AWSConfigRole*"}}},
		{ID: "aws-config-session", Actor: "aws-config", Description: "AWS Config's session name",
			Match: Match{Session: Patterns{"AWSConfig-*"}}},
		{ID: "aws-config-service", Actor: "aws-config", Description: "calls AWS Config made (invokedBy)",
			Match: Match{InvokedBy: Patterns{"config.amazonaws.com"}}},
		{ID: "security-hub-role", Actor: "security-hub", Description: "Security Hub's service-linked role",
			Match: Match{Role: Patterns{"AWSServiceRoleForSecurityHub"}}},
		{ID: "security-hub-service", Actor: "security-hub", Description: "calls Security Hub made (invokedBy)",
			Match: Match{InvokedBy: Patterns{"securityhub.amazonaws.com"}}},
		{ID: "aws-service", Actor: "service:{service}", Description: "an AWS service acting on its own or on your behalf",
			Match: Match{InvokedBy: Patterns{"*"}}},
		{ID: "aws-service-identity", Actor: "service:{service}", Description: "AWSService identity",
			Match: Match{IdentityType: Patterns{"AWSService"}}},
		{ID: "root", Actor: "root", Description: "the account's root user",
			Match: Match{IdentityType: Patterns{"Root"}}},
		{ID: "console-user", Actor: "user:{user}", Description: "an IAM user in the AWS Management Console",
			Match: Match{Console: yes()}},
		{ID: "console-session", Actor: "role:{role}", Description: "a role session in the AWS Management Console (SSO or switch-role)",
			Match: Match{Console: yes()}},
		{ID: "role", Actor: "role:{role}", Description: "any other role session: named after the role",
			Match: Match{IdentityType: Patterns{"AssumedRole"}}},
		{ID: "user", Actor: "user:{user}", Description: "an IAM user, federated or Identity Center user: named after the user",
			Match: Match{}},
		{ID: "principal", Actor: "principal:{principal}", Description: "any other principal: named after its ARN",
			Match: Match{}},
		{ID: "unknown", Actor: "unknown", Description: "no identity in the record", Match: Match{}},
	}
	for i := range rules {
		rules[i].Builtin = true
	}
	return rules
}
