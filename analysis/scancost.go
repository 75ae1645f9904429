package analysis

import (
	"fmt"
	"time"
)

// ScanEvents is how many CloudTrail management events a scan is predicted
// to cause in one account and region.
type ScanEvents struct {
	Account, Region string
	Events          int
}

// ScanCostEstimate is the GuardDuty cost of a scan's own CloudTrail events:
// one scan, and a month of scans at a schedule.
type ScanCostEstimate struct {
	Schedule               string      `json:"schedule"`
	ScansPerMonth          float64     `json:"scans_per_month"`
	GuardDutyEventsPerScan int64       `json:"guardduty_events_per_scan"`
	GuardDutyUSDPerScan    float64     `json:"guardduty_usd_per_scan"`
	GuardDutyUSDPerMonth   float64     `json:"guardduty_usd_per_month"`
	Complete               bool        `json:"complete"` // every event priced
	Unpriced               []Unpriced  `json:"unpriced"` // per scan
	Prices                 []PriceUsed `json:"prices"`
	Notes                  []string    `json:"notes"`
}

// ScanCost prices a scan's predicted events with the cost model (the same
// price table `footprint cost` uses): every event is a read-only management
// event, which GuardDuty analyses and bills per account and region. every is
// the time between scans (a month is 30 days).
func ScanCost(events []ScanEvents, every time.Duration, p *Pricing) *ScanCostEstimate {
	if every <= 0 {
		every = 24 * time.Hour
	}
	var qs []Quantity
	var total int64
	for _, e := range events {
		if e.Events <= 0 {
			continue
		}
		qs = append(qs, Quantity{Key: "scan", Account: e.Account, Region: e.Region, Events: int64(e.Events), ManagementEvents: int64(e.Events)})
		total += int64(e.Events)
	}
	from := time.Unix(0, 0).UTC()
	rep := PriceQuantities(qs, Window{From: from, Until: from.Add(every)}, CostOptions{Pricing: p, GuardDutyRegions: 1})
	est := &ScanCostEstimate{
		Schedule:               every.String(),
		ScansPerMonth:          float64(month) / float64(every),
		GuardDutyEventsPerScan: total,
		Complete:               true,
		Unpriced:               []Unpriced{},
		Prices:                 []PriceUsed{},
		Notes: []string{
			fmt.Sprintf("one scan every %s: %.4g scans in a 30-day month", every, float64(month)/float64(every)),
			"every call is a read-only management event GuardDuty analyses, billed per account and region where CloudTrail records it (IAM and STS in us-east-1); each throttled retry is one more event",
			"an AssumeRole into another account is recorded in both accounts; the estimate counts it once",
		},
	}
	for _, r := range rep.Rows {
		est.GuardDutyUSDPerScan += r.GuardDutyUSD
		est.GuardDutyUSDPerMonth += r.MonthlyGuardDutyUSD
		for _, u := range r.Unpriced {
			if u.Item == ItemGuardDutyManagement {
				est.Unpriced = append(est.Unpriced, u)
				est.Complete = false
			}
		}
	}
	for _, pu := range rep.Assumptions.Prices {
		if pu.Item == ItemGuardDutyManagement {
			est.Prices = append(est.Prices, pu)
		}
	}
	if !est.Complete {
		est.Notes = append(est.Notes, "the price table has no GuardDuty figure for some regions: their events are listed as unpriced, not counted as free")
	}
	return est
}
