package analysis

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"os"

	"go.yaml.in/yaml/v3"
)

//go:embed pricing.yaml
var embeddedPricing []byte

// Price items the cost model uses.
const (
	ItemGuardDutyManagement = "guardduty_management_events"
	ItemGuardDutyS3         = "guardduty_s3_data_events"
	ItemDetective           = "detective_data_ingested"
	ItemCloudTrailCopy      = "cloudtrail_additional_copy"
	ItemCloudTrailData      = "cloudtrail_data_events"
	ItemConfigEvaluations   = "config_rule_evaluations"
)

var requiredItems = []string{ItemGuardDutyManagement, ItemGuardDutyS3, ItemDetective, ItemCloudTrailCopy, ItemCloudTrailData, ItemConfigEvaluations}

// DefaultRegion is the key of a price that applies to regions not listed.
const DefaultRegion = "default"

// Pricing is a versioned price table.
type Pricing struct {
	Version  string                `yaml:"version" json:"version"`
	Currency string                `yaml:"currency" json:"currency"`
	Items    map[string]*PriceItem `yaml:"items" json:"items"`
	// Sources lists the files the table came from: the embedded table, then
	// any override.
	Sources []string `yaml:"-" json:"sources"`
}

// PriceItem is one billed quantity with its prices by region.
type PriceItem struct {
	Title   string                  `yaml:"title" json:"title"`
	Unit    string                  `yaml:"unit" json:"unit"`
	Per     float64                 `yaml:"per" json:"per"`
	Note    string                  `yaml:"note,omitempty" json:"note,omitempty"`
	Regions map[string]*RegionPrice `yaml:"regions" json:"regions"`
}

// RegionPrice is an item's price in one region, with where it came from.
type RegionPrice struct {
	Tiers      []Tier `yaml:"tiers" json:"tiers"`
	Source     string `yaml:"source" json:"source"`
	AsOf       string `yaml:"as_of,omitempty" json:"as_of"`
	Confidence string `yaml:"confidence,omitempty" json:"confidence,omitempty"`
}

// Tier is a band of monthly usage: units up to UpTo (cumulative; nil for the
// last band) cost USD per Per units. A nil USD is an unknown price.
type Tier struct {
	UpTo *float64 `yaml:"up_to,omitempty" json:"up_to"`
	USD  *float64 `yaml:"usd" json:"usd"`
}

// DefaultPricing returns the embedded price table.
func DefaultPricing() (*Pricing, error) {
	p, err := parsePricing(embeddedPricing)
	if err != nil {
		return nil, fmt.Errorf("embedded pricing: %w", err)
	}
	p.Sources = []string{"embedded pricing " + p.Version}
	return p, p.check()
}

// LoadPricing returns the embedded table with path's items and regions laid
// over it (path may be empty).
func LoadPricing(path string) (*Pricing, error) {
	base, err := DefaultPricing()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return base, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read pricing: %w", err)
	}
	over, err := parsePricing(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for name, it := range over.Items {
		cur := base.Items[name]
		if cur == nil {
			return nil, fmt.Errorf("%s: %w: unknown price item %q", path, ErrBadOption, name)
		}
		if it.Per != 0 {
			cur.Per = it.Per
		}
		if it.Unit != "" && it.Unit != cur.Unit {
			return nil, fmt.Errorf("%s: %w: item %s is counted in %s, not %s", path, ErrBadOption, name, cur.Unit, it.Unit)
		}
		if it.Note != "" {
			cur.Note = it.Note
		}
		for r, rp := range it.Regions {
			if rp.Source == "" {
				rp.Source = "override file " + path
			}
			cur.Regions[r] = rp
		}
	}
	if over.Version != "" {
		base.Version += "+" + over.Version
	}
	base.Sources = append(base.Sources, "override "+path)
	return base, base.check()
}

func parsePricing(b []byte) (*Pricing, error) {
	var p Pricing
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: pricing: %v", ErrBadOption, err)
	}
	return &p, nil
}

func (p *Pricing) check() error {
	for _, name := range requiredItems {
		it := p.Items[name]
		if it == nil {
			return fmt.Errorf("%w: pricing has no item %s", ErrBadOption, name)
		}
		if it.Per <= 0 {
			return fmt.Errorf("%w: pricing item %s: per must be positive", ErrBadOption, name)
		}
		for r, rp := range it.Regions {
			if len(rp.Tiers) == 0 {
				return fmt.Errorf("%w: pricing item %s region %s: no tiers", ErrBadOption, name, r)
			}
			prev := 0.0
			for i, t := range rp.Tiers {
				last := i == len(rp.Tiers)-1
				if (t.UpTo == nil) != last {
					return fmt.Errorf("%w: pricing item %s region %s: only the last tier has no up_to", ErrBadOption, name, r)
				}
				if t.UpTo != nil {
					if *t.UpTo <= prev {
						return fmt.Errorf("%w: pricing item %s region %s: tiers must rise", ErrBadOption, name, r)
					}
					prev = *t.UpTo
				}
				if t.USD != nil && (*t.USD < 0 || math.IsNaN(*t.USD)) {
					return fmt.Errorf("%w: pricing item %s region %s: negative price", ErrBadOption, name, r)
				}
			}
		}
	}
	return nil
}

// Price returns an item's price in a region (falling back to default), and
// the key it was found under; nil when there is none.
func (p *Pricing) Price(item, region string) (*RegionPrice, string) {
	it := p.Items[item]
	if it == nil {
		return nil, ""
	}
	if rp := it.Regions[region]; rp != nil {
		return rp, region
	}
	if rp := it.Regions[DefaultRegion]; rp != nil {
		return rp, DefaultRegion
	}
	return nil, ""
}

// tiered prices qty units of monthly usage: the sum over bands of the units
// in the band times the band's price per `per` units. ok is false when any
// band the usage reaches has no known price.
func tiered(tiers []Tier, per, qty float64) (usd float64, ok bool) {
	if qty <= 0 {
		return 0, true
	}
	lower := 0.0
	for _, t := range tiers {
		upper := math.Inf(1)
		if t.UpTo != nil {
			upper = *t.UpTo
		}
		if qty <= lower {
			break
		}
		in := math.Min(qty, upper) - lower
		if in > 0 {
			if t.USD == nil {
				return 0, false
			}
			usd += in / per * *t.USD
		}
		lower = upper
	}
	return usd, true
}
