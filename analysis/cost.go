package analysis

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/footprint-dev/footprint/internal/output"
)

// CostGroupings lists the --by values of cost.
var CostGroupings = []string{"actor", "account", "region", "operation", "principal", "session"}

// gbBytes is one GB as AWS bills it: 2^30 bytes.
const gbBytes = 1 << 30

// month is the projection horizon.
const month = 30 * 24 * time.Hour

// globalSources are services whose events CloudTrail records in us-east-1
// and GuardDuty bills in every Region where it is enabled.
var globalSources = []string{"iam.amazonaws.com", "sts.amazonaws.com", "organizations.amazonaws.com",
	"cloudfront.amazonaws.com", "route53.amazonaws.com", "waf.amazonaws.com", "globalaccelerator.amazonaws.com",
	"shield.amazonaws.com", "account.amazonaws.com"}

// CostOptions configure Cost.
type CostOptions struct {
	Rules   []Rule
	Pricing *Pricing
	By      string
	Actor   string
	// Window limits the events; an open end is taken from the data (the first
	// event's hour, the hour after the last event's).
	Window Window
	// GuardDutyRegions is how many Regions have GuardDuty enabled: global
	// service events are billed once in each. At least 1.
	GuardDutyRegions int
	// TrailCopies is how many trails beyond the first (free) one record the
	// management events.
	TrailCopies int
	// Config adds AWS Config rule evaluations reported in the trail.
	Config bool
}

// Quantity is what one group used in one account and region during the
// window: the input of the pure pricing step.
type Quantity struct {
	Key               string
	Account, Region   string
	Events            int64
	ManagementEvents  int64 // GuardDuty, Detective and trail copies bill these
	GlobalEvents      int64 // of which global service events recorded here
	S3DataEvents      int64
	DataEvents        int64
	ManagementBytes   int64
	ConfigEvaluations int64
}

// Unpriced is usage the price table has no figure for.
type Unpriced struct {
	Item     string  `json:"item"`
	Region   string  `json:"region"`
	Quantity float64 `json:"quantity"` // in the window
	Unit     string  `json:"unit"`
}

// CostRow is one group's cost in the window and projected over 30 days.
// Dollar figures cover priced usage only; Unpriced lists the rest.
type CostRow struct {
	Key                   string     `json:"-"`
	Events                int64      `json:"events"`
	GuardDutyEvents       int64      `json:"guardduty_events"`
	GuardDutyS3DataEvents int64      `json:"guardduty_s3_data_events"`
	GuardDutyUSD          float64    `json:"guardduty_usd"`    // management and S3 data events
	GuardDutyS3USD        float64    `json:"guardduty_s3_usd"` // of which S3 data events
	DetectiveGB           float64    `json:"detective_gb"`
	DetectiveUSD          float64    `json:"detective_usd"`
	CloudTrailUSD         float64    `json:"cloudtrail_usd"`
	ConfigEvaluations     int64      `json:"config_evaluations"`
	ConfigUSD             float64    `json:"config_usd"`
	TotalUSD              float64    `json:"total_usd"`
	MonthlyEvents         float64    `json:"monthly_events"`
	MonthlyGuardDutyUSD   float64    `json:"monthly_guardduty_usd"`
	MonthlyGuardDutyS3USD float64    `json:"monthly_guardduty_s3_usd"`
	MonthlyDetectiveGB    float64    `json:"monthly_detective_gb"`
	MonthlyDetectiveUSD   float64    `json:"monthly_detective_usd"`
	MonthlyCloudTrailUSD  float64    `json:"monthly_cloudtrail_usd"`
	MonthlyConfigUSD      float64    `json:"monthly_config_usd"`
	MonthlyTotalUSD       float64    `json:"monthly_total_usd"`
	Complete              bool       `json:"complete"`
	Unpriced              []Unpriced `json:"unpriced"`
}

// CostWindow is the observed window and how it projects to a month.
type CostWindow struct {
	From             time.Time `json:"from"`
	Until            time.Time `json:"until"`
	Days             float64   `json:"days"`
	ProjectionFactor float64   `json:"projection_factor"` // 30 days / window
}

// PriceUsed is one price the report applied.
type PriceUsed struct {
	Item       string  `json:"item"`
	Title      string  `json:"title"`
	Region     string  `json:"region"`
	PriceKey   string  `json:"price_key"` // the region the table lists it under, or default
	Unit       string  `json:"unit"`
	Per        float64 `json:"per"`
	Tiers      []Tier  `json:"tiers"`
	Source     string  `json:"source"`
	AsOf       string  `json:"as_of"`
	Confidence string  `json:"confidence"`
}

// Assumptions are everything the figures rest on.
type Assumptions struct {
	PricingVersion   string      `json:"pricing_version"`
	PricingSources   []string    `json:"pricing_sources"`
	Currency         string      `json:"currency"`
	GuardDutyRegions int         `json:"guardduty_regions"`
	TrailCopies      int         `json:"trail_copies"`
	Config           bool        `json:"config"`
	GBBytes          int64       `json:"gb_bytes"`
	Notes            []string    `json:"notes"`
	Prices           []PriceUsed `json:"prices"`
}

// CostReport is cost's result.
type CostReport struct {
	By          string      `json:"by"`
	Window      CostWindow  `json:"window"`
	Assumptions Assumptions `json:"assumptions"`
	Rows        []CostRow   `json:"-"`
	Total       CostRow     `json:"-"`
}

// MarshalJSON writes rows with the grouping key under its own name.
func (r *CostReport) MarshalJSON() ([]byte, error) {
	rows := make([]json.RawMessage, 0, len(r.Rows))
	for _, row := range r.Rows {
		b, err := keyedJSON(r.By, row.Key, row)
		if err != nil {
			return nil, err
		}
		rows = append(rows, b)
	}
	type plain CostReport
	return json.Marshal(struct {
		*plain
		Rows  []json.RawMessage `json:"rows"`
		Total CostRow           `json:"total"`
	}{(*plain)(r), rows, r.Total})
}

const isManagementSQL = `(coalesce(event_category, 'Management') = 'Management' AND coalesce(management_event, true))`
const isDataSQL = `(event_category = 'Data' OR (event_category IS NULL AND management_event = false))`

// Cost estimates what the window's events cost, grouped by opts.By.
func Cost(ctx context.Context, db *sql.DB, opts CostOptions) (*CostReport, error) {
	key, ok := groupSQL[opts.By]
	if !ok || !contains(CostGroupings, opts.By) {
		return nil, fmt.Errorf("%w: --by %q: use %s", ErrBadOption, opts.By, strings.Join(CostGroupings, ", "))
	}
	if opts.GuardDutyRegions < 1 {
		return nil, fmt.Errorf("%w: --guardduty-regions must be at least 1", ErrBadOption)
	}
	if opts.TrailCopies < 0 {
		return nil, fmt.Errorf("%w: --trail-copies cannot be negative", ErrBadOption)
	}
	if opts.Pricing == nil {
		p, err := DefaultPricing()
		if err != nil {
			return nil, err
		}
		opts.Pricing = p
	}
	c, err := NewClassifier(opts.Rules)
	if err != nil {
		return nil, err
	}
	w, err := resolveWindow(ctx, db, opts.Window)
	if err != nil {
		return nil, err
	}
	a := &sqlArgs{}
	evalCol := "0 AS config_evaluations"
	if opts.Config {
		// one PutEvaluations call reports up to 100 evaluations
		evalCol = `CASE WHEN event_source = 'config.amazonaws.com' AND event_name = 'PutEvaluations' AND error_code IS NULL
			THEN coalesce(json_array_length(record->'requestParameters'->'evaluations'), 1) ELSE 0 END AS config_evaluations`
	}
	rel := c.classifiedSQL(a, w, evalCol)
	actorCol := "''" // the actor filter runs in Go (see Attribute)
	if opts.Actor != "" {
		actorCol = "actor"
	}
	evals := "coalesce(sum(config_evaluations), 0)"
	globals := make([]string, len(globalSources))
	for i, g := range globalSources {
		globals[i] = a.add(g)
	}
	q := fmt.Sprintf(`SELECT %s AS a, %s AS k, coalesce(recipient_account_id, account_id, '') AS acct, coalesce(aws_region, '') AS region,
		count(*),
		count(*) FILTER (WHERE %s),
		count(*) FILTER (WHERE %s AND aws_region = 'us-east-1' AND event_source IN (%s)),
		count(*) FILTER (WHERE %s AND event_source = 's3.amazonaws.com'),
		count(*) FILTER (WHERE %s),
		coalesce(sum(size_bytes) FILTER (WHERE %s), 0)::BIGINT,
		(%s)::BIGINT
	FROM %s
	GROUP BY ALL ORDER BY k, acct, region`, actorCol, key, isManagementSQL, isManagementSQL, strings.Join(globals, ", "),
		isDataSQL, isDataSQL, isManagementSQL, evals, rel)
	rows, err := db.QueryContext(ctx, q, a.vals...)
	if err != nil {
		return nil, fmt.Errorf("cost by %s: %w", opts.By, err)
	}
	defer rows.Close()
	var qs []Quantity
	for rows.Next() {
		var x Quantity
		var actor string
		if err := rows.Scan(&actor, &x.Key, &x.Account, &x.Region, &x.Events, &x.ManagementEvents, &x.GlobalEvents,
			&x.S3DataEvents, &x.DataEvents, &x.ManagementBytes, &x.ConfigEvaluations); err != nil {
			return nil, err
		}
		if opts.Actor != "" && actor != opts.Actor {
			continue
		}
		qs = append(qs, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return PriceQuantities(qs, w, opts), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// resolveWindow fills an open window from the data: from the first event's
// hour to the end of the last event's hour.
func resolveWindow(ctx context.Context, db *sql.DB, w Window) (Window, error) {
	if !w.From.IsZero() && !w.Until.IsZero() {
		return w, nil
	}
	a := &sqlArgs{}
	var first, last sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT min(event_time), max(event_time) FROM events WHERE "+w.where(a), a.vals...).Scan(&first, &last); err != nil {
		return w, fmt.Errorf("read time range: %w", err)
	}
	if w.From.IsZero() {
		if first.Valid {
			w.From = first.Time.UTC().Truncate(time.Hour)
		} else if !w.Until.IsZero() {
			w.From = w.Until.Add(-time.Hour)
		}
	}
	if w.Until.IsZero() {
		if last.Valid {
			w.Until = last.Time.UTC().Truncate(time.Hour).Add(time.Hour)
		} else {
			w.Until = w.From.Add(time.Hour)
		}
	}
	return w, nil
}

// location is one account and region: the scope GuardDuty and Detective
// tiers apply to.
type location struct{ account, region string }

// PriceQuantities is the pure pricing step: it turns usage per group,
// account and region into money, applying tiers to each account and
// region's projected monthly usage (AWS Config's tiers to everything
// together) and sharing tiered cost among groups in proportion to their
// usage.
func PriceQuantities(qs []Quantity, w Window, opts CostOptions) *CostReport {
	p := opts.Pricing
	span := w.Until.Sub(w.From)
	factor := 0.0
	if span > 0 {
		factor = float64(month) / float64(span)
	}
	rep := &CostReport{By: opts.By, Window: CostWindow{From: w.From.UTC(), Until: w.Until.UTC(),
		Days: span.Hours() / 24, ProjectionFactor: factor}}
	gdRegions := opts.GuardDutyRegions
	if gdRegions < 1 {
		gdRegions = 1
	}

	// totals per location for tier placement
	type locTotals struct{ gd, s3, bytes float64 }
	locs := map[location]*locTotals{}
	var configTotal float64
	billedGD := func(x Quantity) float64 {
		return float64(x.ManagementEvents) + float64(x.GlobalEvents)*float64(gdRegions-1)
	}
	for _, x := range qs {
		l := location{x.Account, x.Region}
		t := locs[l]
		if t == nil {
			t = &locTotals{}
			locs[l] = t
		}
		t.gd += billedGD(x)
		t.s3 += float64(x.S3DataEvents)
		t.bytes += float64(x.ManagementBytes)
		configTotal += float64(x.ConfigEvaluations)
	}

	used := map[string]PriceUsed{}
	use := func(item, region string) *RegionPrice {
		rp, k := p.Price(item, region)
		if rp == nil {
			return nil
		}
		it := p.Items[item]
		used[item+"\x00"+region] = PriceUsed{Item: item, Title: it.Title, Region: region, PriceKey: k, Unit: it.Unit,
			Per: it.Per, Tiers: rp.Tiers, Source: rp.Source, AsOf: rp.AsOf, Confidence: rp.Confidence}
		return rp
	}
	// monthlyShare prices the location's projected month and returns the
	// group's share of it (monthly dollars) for usage qty out of total.
	monthlyShare := func(item, region string, qty, total float64) (float64, bool) {
		if qty <= 0 {
			return 0, true
		}
		rp := use(item, region)
		if rp == nil {
			return 0, false
		}
		usd, ok := tiered(rp.Tiers, p.Items[item].Per, total*factor)
		if !ok {
			return 0, false
		}
		return usd * qty / total, true
	}

	rows := map[string]*CostRow{}
	unpriced := map[string]map[[2]string]*Unpriced{}
	miss := func(key, item, region string, qty float64) {
		m := unpriced[key]
		if m == nil {
			m = map[[2]string]*Unpriced{}
			unpriced[key] = m
		}
		u := m[[2]string{item, region}]
		if u == nil {
			u = &Unpriced{Item: item, Region: region, Unit: p.Items[item].Unit}
			m[[2]string{item, region}] = u
		}
		u.Quantity += qty
	}
	var monthly = map[string]*[5]float64{} // guardduty, detective, cloudtrail, config, of which guardduty S3
	for _, x := range qs {
		r := rows[x.Key]
		if r == nil {
			r = &CostRow{Key: x.Key}
			rows[x.Key] = r
			monthly[x.Key] = &[5]float64{}
		}
		m := monthly[x.Key]
		l := locs[location{x.Account, x.Region}]
		r.Events += x.Events
		gd := billedGD(x)
		r.GuardDutyEvents += int64(gd)
		r.GuardDutyS3DataEvents += x.S3DataEvents
		gb := float64(x.ManagementBytes) / gbBytes
		r.DetectiveGB += gb

		if usd, ok := monthlyShare(ItemGuardDutyManagement, x.Region, gd, l.gd); ok {
			m[0] += usd
		} else {
			miss(x.Key, ItemGuardDutyManagement, x.Region, gd)
		}
		if usd, ok := monthlyShare(ItemGuardDutyS3, x.Region, float64(x.S3DataEvents), l.s3); ok {
			m[0] += usd
			m[4] += usd
		} else {
			miss(x.Key, ItemGuardDutyS3, x.Region, float64(x.S3DataEvents))
		}
		if usd, ok := monthlyShare(ItemDetective, x.Region, gb, l.bytes/gbBytes); ok {
			m[1] += usd
		} else {
			miss(x.Key, ItemDetective, x.Region, gb)
		}
		copies := float64(x.ManagementEvents) * float64(opts.TrailCopies)
		if usd, ok := monthlyShare(ItemCloudTrailCopy, x.Region, copies, copies); ok {
			m[2] += usd
		} else {
			miss(x.Key, ItemCloudTrailCopy, x.Region, copies)
		}
		if usd, ok := monthlyShare(ItemCloudTrailData, x.Region, float64(x.DataEvents), float64(x.DataEvents)); ok {
			m[2] += usd
		} else {
			miss(x.Key, ItemCloudTrailData, x.Region, float64(x.DataEvents))
		}
		if opts.Config {
			r.ConfigEvaluations += x.ConfigEvaluations
			if usd, ok := monthlyShare(ItemConfigEvaluations, x.Region, float64(x.ConfigEvaluations), configTotal); ok {
				m[3] += usd
			} else {
				miss(x.Key, ItemConfigEvaluations, x.Region, float64(x.ConfigEvaluations))
			}
		}
	}
	rep.Rows = []CostRow{}
	total := CostRow{Key: "total", Complete: true, Unpriced: []Unpriced{}}
	totalMissing := map[[2]string]*Unpriced{}
	for k, r := range rows {
		m := monthly[k]
		r.MonthlyGuardDutyUSD, r.MonthlyDetectiveUSD, r.MonthlyCloudTrailUSD, r.MonthlyConfigUSD = m[0], m[1], m[2], m[3]
		r.MonthlyGuardDutyS3USD = m[4]
		r.MonthlyTotalUSD = m[0] + m[1] + m[2] + m[3]
		if factor > 0 {
			r.GuardDutyUSD, r.DetectiveUSD, r.CloudTrailUSD, r.ConfigUSD = m[0]/factor, m[1]/factor, m[2]/factor, m[3]/factor
			r.GuardDutyS3USD = m[4] / factor
		}
		r.TotalUSD = r.GuardDutyUSD + r.DetectiveUSD + r.CloudTrailUSD + r.ConfigUSD
		r.MonthlyEvents = float64(r.Events) * factor
		r.MonthlyDetectiveGB = r.DetectiveGB * factor
		r.Unpriced = []Unpriced{}
		for _, u := range unpriced[k] {
			r.Unpriced = append(r.Unpriced, *u)
			t := totalMissing[[2]string{u.Item, u.Region}]
			if t == nil {
				t = &Unpriced{Item: u.Item, Region: u.Region, Unit: u.Unit}
				totalMissing[[2]string{u.Item, u.Region}] = t
			}
			t.Quantity += u.Quantity
		}
		sortUnpriced(r.Unpriced)
		r.Complete = len(r.Unpriced) == 0
		rep.Rows = append(rep.Rows, *r)
		addCost(&total, r)
	}
	for _, u := range totalMissing {
		total.Unpriced = append(total.Unpriced, *u)
	}
	sortUnpriced(total.Unpriced)
	total.Complete = len(total.Unpriced) == 0
	rep.Total = total
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.TotalUSD != b.TotalUSD {
			return a.TotalUSD > b.TotalUSD
		}
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return a.Key < b.Key
	})

	rep.Assumptions = Assumptions{PricingVersion: p.Version, PricingSources: p.Sources, Currency: p.Currency,
		GuardDutyRegions: gdRegions, TrailCopies: opts.TrailCopies, Config: opts.Config, GBBytes: gbBytes,
		Notes: costNotes(opts, gdRegions), Prices: []PriceUsed{}}
	for _, k := range output.SortedKeys(used) {
		rep.Assumptions.Prices = append(rep.Assumptions.Prices, used[k])
	}
	return rep
}

func addCost(t *CostRow, r *CostRow) {
	t.Events += r.Events
	t.GuardDutyEvents += r.GuardDutyEvents
	t.GuardDutyS3DataEvents += r.GuardDutyS3DataEvents
	t.GuardDutyUSD += r.GuardDutyUSD
	t.GuardDutyS3USD += r.GuardDutyS3USD
	t.MonthlyGuardDutyS3USD += r.MonthlyGuardDutyS3USD
	t.DetectiveGB += r.DetectiveGB
	t.DetectiveUSD += r.DetectiveUSD
	t.CloudTrailUSD += r.CloudTrailUSD
	t.ConfigEvaluations += r.ConfigEvaluations
	t.ConfigUSD += r.ConfigUSD
	t.TotalUSD += r.TotalUSD
	t.MonthlyEvents += r.MonthlyEvents
	t.MonthlyGuardDutyUSD += r.MonthlyGuardDutyUSD
	t.MonthlyDetectiveGB += r.MonthlyDetectiveGB
	t.MonthlyDetectiveUSD += r.MonthlyDetectiveUSD
	t.MonthlyCloudTrailUSD += r.MonthlyCloudTrailUSD
	t.MonthlyConfigUSD += r.MonthlyConfigUSD
	t.MonthlyTotalUSD += r.MonthlyTotalUSD
}

func sortUnpriced(us []Unpriced) {
	sort.Slice(us, func(i, j int) bool {
		if us[i].Item != us[j].Item {
			return us[i].Item < us[j].Item
		}
		return us[i].Region < us[j].Region
	})
}

func costNotes(opts CostOptions, gdRegions int) []string {
	notes := []string{
		"GuardDuty bills every CloudTrail management event it analyses, read-only ones included: no AWS text exempts Describe/List/Get calls (an inference from user reports), and trail event selectors do not reduce it.",
		fmt.Sprintf("Global service events (IAM, STS, Organizations, CloudFront, ...) are recorded in us-east-1 and billed once in each of %d GuardDuty Region(s) (--guardduty-regions), at the us-east-1 rate.", gdRegions),
		"Tiers apply per account and Region to the projected 30-day usage; tiered cost is shared among groups in proportion to their usage. The window's cost is the projected month's scaled back to the window.",
		"The projection assumes the window's rate of calls holds for 30 days.",
		"Detective ingests each management event's own size in bytes (compact JSON); AWS does not publish how it counts bytes. 1 GB = 2^30 bytes. Global events are counted once.",
		fmt.Sprintf("CloudTrail: the first copy of management events is free; %d additional trail copies (--trail-copies) each bill every management event. Data events are billed once (one trail records them).", opts.TrailCopies),
		"Free trials and the newer Security Hub per-resource plan (which folds GuardDuty billing into it) are not modelled; with that plan the per-event figures may not apply.",
		"Usage without a known price is listed as unpriced and left out of the dollar figures, which are then lower bounds (complete: false).",
	}
	if opts.Config {
		notes = append(notes, "AWS Config: evaluations reported with PutEvaluations in the trail are counted (managed rules and Security Hub controls evaluate without a CloudTrail event and are not); tiers apply across all accounts.")
	} else {
		notes = append(notes, "AWS Config rule evaluations are not included (use --config).")
	}
	return notes
}

// Tables shows rows, the total, the unpriced usage and the assumptions.
func (r *CostReport) Tables() []output.Table {
	// +? marks a figure that leaves out usage with no known price
	usd := func(v float64, row CostRow, service string) string {
		s := fmt.Sprintf("%.2f", v)
		for _, u := range row.Unpriced {
			if service == "" || strings.HasPrefix(u.Item, service) {
				return s + "+?"
			}
		}
		return s
	}
	t := output.Table{Columns: []string{r.By, "events", "guardduty_usd", "detective_gb", "detective_usd", "cloudtrail_usd", "total_usd", "monthly_total_usd"}}
	if r.Assumptions.Config {
		t.Columns = append(t.Columns[:6], append([]string{"config_usd"}, t.Columns[6:]...)...)
	}
	add := func(row CostRow) {
		cells := []any{row.Key, row.Events, usd(row.GuardDutyUSD, row, "guardduty_"), math.Round(row.DetectiveGB*1000) / 1000,
			usd(row.DetectiveUSD, row, "detective_"), usd(row.CloudTrailUSD, row, "cloudtrail_")}
		if r.Assumptions.Config {
			cells = append(cells, usd(row.ConfigUSD, row, "config_"))
		}
		cells = append(cells, usd(row.TotalUSD, row, ""), usd(row.MonthlyTotalUSD, row, ""))
		t.Rows = append(t.Rows, cells)
	}
	for _, row := range r.Rows {
		add(row)
	}
	add(r.Total)
	win := output.Table{KeyValue: true, Rows: [][]any{
		{"window", fmt.Sprintf("%s .. %s (%.2f days; x%.3f for 30 days)", output.Cell(r.Window.From, true), output.Cell(r.Window.Until, true), r.Window.Days, r.Window.ProjectionFactor)},
		{"pricing", r.Assumptions.PricingVersion},
	}}
	tables := []output.Table{t, win}
	if len(r.Total.Unpriced) > 0 {
		u := output.Table{Title: "Unpriced usage (no known price; not in the figures, marked +?):", Columns: []string{"item", "region", "quantity", "unit"}}
		for _, x := range r.Total.Unpriced {
			u.Rows = append(u.Rows, []any{x.Item, x.Region, x.Quantity, x.Unit})
		}
		tables = append(tables, u)
	}
	pr := output.Table{Title: "Prices used:", Columns: []string{"item", "region", "price", "source", "as_of", "confidence"}}
	for _, x := range r.Assumptions.Prices {
		pr.Rows = append(pr.Rows, []any{x.Item, x.Region, tierText(x), x.Source, x.AsOf, x.Confidence})
	}
	notes := output.Table{Title: "Assumptions:", Columns: []string{"assumption"}}
	for _, n := range r.Assumptions.Notes {
		notes.Rows = append(notes.Rows, []any{n})
	}
	return append(tables, pr, notes)
}

func tierText(p PriceUsed) string {
	per := fmt.Sprintf("per %s %s", perText(p.Per), p.Unit)
	if p.Per == 1 {
		per = "per " + strings.TrimSuffix(p.Unit, "s")
	}
	var parts []string
	for _, t := range p.Tiers {
		price := "unknown"
		if t.USD != nil {
			price = "$" + trimFloat(*t.USD)
		}
		if t.UpTo != nil {
			price += " up to " + trimFloat(*t.UpTo)
		} else if len(p.Tiers) > 1 {
			price += " above"
		}
		parts = append(parts, price)
	}
	return strings.Join(parts, ", ") + " " + per
}

func perText(f float64) string {
	switch {
	case f >= 1e6 && math.Mod(f, 1e6) == 0:
		return trimFloat(f/1e6) + "M"
	case f >= 1e3 && math.Mod(f, 1e3) == 0:
		return trimFloat(f/1e3) + "k"
	}
	return trimFloat(f)
}

func trimFloat(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", f), "0"), ".")
}
