package analysis

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footprint-dev/footprint/internal/output"
)

// Event is what the actor rules look at in one event. Absent fields are "".
type Event struct {
	EventID      string    `json:"event_id"`
	Time         time.Time `json:"event_time"`
	Operation    string    `json:"operation"`
	Role         string    `json:"role"`
	Session      string    `json:"session"`
	UserAgent    string    `json:"user_agent"`
	IdentityType string    `json:"identity_type"`
	InvokedBy    string    `json:"invoked_by"`
	SourceIP     string    `json:"source_ip"`
	User         string    `json:"user"`
	Principal    string    `json:"principal"`
	Account      string    `json:"account"`
	EventType    string    `json:"event_type"`
	Console      bool      `json:"console"`
}

// consoleSQL says whether an events row came from the console. It never
// yields NULL, so the Go side's bool agrees with it.
const consoleSQL = `(coalesce(event_type IN ('AwsConsoleSignIn', 'AwsConsoleAction'), false) OR coalesce((record->>'sessionCredentialFromConsole') = 'true', false))`

// operationSQL names an event's operation IAM-style: iam:ListUsers.
const operationSQL = `(CASE WHEN event_source = 'monitoring.amazonaws.com' THEN 'cloudwatch' ELSE replace(event_source, '.amazonaws.com', '') END || ':' || event_name)`

// Classifier assigns actors with an ordered list of rules.
type Classifier struct {
	rules     []Rule
	templates [][]templatePart
}

// NewClassifier checks and compiles rules (see LoadRules).
func NewClassifier(rules []Rule) (*Classifier, error) {
	c := &Classifier{}
	for i := range rules {
		r := rules[i]
		if r.Disable {
			continue
		}
		if err := validate(&r); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadRules, err)
		}
		t, _ := parseTemplate(r.Actor)
		c.rules = append(c.rules, r)
		c.templates = append(c.templates, t)
	}
	return c, nil
}

// Rules returns the rules in the order they are tried.
func (c *Classifier) Rules() []Rule { return append([]Rule{}, c.rules...) }

// unknownActor is the actor of an event no rule matched (only possible when
// a rules file disabled the built-in catch-all).
const unknownActor = "unknown"

// RuleMatch is one rule's verdict on one event.
type RuleMatch struct {
	Index       int      `json:"index"`
	ID          string   `json:"id"`
	Description string   `json:"description,omitempty"`
	Builtin     bool     `json:"builtin"`
	Matched     bool     `json:"matched"`
	Reasons     []string `json:"reasons"`
}

// Explanation says which rule gave an event its actor and why, and why each
// earlier rule did not.
type Explanation struct {
	Event   Event       `json:"event"`
	Actor   string      `json:"actor"`
	Rule    *RuleMatch  `json:"rule"`
	Skipped []RuleMatch `json:"skipped"`
}

// Classify returns the actor and the index of the matching rule (-1: none).
func (c *Classifier) Classify(e *Event) (string, int) {
	for i := range c.rules {
		if ok, _ := c.match(i, e, false); ok {
			return c.actor(i, e), i
		}
	}
	return unknownActor, -1
}

// Explain evaluates the rules in Go, in order, and reports the first match.
func (c *Classifier) Explain(e *Event) *Explanation {
	x := &Explanation{Event: *e, Actor: unknownActor, Skipped: []RuleMatch{}}
	for i, r := range c.rules {
		ok, reasons := c.match(i, e, true)
		m := RuleMatch{Index: i, ID: r.ID, Description: r.Description, Builtin: r.Builtin, Matched: ok, Reasons: reasons}
		if ok {
			x.Rule = &m
			x.Actor = c.actor(i, e)
			return x
		}
		x.Skipped = append(x.Skipped, m)
	}
	return x
}

func fieldValue(name string, e *Event) string {
	return fieldByName(name).get(e)
}

func (c *Classifier) match(i int, e *Event, explain bool) (bool, []string) {
	r := &c.rules[i]
	var reasons []string
	for _, f := range fields {
		ps := r.Match.patterns(f.name)
		if len(ps) == 0 {
			continue
		}
		v := f.get(e)
		hit := ""
		if v != "" {
			for _, p := range ps {
				if globMatch(p, v, r.IgnoreCase) {
					hit = p
					break
				}
			}
		}
		if hit == "" {
			if !explain {
				return false, nil
			}
			if v == "" {
				return false, []string{fmt.Sprintf("%s is absent", f.name)}
			}
			return false, []string{fmt.Sprintf("%s %q matches none of %s", f.name, v, quoteList(ps))}
		}
		if explain {
			reasons = append(reasons, fmt.Sprintf("%s %q matches %q%s", f.name, v, hit, caseNote(r.IgnoreCase)))
		}
	}
	if r.Match.Console != nil {
		if e.Console != *r.Match.Console {
			if !explain {
				return false, nil
			}
			return false, []string{fmt.Sprintf("console is %t, rule wants %t", e.Console, *r.Match.Console)}
		}
		if explain {
			reasons = append(reasons, fmt.Sprintf("console is %t", e.Console))
		}
	}
	for _, p := range c.templates[i] {
		if p.field == "" {
			continue
		}
		if v := fieldValue(p.field, e); v == "" {
			if !explain {
				return false, nil
			}
			return false, []string{fmt.Sprintf("actor template %q needs %s, which is absent", r.Actor, p.field)}
		} else if explain {
			reasons = append(reasons, fmt.Sprintf("%s is %q", p.field, v))
		}
	}
	if explain && len(reasons) == 0 {
		reasons = append(reasons, "the rule has no conditions: it matches every event that reaches it")
	}
	return true, reasons
}

func caseNote(ignore bool) string {
	if ignore {
		return " (ignoring case)"
	}
	return ""
}

func quoteList(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = strconv.Quote(p)
	}
	return strings.Join(q, ", ")
}

func (c *Classifier) actor(i int, e *Event) string {
	var b strings.Builder
	for _, p := range c.templates[i] {
		if p.field != "" {
			b.WriteString(fieldValue(p.field, e))
		} else {
			b.WriteString(p.literal)
		}
	}
	return b.String()
}

// globMatch reports whether s matches the glob p (* any run, ? one
// character), the same semantics as the SQL LIKE the pattern compiles to.
func globMatch(p, s string, ignoreCase bool) bool {
	if ignoreCase {
		p, s = strings.ToLower(p), strings.ToLower(s)
	}
	// iterative matcher with one backtrack point for the last *
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			default:
				if p[pi] == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// patternSQL tests col against a glob. The common shapes (exact, prefix*,
// *suffix, *infix*) use DuckDB's string functions, which stay fast with bound
// parameters; anything else becomes LIKE with \ as the escape.
func patternSQL(col, glob string, ignoreCase bool, a *sqlArgs) string {
	if ignoreCase {
		col = "lower(" + col + ")"
		glob = strings.ToLower(glob)
	}
	inner := strings.Trim(glob, "*")
	lead, trail := strings.HasPrefix(glob, "*"), strings.HasSuffix(glob, "*")
	if !strings.ContainsAny(inner, "*?") {
		switch {
		case inner == "":
			return "true"
		case lead && trail:
			return fmt.Sprintf("contains(%s, %s)", col, a.add(inner))
		case lead:
			return fmt.Sprintf("ends_with(%s, %s)", col, a.add(inner))
		case trail:
			return fmt.Sprintf("starts_with(%s, %s)", col, a.add(inner))
		default:
			return fmt.Sprintf("%s = %s", col, a.add(inner))
		}
	}
	return fmt.Sprintf(`%s LIKE %s ESCAPE '\'`, col, a.add(likePattern(glob)))
}

// likePattern turns a glob into a LIKE pattern with \ as the escape.
func likePattern(glob string) string {
	var b strings.Builder
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sqlArgs collects bound parameters and hands out $n placeholders, so a
// statement can be assembled from parts without counting question marks.
type sqlArgs struct{ vals []any }

func (a *sqlArgs) add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// columns of the classified relation (besides actor and rule_index).
const classifiedColumns = `event_id, event_time, event_source, event_name, aws_region, recipient_account_id,
	account_id, identity_type, principal_arn, user_name, session_issuer_arn, session_issuer_name, session_name,
	access_key_id, invoked_by, user_agent, source_ip_address, request_id, error_code, read_only, event_type,
	event_category, management_event, size_bytes`

// ruleIndexSQL compiles the rules into one CASE over an events row that
// yields the index of the first matching rule, -1 for none.
func (c *Classifier) ruleIndexSQL(a *sqlArgs) string {
	var b strings.Builder
	b.WriteString("CASE")
	for i := range c.rules {
		fmt.Fprintf(&b, "\n\t\tWHEN %s THEN %d", c.condSQL(i, a), i)
	}
	b.WriteString("\n\t\tELSE -1 END")
	return b.String()
}

func (c *Classifier) condSQL(i int, a *sqlArgs) string {
	r := &c.rules[i]
	var conds []string
	for _, f := range fields {
		ps := r.Match.patterns(f.name)
		if len(ps) == 0 {
			continue
		}
		col := f.column
		var alts []string
		for _, p := range ps {
			alts = append(alts, patternSQL(col, p, r.IgnoreCase, a))
		}
		conds = append(conds, fmt.Sprintf("(%s <> '' AND (%s))", col, strings.Join(alts, " OR ")))
	}
	if r.Match.Console != nil {
		conds = append(conds, fmt.Sprintf("%s = %t", consoleSQL, *r.Match.Console))
	}
	for _, p := range c.templates[i] {
		if p.field != "" {
			col := fieldByName(p.field).column
			conds = append(conds, fmt.Sprintf("(%s <> '')", col))
		}
	}
	if len(conds) == 0 {
		return "true"
	}
	return "coalesce(" + strings.Join(conds, " AND ") + ", false)"
}

// actorSQL maps rule_index to the actor ID.
func (c *Classifier) actorSQL(a *sqlArgs) string {
	var b strings.Builder
	b.WriteString("CASE rule_index")
	for i := range c.rules {
		var parts []string
		for _, p := range c.templates[i] {
			if p.field != "" {
				parts = append(parts, fieldByName(p.field).column)
			} else {
				parts = append(parts, a.add(p.literal))
			}
		}
		expr := parts[0]
		if len(parts) > 1 {
			expr = "concat(" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&b, "\n\t\tWHEN %d THEN %s", i, expr)
	}
	fmt.Fprintf(&b, "\n\t\tELSE %s END", a.add(unknownActor))
	return b.String()
}

// Window is a half-open time range [From, Until); zero ends are open.
type Window struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

func (w Window) where(a *sqlArgs) string {
	var conds []string
	if !w.From.IsZero() {
		conds = append(conds, "event_time >= "+a.add(w.From.UTC()))
	}
	if !w.Until.IsZero() {
		conds = append(conds, "event_time < "+a.add(w.Until.UTC()))
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// classifiedSQL is a relation over events in w with every classified
// column, any extra columns (SQL over events), the operation, rule_index and
// actor. It reads the record column
// only for events that reach a console rule.
func (c *Classifier) classifiedSQL(a *sqlArgs, w Window, extra ...string) string {
	cols := classifiedColumns
	for _, x := range extra {
		cols += ", " + x
	}
	inner := fmt.Sprintf("SELECT %s, %s AS operation, %s AS rule_index FROM events WHERE %s",
		cols, operationSQL, c.ruleIndexSQL(a), w.where(a))
	return fmt.Sprintf("(SELECT *, %s AS actor FROM (%s))", c.actorSQL(a), inner)
}

// ErrNoEvent means an event ID is not in the store.
var ErrNoEvent = errors.New("no such event")

const eventSQL = `SELECT event_id, event_time, ` + operationSQL + `, coalesce(session_issuer_name, ''), coalesce(session_name, ''),
	coalesce(user_agent, ''), coalesce(identity_type, ''), coalesce(invoked_by, ''), coalesce(source_ip_address, ''),
	coalesce(user_name, ''), coalesce(principal_arn, ''), coalesce(recipient_account_id, ''), coalesce(event_type, ''),
	` + consoleSQL + ` FROM events`

func scanEvent(rows interface{ Scan(...any) error }) (*Event, error) {
	e := &Event{}
	var t sql.NullTime
	if err := rows.Scan(&e.EventID, &t, &e.Operation, &e.Role, &e.Session, &e.UserAgent, &e.IdentityType,
		&e.InvokedBy, &e.SourceIP, &e.User, &e.Principal, &e.Account, &e.EventType, &e.Console); err != nil {
		return nil, err
	}
	if t.Valid {
		e.Time = t.Time.UTC()
	}
	return e, nil
}

// LoadEvent reads one event's attribution fields.
func LoadEvent(ctx context.Context, db *sql.DB, eventID string) (*Event, error) {
	e, err := scanEvent(db.QueryRowContext(ctx, eventSQL+` WHERE event_id = $1 LIMIT 1`, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNoEvent, eventID)
	}
	if err != nil {
		return nil, fmt.Errorf("read event %s: %w", eventID, err)
	}
	return e, nil
}

// ExplainOptions configure ExplainEvent.
type ExplainOptions struct {
	Rules   []Rule
	EventID string
}

// ExplainEvent shows which rule gives an event its actor and why. The actor
// it reports is checked against the SQL classification of the same event;
// a disagreement is a bug and an error.
func ExplainEvent(ctx context.Context, db *sql.DB, opts ExplainOptions) (*Explanation, error) {
	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	e, err := LoadEvent(ctx, db, opts.EventID)
	if err != nil {
		return nil, err
	}
	x := c.Explain(e)
	a := &sqlArgs{}
	q := fmt.Sprintf("SELECT actor, rule_index FROM %s WHERE event_id = %s LIMIT 1", c.classifiedSQL(a, Window{}), a.add(opts.EventID))
	var actor string
	var idx int
	if err := db.QueryRowContext(ctx, q, a.vals...).Scan(&actor, &idx); err != nil {
		return nil, fmt.Errorf("classify event %s: %w", opts.EventID, err)
	}
	want := -1
	if x.Rule != nil {
		want = x.Rule.Index
	}
	if actor != x.Actor || idx != want {
		return nil, fmt.Errorf("actor rules disagree for event %s: SQL says %s (rule %d), Go says %s (rule %d)", opts.EventID, actor, idx, x.Actor, want)
	}
	return x, nil
}

// Tables shows the event, the matching rule with its reasons, and the rules
// tried before it.
func (x *Explanation) Tables() []output.Table {
	e := x.Event
	head := output.Table{KeyValue: true, Rows: [][]any{
		{"event", e.EventID},
		{"time", e.Time},
		{"operation", e.Operation},
		{"actor", x.Actor},
	}}
	if x.Rule != nil {
		head.Rows = append(head.Rows, []any{"rule", fmt.Sprintf("#%d %s (%s)", x.Rule.Index+1, x.Rule.ID, origin(x.Rule.Builtin))})
		if x.Rule.Description != "" {
			head.Rows = append(head.Rows, []any{"rule says", x.Rule.Description})
		}
		for _, r := range x.Rule.Reasons {
			head.Rows = append(head.Rows, []any{"because", r})
		}
	} else {
		head.Rows = append(head.Rows, []any{"rule", "none matched: the actor is " + unknownActor})
	}
	fieldsT := output.Table{Title: "Fields the rules look at:", Columns: []string{"field", "value"}, Rows: [][]any{
		{"role", e.Role}, {"session", e.Session}, {"user_agent", e.UserAgent}, {"identity_type", e.IdentityType},
		{"invoked_by", e.InvokedBy}, {"source_ip", e.SourceIP}, {"user", e.User}, {"principal", e.Principal},
		{"account", e.Account}, {"event_type", e.EventType}, {"console", e.Console},
	}}
	skipped := output.Table{Title: "Rules tried before it:", Columns: []string{"#", "rule", "why not"}}
	for _, s := range x.Skipped {
		skipped.Rows = append(skipped.Rows, []any{s.Index + 1, s.ID, strings.Join(s.Reasons, "; ")})
	}
	return []output.Table{head, fieldsT, skipped}
}

func origin(builtin bool) string {
	if builtin {
		return "built in"
	}
	return "rules file"
}
