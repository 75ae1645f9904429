package scan

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/footprint-dev/footprint/scan/catalog"
	"github.com/footprint-dev/footprint/scan/collect"
)

// Errors callers branch on.
var (
	// ErrUnknown: a standard or control ID footprint does not know.
	ErrUnknown = errors.New("unknown")
	// ErrNotImplemented: a standard or control footprint knows but cannot
	// evaluate yet.
	ErrNotImplemented = errors.New("not implemented yet")
)

// Discovery operations: every scan makes these before any collector runs.
// GetCallerIdentity and AssumeRole run with the caller's credentials,
// DescribeRegions with the role's.
var DiscoveryOps = []string{"sts:GetCallerIdentity", "sts:AssumeRole", "ec2:DescribeRegions"}

// discoveryTables are filled by discovery, not by a collector.
var discoveryTables = map[string]bool{"scan_regions": true, "scan_targets": true}

// Selection narrows a plan.
type Selection struct {
	// Standards to evaluate; empty means every implemented standard.
	Standards []string
	// Controls to evaluate; empty means every control of the standards.
	// With Controls, manual requirements are left out.
	Controls []string
}

// PlannedControl is a control in a plan, with what the standards say of it.
type PlannedControl struct {
	*Control
	Title    string
	Severity string
	// Refs are the requirements it counts for: "cis-1.2.0:1.1".
	Refs []string
	// Pattern is the exact CIS metric filter pattern ($pattern), if any.
	Pattern string
	// GapTables are the tables whose gaps reach the control: its own and
	// every table their collectors read first.
	GapTables []string
	// Operations are the catalogue operations its data takes.
	Operations []string
}

// ManualRequirement is a requirement checked by hand.
type ManualRequirement struct {
	Standard, ID, Title string
}

// Ref is the requirement's reference: "cis-1.2.0:1.15".
func (m ManualRequirement) Ref() string { return m.Standard + ":" + m.ID }

// Plan is what a scan will do: standards -> controls -> inventory tables ->
// collectors (in dependency stages) -> API operations. It is pure data,
// built before any AWS call.
type Plan struct {
	Standards  []string
	Selected   []string // the --control selection, if any
	Controls   []*PlannedControl
	Manual     []ManualRequirement
	Tables     []string
	Collectors []*collect.Collector
	// Stages order the collectors: a collector runs after every collector
	// filling a table it needs.
	Stages [][]*collect.Collector
	// Operations are every catalogue operation the scan may call,
	// discovery included, sorted.
	Operations []string
	catalog    *catalog.Catalog
}

// NewPlan builds the plan for a selection from the catalogue, the control
// files and the collectors.
func NewPlan(sel Selection) (*Plan, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	controls, err := LoadControls()
	if err != nil {
		return nil, err
	}
	return buildPlan(cat, controls, collect.All(), sel)
}

// Implemented reports whether every automated requirement of a standard has
// its controls' SQL.
func implemented(cat *catalog.Catalog, controls map[string]*Control, std *catalog.Standard) (bool, int) {
	missing := 0
	for _, r := range std.Requirements {
		if !r.IsAutomated() {
			continue
		}
		for _, id := range r.Controls {
			if controls[id] == nil {
				missing++
			}
		}
	}
	return missing == 0, missing
}

// ImplementedStandards lists the standards footprint evaluates completely.
func ImplementedStandards() ([]string, error) {
	cat, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	controls, err := LoadControls()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range cat.StandardIDs() {
		if ok, _ := implemented(cat, controls, cat.Standards[id]); ok {
			out = append(out, id)
		}
	}
	return out, nil
}

func buildPlan(cat *catalog.Catalog, controls map[string]*Control, collectors []*collect.Collector, sel Selection) (*Plan, error) {
	p := &Plan{catalog: cat}
	stds := sel.Standards
	if len(stds) == 0 {
		for _, id := range cat.StandardIDs() {
			if ok, _ := implemented(cat, controls, cat.Standards[id]); ok {
				stds = append(stds, id)
			}
		}
	}
	stds = dedupe(stds)
	for _, id := range stds {
		std, ok := cat.Standards[id]
		if !ok {
			return nil, fmt.Errorf("%w standard %q: footprint knows %s", ErrUnknown, id, strings.Join(cat.StandardIDs(), ", "))
		}
		if ok, missing := implemented(cat, controls, std); !ok {
			return nil, fmt.Errorf("standard %s (%s) is recognised but %w: %d of its controls have no evaluation in this version; cis-1.2.0 is complete",
				id, std.Title, ErrNotImplemented, missing)
		}
	}
	p.Standards = stds
	// requirement refs per control, and the CIS metric filter patterns
	refs := map[string][]string{}
	patterns := map[string]string{}
	inStandards := map[string]bool{}
	for _, id := range stds {
		for _, r := range cat.Standards[id].Requirements {
			if !r.IsAutomated() {
				if len(sel.Controls) == 0 {
					p.Manual = append(p.Manual, ManualRequirement{Standard: id, ID: r.ID, Title: r.Title})
				}
				continue
			}
			for _, c := range r.Controls {
				refs[c] = append(refs[c], id+":"+r.ID)
				inStandards[c] = true
				if r.MetricFilterPattern != "" {
					patterns[c] = r.MetricFilterPattern
				}
			}
		}
	}
	var ids []string
	if len(sel.Controls) > 0 {
		p.Selected = dedupe(sel.Controls)
		for _, id := range p.Selected {
			switch {
			case cat.Controls[id] == nil && controls[id] == nil:
				return nil, fmt.Errorf("%w control %q: control IDs are Security Hub's (IAM.4, CloudTrail.1, ...)", ErrUnknown, id)
			case controls[id] == nil:
				return nil, fmt.Errorf("control %s is recognised but %w", id, ErrNotImplemented)
			case !inStandards[id] && len(sel.Standards) > 0:
				return nil, fmt.Errorf("%w control %s in %s", ErrUnknown, id, strings.Join(stds, ", "))
			}
			ids = append(ids, id)
		}
	} else {
		for id := range inStandards {
			ids = append(ids, id)
		}
	}
	sortControlIDs(ids)

	byTable := map[string]*collect.Collector{}
	for _, c := range collectors {
		for _, t := range c.Tables {
			if byTable[t] != nil {
				return nil, fmt.Errorf("table %s is filled by both %s and %s", t, byTable[t].Name, c.Name)
			}
			byTable[t] = c
		}
	}
	// collectors: those filling the controls' tables and, transitively, the
	// tables they need
	need := map[string]*collect.Collector{}
	var visit func(table string) ([]string, error)
	visit = func(table string) ([]string, error) {
		if discoveryTables[table] {
			return []string{table}, nil
		}
		c := byTable[table]
		if c == nil {
			return nil, fmt.Errorf("no collector fills table %s", table)
		}
		need[c.Name] = c
		out := append([]string{}, c.Tables...)
		for _, n := range c.Needs {
			more, err := visit(n)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		return out, nil
	}
	tables := map[string]bool{}
	for _, id := range ids {
		ctl := controls[id]
		pc := &PlannedControl{Control: ctl, Refs: refs[id], Pattern: patterns[id]}
		if meta := cat.Controls[id]; meta != nil {
			pc.Title, pc.Severity = meta.Title, meta.Severity
		}
		if pc.Refs == nil {
			pc.Refs = []string{}
		}
		if containsStr(ctl.Params, "pattern") && pc.Pattern == "" {
			return nil, fmt.Errorf("control %s needs a metric filter pattern, and no selected standard gives one", id)
		}
		gap := map[string]bool{}
		ops := map[string]bool{}
		for _, t := range ctl.Tables {
			ts, err := visit(t)
			if err != nil {
				return nil, fmt.Errorf("control %s: %w", id, err)
			}
			for _, x := range ts {
				gap[x] = true
				tables[x] = true
				if c := byTable[x]; c != nil {
					for _, op := range c.Ops {
						ops[op.Name] = true
					}
				}
			}
		}
		pc.GapTables = sortedSet(gap)
		pc.Operations = sortedSet(ops)
		p.Controls = append(p.Controls, pc)
	}
	p.Tables = sortedSet(tables)
	for _, c := range need {
		p.Collectors = append(p.Collectors, c)
	}
	sort.Slice(p.Collectors, func(i, j int) bool { return p.Collectors[i].Name < p.Collectors[j].Name })
	stages, err := stage(p.Collectors, byTable)
	if err != nil {
		return nil, err
	}
	p.Stages = stages
	ops := map[string]bool{}
	for _, op := range DiscoveryOps {
		ops[op] = true
	}
	for _, c := range p.Collectors {
		for _, op := range c.Ops {
			if cat.Operations[op.Name] == nil {
				return nil, fmt.Errorf("collector %s calls %s, which the catalogue does not map to CloudTrail", c.Name, op.Name)
			}
			ops[op.Name] = true
		}
	}
	p.Operations = sortedSet(ops)
	return p, nil
}

// stage orders collectors by dependency depth.
func stage(cs []*collect.Collector, byTable map[string]*collect.Collector) ([][]*collect.Collector, error) {
	depth := map[string]int{}
	var visiting map[string]bool
	var d func(c *collect.Collector) (int, error)
	d = func(c *collect.Collector) (int, error) {
		if v, ok := depth[c.Name]; ok {
			return v, nil
		}
		if visiting[c.Name] {
			return 0, fmt.Errorf("collectors depend on each other in a cycle through %s", c.Name)
		}
		visiting[c.Name] = true
		max := 0
		for _, t := range c.Needs {
			if discoveryTables[t] {
				continue
			}
			parent := byTable[t]
			if parent == nil {
				return 0, fmt.Errorf("collector %s needs table %s, which no collector fills", c.Name, t)
			}
			pd, err := d(parent)
			if err != nil {
				return 0, err
			}
			if pd+1 > max {
				max = pd + 1
			}
		}
		depth[c.Name] = max
		return max, nil
	}
	var out [][]*collect.Collector
	for _, c := range cs {
		visiting = map[string]bool{}
		n, err := d(c)
		if err != nil {
			return nil, err
		}
		for len(out) <= n {
			out = append(out, nil)
		}
		out[n] = append(out[n], c)
	}
	return out, nil
}

// Operation returns the catalogue's record of an operation key.
func (p *Plan) Operation(key string) *catalog.Operation { return p.catalog.Operations[key] }

// Catalog is the catalogue the plan was built from.
func (p *Plan) Catalog() *catalog.Catalog { return p.catalog }

// ControlIDs lists the planned controls.
func (p *Plan) ControlIDs() []string {
	out := make([]string, 0, len(p.Controls))
	for _, c := range p.Controls {
		out = append(out, c.ID)
	}
	return out
}

// Policy is the least-privilege IAM policy for the scanner's role: every
// operation the plan calls with the role's credentials.
func (p *Plan) Policy() ([]byte, error) {
	actions := map[string]bool{}
	for _, op := range p.Operations {
		if op == "sts:GetCallerIdentity" || op == "sts:AssumeRole" {
			continue // made with the caller's credentials, not the role's
		}
		actions[p.catalog.Operations[op].Permission()] = true
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":      "FootprintScanner",
			"Effect":   "Allow",
			"Action":   sortedSet(actions),
			"Resource": "*",
		}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// sortControlIDs orders control IDs by service, then number: IAM.2 before
// IAM.10.
func sortControlIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool { return controlLess(ids[i], ids[j]) })
}

func controlLess(a, b string) bool {
	as, an, _ := strings.Cut(a, ".")
	bs, bn, _ := strings.Cut(b, ".")
	if as != bs {
		return as < bs
	}
	ai, aerr := strconv.Atoi(an)
	bi, berr := strconv.Atoi(bn)
	if aerr == nil && berr == nil && ai != bi {
		return ai < bi
	}
	return a < b
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
