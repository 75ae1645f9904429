// Package catalog is the control catalogue: which controls each standard
// (CIS AWS Foundations v1.2.0, AWS FSBP, PCI DSS v3.2.1) requires, which
// read-only API operations each control needs, and how CloudTrail records
// each operation. The scanner plans from it and `verify stop` compares
// CloudTrail against it, so both agree on what a standard's footprint is.
//
// It is data only (catalog.yaml, embedded) and imports nothing from the
// AWS SDK, so any package may use it.
package catalog

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Standard IDs.
const (
	CIS120 = "cis-1.2.0"
	FSBP   = "fsbp"
	PCI321 = "pci-3.2.1"
)

//go:embed catalog.yaml
var raw []byte

// Catalog is the parsed catalogue.
type Catalog struct {
	Standards  map[string]*Standard  `yaml:"standards"`
	Controls   map[string]*Control   `yaml:"controls"`
	Operations map[string]*Operation `yaml:"operations"`
}

// Standard is a compliance standard and its requirements in order.
type Standard struct {
	ID           string
	Title        string         `yaml:"title"`
	Requirements []*Requirement `yaml:"requirements"`
}

// Requirement is one item of a standard, mapped onto Security Hub control IDs.
// A requirement with no controls is checked by hand (status manual).
type Requirement struct {
	ID        string   `yaml:"id"`
	Title     string   `yaml:"title"`
	Section   string   `yaml:"section"`
	Level     int      `yaml:"level"`
	Scored    bool     `yaml:"scored"`
	Automated *bool    `yaml:"automated"`
	Severity  string   `yaml:"severity"`
	Controls  []string `yaml:"controls"`
	// Operations a manual requirement's evidence would need (CIS only).
	Operations []string `yaml:"operations"`
	// MetricFilterPattern is the exact CIS 3.x CloudWatch Logs filter.
	MetricFilterPattern string   `yaml:"metric_filter_pattern"`
	PCIRequirements     []string `yaml:"pci_requirements"`
	Tier                string   `yaml:"tier"`
	Priority            bool     `yaml:"priority"`
}

// IsAutomated reports whether the requirement is evaluated by controls.
func (r *Requirement) IsAutomated() bool {
	if r.Automated != nil {
		return *r.Automated
	}
	return len(r.Controls) > 0
}

// Control is a Security Hub control with the operations it needs.
type Control struct {
	ID                 string
	Title              string   `yaml:"title"`
	Severity           string   `yaml:"severity"`
	Scope              string   `yaml:"scope"`
	Operations         []string `yaml:"operations"`
	OptionalOperations []string `yaml:"optional_operations"`
}

// Operation is how CloudTrail records an API operation ("iam:ListUsers").
type Operation struct {
	Action      string
	EventSource string `yaml:"event_source"`
	EventName   string `yaml:"event_name"`
}

var (
	once    sync.Once
	loaded  *Catalog
	loadErr error
)

// Load returns the embedded catalogue, parsed once.
func Load() (*Catalog, error) {
	once.Do(func() { loaded, loadErr = Parse(raw) })
	return loaded, loadErr
}

// Parse reads a catalogue document and checks that every reference resolves.
func Parse(b []byte) (*Catalog, error) {
	var c Catalog
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	for id, s := range c.Standards {
		s.ID = id
	}
	for id, ctl := range c.Controls {
		ctl.ID = id
		for _, op := range append(append([]string{}, ctl.Operations...), ctl.OptionalOperations...) {
			if c.Operations[op] == nil {
				return nil, fmt.Errorf("catalog: control %s needs %s, which has no CloudTrail mapping", id, op)
			}
		}
	}
	for a, op := range c.Operations {
		op.Action = a
	}
	return &c, nil
}

// StandardIDs lists the standards in a fixed order.
func (c *Catalog) StandardIDs() []string {
	ids := make([]string, 0, len(c.Standards))
	for id := range c.Standards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Standard returns a standard by ID with a helpful error.
func (c *Catalog) Standard(id string) (*Standard, error) {
	s, ok := c.Standards[id]
	if !ok {
		return nil, fmt.Errorf("unknown standard %q: use %s", id, strings.Join(c.StandardIDs(), ", "))
	}
	return s, nil
}

// ControlIDs returns the distinct controls a standard maps its requirements to.
func (c *Catalog) ControlIDs(standard string) ([]string, error) {
	s, err := c.Standard(standard)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	for _, r := range s.Requirements {
		for _, id := range r.Controls {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Operations returns the distinct required operations of a standard's
// controls, sorted. Controls the catalogue has no operations for (FSBP
// controls outside its researched set) contribute nothing.
func (c *Catalog) StandardOperations(standard string) ([]string, error) {
	ids, err := c.ControlIDs(standard)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ops []string
	for _, id := range ids {
		ctl := c.Controls[id]
		if ctl == nil {
			continue
		}
		for _, op := range ctl.Operations {
			if !seen[op] {
				seen[op] = true
				ops = append(ops, op)
			}
		}
	}
	sort.Strings(ops)
	return ops, nil
}
