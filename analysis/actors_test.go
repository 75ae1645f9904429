package analysis

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPatternGoAndSQLAgree checks the Go glob matcher against the SQL each
// pattern compiles to, including the shapes that fall back to LIKE.
func TestPatternGoAndSQLAgree(t *testing.T) {
	t.Parallel()
	st := memStore(t)
	tests := []struct {
		pattern, value string
		ignoreCase     bool
		want           bool
	}{
		{"footprint-scanner", "footprint-scanner", false, true},
		{"footprint-scanner", "footprint-scanner2", false, false},
		{"MicrosoftDefenderForClouds_*", "MicrosoftDefenderForClouds_1234", false, true},
		{"MicrosoftDefenderForClouds_*", "microsoftdefenderforclouds_1234", false, false},
		{"MicrosoftDefenderForClouds_*", "microsoftdefenderforclouds_1234", true, true},
		{"*APN_1826889*", "APN_1826889 Boto3/1.34", false, true},
		{"*APN_1826889*", "APN-1826889 Boto3/1.34", false, false}, // _ is literal, not LIKE's any-character
		{"*Terraform/*", "APN/1.0 HashiCorp/1.0 Terraform/1.9.5", false, true},
		{"*.amazonaws.com", "config.amazonaws.com", false, true},
		{"*.amazonaws.com", "config.amazonaws.com.evil", false, false},
		{"a*b?c", "aXXbYc", false, true},
		{"a*b?c", "abc", false, false},
		{"100%", "100%", false, true},
		{"100%", "1000", false, false},
		{"x?%y*", "xa%yzz", false, true},
		{`back\slash*`, `back\slash-1`, false, true},
		{"*", "anything", false, true},
		{"*teampipe*", "Steampipe/0.21", true, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s~%s", tt.pattern, tt.value), func(t *testing.T) {
			got := globMatch(tt.pattern, tt.value, tt.ignoreCase)
			a := &sqlArgs{}
			v := a.add(tt.value)
			var sqlGot bool
			q := "SELECT " + patternSQL("("+v+"::VARCHAR)", tt.pattern, tt.ignoreCase, a)
			if err := st.DB.QueryRowContext(context.Background(), q, a.vals...).Scan(&sqlGot); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got != tt.want || sqlGot != tt.want {
				t.Errorf("Go %v, SQL %v, want %v", got, sqlGot, tt.want)
			}
		})
	}
}

func TestParseAndMergeRules(t *testing.T) {
	t.Parallel()
	base := []Rule{{ID: "a", Actor: "A"}, {ID: "b", Actor: "B"}, {ID: "c", Actor: "C"}}
	user, err := ParseRules([]byte(`{"rules": [
		{"id": "mine", "actor": "acme", "match": {"role": ["AcmeAudit", "AcmeScan*"], "console": false}},
		{"id": "b", "actor": "B2", "match": {"session": "x"}},
		{"id": "c", "disable": true}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := MergeRules(base, user)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID+"="+r.Actor)
	}
	if diff := cmp.Diff([]string{"mine=acme", "a=A", "b=B2"}, ids); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Patterns{"AcmeAudit", "AcmeScan*"}, got[0].Match.Role); diff != "" {
		t.Errorf("patterns: %s", diff)
	}
	for name, doc := range map[string]string{
		"unknown field":       "rules:\n  - id: x\n    actor: y\n    match: {colour: red}\n",
		"unknown placeholder": "rules:\n  - id: x\n    actor: \"{colour}\"\n",
		"no actor":            "rules:\n  - id: x\n    match: {role: r}\n",
		"duplicate id":        "rules:\n  - {id: x, actor: y}\n  - {id: x, actor: z}\n",
		"empty pattern":       "rules:\n  - id: x\n    actor: y\n    match: {role: ''}\n",
	} {
		if _, err := ParseRules([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := MergeRules(base, []Rule{{ID: "zzz", Disable: true}}); err == nil {
		t.Error("disabling a rule that does not exist was accepted")
	}
}

// TestBuiltinRulesKnownTools classifies one event per way each known tool
// shows up in CloudTrail (../shared/reference/cloudtrail.md).
func TestBuiltinRulesKnownTools(t *testing.T) {
	t.Parallel()
	c, err := NewClassifier(BuiltinRules())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{"footprint session", Event{IdentityType: "AssumedRole", Role: "FootprintAudit", Session: "footprint-scanner"}, "footprint"},
		{"footprint user agent", Event{IdentityType: "AssumedRole", Role: "Custom", Session: "s", UserAgent: "footprint/0.3.0 aws-sdk-go-v2/1.36.3"}, "footprint"},
		{"defender CSPM", Event{IdentityType: "AssumedRole", Role: "CspmMonitorAws", Session: "MicrosoftDefenderForClouds_4a1b"}, "defender-for-cloud"},
		{"defender other plan", Event{IdentityType: "AssumedRole", Role: "DefenderForCloud-AgentlessScanner", Session: "s"}, "defender-for-cloud"},
		{"prowler session", Event{IdentityType: "AssumedRole", Role: "ProwlerScan", Session: "ProwlerAssessmentSession"}, "prowler"},
		{"prowler user agent", Event{IdentityType: "IAMUser", User: "ci", UserAgent: "APN_1826889 Boto3/1.34.70"}, "prowler"},
		{"scoutsuite", Event{IdentityType: "IAMUser", User: "audit", UserAgent: "Scout Suite/5.14.0 Boto3/1.34"}, "scoutsuite"},
		{"steampipe", Event{IdentityType: "AssumedRole", Role: "ro", Session: "aws-go-sdk-1", UserAgent: "aws-sdk-go-v2/1.30 Steampipe/0.21"}, "steampipe"},
		{"cloudquery", Event{IdentityType: "AssumedRole", Role: "ro", Session: "aws-go-sdk-1", UserAgent: "cloudquery/aws-plugin aws-sdk-go-v2/1.30"}, "cloudquery"},
		{"terraform", Event{IdentityType: "AssumedRole", Role: "ci", Session: "aws-go-sdk-1", UserAgent: "[APN/1.0 HashiCorp/1.0 Terraform/1.9.5 terraform-provider-aws/5.64.0]"}, "terraform"},
		{"aws config", Event{IdentityType: "AssumedRole", Role: "AWSServiceRoleForConfig", Session: "AWSConfig-Describe", InvokedBy: "config.amazonaws.com"}, "aws-config"},
		{"security hub", Event{IdentityType: "AssumedRole", Role: "AWSServiceRoleForSecurityHub", Session: "s", InvokedBy: "securityhub.amazonaws.com"}, "security-hub"},
		{"service event without type", Event{InvokedBy: "cloudtrail.amazonaws.com"}, "service:cloudtrail.amazonaws.com"},
		{"root", Event{IdentityType: "Root", Principal: "arn:aws:iam::1:root"}, "root"},
		{"console user", Event{IdentityType: "IAMUser", User: "alice", Console: true}, "user:alice"},
		{"SSO console session", Event{IdentityType: "AssumedRole", Role: "AWSReservedSSO_Admin_1", Session: "carol@example.com", Console: true}, "role:AWSReservedSSO_Admin_1"},
		{"role fallback", Event{IdentityType: "AssumedRole", Role: "app", Session: "i-0abc"}, "role:app"},
		{"user fallback", Event{IdentityType: "IAMUser", User: "bob"}, "user:bob"},
		{"federated", Event{IdentityType: "FederatedUser", Principal: "arn:aws:sts::1:federated-user/x"}, "principal:arn:aws:sts::1:federated-user/x"},
		{"nothing", Event{}, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := c.Classify(&tt.e); got != tt.want {
				t.Errorf("actor %s, want %s", got, tt.want)
			}
		})
	}
}
