package awssim

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"time"
)

// credReport is an account's IAM credential report state machine:
// not present -> GenerateCredentialReport (STARTED) -> in progress -> complete,
// expiring 4 hours after generation as AWS's does.
type credReport struct {
	started  time.Time
	complete bool
	// seenInProgress: a report completes after one call has observed it in
	// progress (GenerateCredentialReport answering COMPLETE, or
	// GetCredentialReport answering ReportInProgress), or after reportDelay.
	generated time.Time
	content   []byte
}

const (
	reportDelay  = 3 * time.Second
	reportMaxAge = 4 * time.Hour
)

// generate advances the state machine for GenerateCredentialReport and
// returns the state AWS answers: STARTED, INPROGRESS or COMPLETE.
func (s *Sim) generateReport(c *Call) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reports[c.Account.ID]
	switch {
	case r == nil || (r.complete && !c.Now.Before(r.generated.Add(reportMaxAge))):
		s.reports[c.Account.ID] = &credReport{started: c.Now}
		return "STARTED"
	case !r.complete:
		s.completeLocked(c, r)
		return "COMPLETE"
	}
	return "COMPLETE"
}

func (s *Sim) completeLocked(c *Call, r *credReport) {
	r.complete = true
	r.generated = c.Now
	r.content = credentialReport(c.sim.fx, c.Account, c.Now)
}

// report answers GetCredentialReport: the report, or the error kind AWS
// gives in each state.
func (s *Sim) report(c *Call) (*credReport, *Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reports[c.Account.ID]
	switch {
	case r == nil:
		return nil, &Error{Code: "ReportNotPresent", TrailCode: "CredentialReportNotPresentException", Status: 410,
			Message: "Credential report not present. Call GenerateCredentialReport first."}
	case !r.complete:
		if c.Now.Sub(r.started) >= reportDelay {
			s.completeLocked(c, r)
			return r, nil
		}
		// The next call finds it complete: scanners that poll either call
		// make progress even under a frozen test clock.
		s.completeLocked(c, r)
		return nil, &Error{Code: "ReportInProgress", TrailCode: "CredentialReportNotReadyException", Status: 404,
			Message: "Report is in progress"}
	case !c.Now.Before(r.generated.Add(reportMaxAge)):
		return nil, &Error{Code: "ReportExpired", TrailCode: "CredentialReportExpiredException", Status: 410,
			Message: "Report is expired. Call GenerateCredentialReport to generate a new report."}
	}
	return r, nil
}

// ReportHeader is the credential report's CSV header.
var ReportHeader = []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used",
	"password_last_changed", "password_next_rotation", "mfa_active", "access_key_1_active",
	"access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region",
	"access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
	"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}

func reportTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }

// keyColumns are the five access_key_N columns of a key slot.
func keyColumns(k *AccessKey, now time.Time) []string {
	if k == nil {
		return []string{"false", "N/A", "N/A", "N/A", "N/A"}
	}
	out := []string{strconv.FormatBool(k.Status != "Inactive"), reportTime(k.Created.Or(now, -24*time.Hour))}
	if k.LastUsed == nil {
		return append(out, "N/A", "N/A", "N/A")
	}
	region, svc := k.LastUsed.Region, k.LastUsed.Service
	if region == "" {
		region = "N/A"
	}
	if svc == "" {
		svc = "N/A"
	}
	return append(out, reportTime(k.LastUsed.Date.At(now)), region, svc)
}

func keySlot(keys []*AccessKey, i int) *AccessKey {
	if i < len(keys) {
		return keys[i]
	}
	return nil
}

// credentialReport derives the CSV from the account's users as AWS does.
func credentialReport(fx *Fixture, a *Account, now time.Time) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(ReportHeader)
	root := a.IAM.Root
	rootRow := []string{"<root_account>", "arn:aws:iam::" + a.ID + ":root", reportTime(a.Created.Or(now, -3*365*24*time.Hour)),
		"not_supported"}
	if root.PasswordLastUsed.IsSet() {
		rootRow = append(rootRow, reportTime(root.PasswordLastUsed.At(now)))
	} else {
		rootRow = append(rootRow, "no_information")
	}
	rootRow = append(rootRow, "not_supported", "not_supported", strconv.FormatBool(root.MFA == "virtual" || root.MFA == "hardware"))
	rootRow = append(rootRow, keyColumns(keySlot(root.AccessKeys, 0), now)...)
	rootRow = append(rootRow, keyColumns(keySlot(root.AccessKeys, 1), now)...)
	rootRow = append(rootRow, "false", "N/A", "false", "N/A")
	_ = w.Write(rootRow)
	for _, u := range a.IAM.Users {
		row := []string{u.Name, userARN(a, u), reportTime(u.Created.Or(now, -365*24*time.Hour))}
		if p := u.Password; p != nil {
			row = append(row, "true")
			if p.LastUsed.IsSet() {
				row = append(row, reportTime(p.LastUsed.At(now)))
			} else {
				row = append(row, "no_information")
			}
			changed := p.Changed.Or(now, 0)
			if !p.Changed.IsSet() {
				changed = u.Created.Or(now, -365*24*time.Hour)
			}
			row = append(row, reportTime(changed))
			if pp := a.IAM.PasswordPolicy; pp != nil && pp.MaxPasswordAge > 0 {
				row = append(row, reportTime(changed.Add(time.Duration(pp.MaxPasswordAge)*24*time.Hour)))
			} else {
				row = append(row, "N/A")
			}
		} else {
			row = append(row, "false", "N/A", "N/A", "N/A")
		}
		row = append(row, strconv.FormatBool(len(u.MFA) > 0))
		row = append(row, keyColumns(keySlot(u.AccessKeys, 0), now)...)
		row = append(row, keyColumns(keySlot(u.AccessKeys, 1), now)...)
		row = append(row, "false", "N/A", "false", "N/A")
		_ = w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}
