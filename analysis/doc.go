// Package analysis answers footprint's three analysis questions over the
// events table: who made the calls (actors and attribution), what they cost
// (GuardDuty, Detective, CloudTrail and AWS Config, from an embedded,
// versioned price table) and whether a scanner did what it said (verify stop,
// verify diff, verify scan), plus an offline HTML report of all three.
//
// Everything here is a pure function of the store's contents and its
// options: the clock is injected, output is sorted, and nothing imports the
// AWS SDK. Classification runs in DuckDB: the ordered actor rules compile to
// one CASE expression with bound parameters, and the same rules evaluated in
// Go explain any single event's actor (Explain); a test holds the two to
// agreement on every event of a fixture.
package analysis
