// Package catalog is the control catalogue: which controls each standard
// (CIS AWS Foundations v1.2.0, AWS FSBP, PCI DSS v3.2.1) requires, which
// read-only API operations each control needs, and how CloudTrail records
// each operation. The scanner plans from it and `verify stop` compares
// CloudTrail against it, so both agree on what a standard's footprint is.
//
// It is data only and imports nothing from the AWS SDK, so any package may
// use it: the standards come from scan/standards/*.yaml (one file per
// standard), the controls and operations from catalog.yaml. Each fact lives in
// exactly one of those files.
package catalog

import (
	_ "embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/footprint-dev/footprint/scan/standards"
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
	ID           string         `yaml:"id"`
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
	// API is the SDK operation name when it differs from the key's name
	// (s3:GetBucketPublicAccessBlock is the API GetPublicAccessBlock).
	API string `yaml:"api"`
	// IAMAction is the IAM action that allows the call when it differs from
	// the key (s3control:GetPublicAccessBlock needs s3:GetAccountPublicAccessBlock).
	IAMAction string `yaml:"iam_action"`
}

// Service is the operation's service prefix: "s3control" for
// "s3control:GetPublicAccessBlock".
func (o *Operation) Service() string {
	svc, _, _ := strings.Cut(o.Action, ":")
	return svc
}

// APIName is the SDK operation the key stands for.
func (o *Operation) APIName() string {
	if o.API != "" {
		return o.API
	}
	_, name, _ := strings.Cut(o.Action, ":")
	return name
}

// Permission is the IAM action a policy must allow for the call.
func (o *Operation) Permission() string {
	if o.IAMAction != "" {
		return o.IAMAction
	}
	return o.Action
}

var (
	once    sync.Once
	loaded  *Catalog
	loadErr error
)

// Load returns the embedded catalogue, parsed once.
func Load() (*Catalog, error) {
	once.Do(func() { loaded, loadErr = ParseFS(raw, standards.FS()) })
	return loaded, loadErr
}

// ParseFS reads the controls and operations document and every standard file
// (<id>.yaml) in stds, and checks that every reference resolves.
func ParseFS(b []byte, stds fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(stds, ".")
	if err != nil {
		return nil, fmt.Errorf("read standards: %w", err)
	}
	var doc strings.Builder
	doc.Write(b)
	var files []*Standard
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".yaml" {
			continue
		}
		sb, err := fs.ReadFile(stds, e.Name())
		if err != nil {
			return nil, err
		}
		var s Standard
		if err := yaml.Unmarshal(sb, &s); err != nil {
			return nil, fmt.Errorf("parse standard %s: %w", e.Name(), err)
		}
		if want := strings.TrimSuffix(e.Name(), ".yaml"); s.ID != want {
			return nil, fmt.Errorf("standard file %s: id %q, want %q", e.Name(), s.ID, want)
		}
		files = append(files, &s)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, err
	}
	for _, s := range files {
		if c.Standards[s.ID] != nil {
			return nil, fmt.Errorf("standard %s is defined twice", s.ID)
		}
		c.Standards[s.ID] = s
	}
	return c, c.check()
}

// Parse reads a catalogue document (controls, operations and, optionally,
// standards) and checks that every reference resolves.
func Parse(b []byte) (*Catalog, error) {
	var c Catalog
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	if c.Standards == nil {
		c.Standards = map[string]*Standard{}
	}
	if c.Controls == nil {
		c.Controls = map[string]*Control{}
	}
	if c.Operations == nil {
		c.Operations = map[string]*Operation{}
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
	return &c, c.check()
}

// check verifies that every standard's controls resolve, for the controls
// the catalogue describes: FSBP lists controls beyond the researched set.
func (c *Catalog) check() error {
	for _, s := range c.Standards {
		for _, r := range s.Requirements {
			if r.ID == "" {
				return fmt.Errorf("standard %s: a requirement without an id", s.ID)
			}
		}
	}
	return nil
}

// OperationByAPI finds the catalogue operation an SDK call is: service is
// the IAM prefix ("s3"), api the SDK operation name ("GetPublicAccessBlock").
func (c *Catalog) OperationByAPI(service, api string) *Operation {
	if op := c.Operations[service+":"+api]; op != nil && op.APIName() == api {
		return op
	}
	for _, op := range c.Operations {
		if op.Service() == service && op.APIName() == api {
			return op
		}
	}
	return nil
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
