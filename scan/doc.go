// Package scan is footprint's posture scanner: plan, collect, evaluate.
//
// Plan (plan.go) is data: the selected standards' requirements map onto
// Security Hub controls (scan/catalog, scan/standards); each control is a SQL
// statement over inventory tables (queries/controls/<ID>.sql, which declares
// the tables it reads); each table is filled by exactly one collector
// (scan/collect), which may need other tables first; each collector declares
// the API operations it may call. That graph gives lazy collection (only the
// collectors the controls need run, only their operations are called), the
// least-privilege policy, and the dry run's prediction.
//
// Run (run.go) discovers the caller, assumes the scanner's role in each
// account under the fixed session name and lists the enabled regions
// (target.go), runs the plan's collectors stage by stage with bounded
// concurrency behind one token bucket per account and region, then runs
// every control over the inventory (evaluate.go). Reads that fail become
// gaps, and a gap turns the findings it reaches into not_evaluated, never
// pass. Every call, with every attempt's request ID, is the scan's call
// manifest (manifest.go), stored in scan_calls for `footprint verify scan`.
//
// Accounts are a dimension of every table, finding and plan step, so the
// same code scans one account or many.
package scan
