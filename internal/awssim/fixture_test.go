package awssim

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultFixtureParses(t *testing.T) {
	t.Parallel()
	f := Default()
	if got := len(f.Accounts); got != 3 {
		t.Fatalf("accounts = %d, want 3", got)
	}
	for _, a := range f.Accounts {
		found := false
		for _, r := range a.IAM.Roles {
			found = found || r.Name == "FootprintAudit"
		}
		if !found {
			t.Errorf("account %s has no FootprintAudit role", a.ID)
		}
	}
}

const minimal = `
regions: {enabled: [us-east-1]}
accounts:
  - id: "111111111111"
`

func TestFixtureValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, wantErr string
	}{
		{"minimal", minimal, ""},
		{"unknown field", minimal + "    colour: blue\n", "field colour not found"},
		{"bad account id", strings.Replace(minimal, `"111111111111"`, `"1234"`, 1), `accounts[0].id: "1234" is not a 12-digit account ID`},
		{"no regions", "accounts: [{id: \"111111111111\"}]\n", "regions.enabled: at least one enabled region is required"},
		{"bad relative time", minimal + "    created: -40x\n", `accounts[0].created: "-40x" is not a time`},
		{"unknown region", minimal + "    regions: {eu-west-9: {}}\n", `accounts[0].regions.eu-west-9: "eu-west-9" is not an enabled region`},
		{"bad key", minimal + "    iam: {users: [{name: u, access_keys: [{id: nope, secret: s}]}]}\n", `accounts[0].iam.users[0].access_keys[0].id: "nope" is not a long-term access key ID`},
		{"missing secret", minimal + "    iam: {users: [{name: u, access_keys: [{id: AKIAFOOTPRINTSIMX001}]}]}\n", `accounts[0].iam.users[0].access_keys[0].secret: is required`},
		{"dangling policy", minimal + "    iam: {users: [{name: u, attached_policies: [arn:aws:iam::111111111111:policy/Nope]}]}\n", `accounts[0].iam.users[0].attached_policies[0]`},
		{"bad trust policy", minimal + "    iam: {roles: [{name: r, trust_policy: {Statement: [{Effect: Maybe}]}}]}\n", `accounts[0].iam.roles[0].trust_policy: policy Statement[0].Effect "Maybe"`},
		{"bad acl", minimal + "    s3: {buckets: [{name: b, acl: open}]}\n", `accounts[0].s3.buckets[0].acl: "open" is not one of`},
		{"trail bucket missing", minimal + "trail_bucket: nope\n", `trail_bucket: "nope" is not a bucket`},
		{"bad fault", minimal + "faults: [{operation: ListUsers, deny: true}]\n", `faults[0]: operation "ListUsers" is not service:Name`},
		{"bad sg cidr", minimal + "    regions: {us-east-1: {security_groups: [{id: sg-1, name: x, ingress: [{protocol: tcp, cidrs: [everywhere]}]}]}}\n", `accounts[0].regions.us-east-1.security_groups[0].ingress[0].cidrs[0]: "everywhere" is not a CIDR block`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFixture([]byte(tc.yaml))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalidFixture) {
				t.Errorf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestRelTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"-400d":                now.Add(-400 * 24 * time.Hour),
		"-1d12h":               now.Add(-36 * time.Hour),
		"-90m":                 now.Add(-90 * time.Minute),
		"now":                  now,
		"+2h":                  now.Add(2 * time.Hour),
		"2025-01-02T03:04:05Z": time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	} {
		rt := RelTime{raw: in}
		if err := rt.parse(); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := rt.At(now); !got.Equal(want) {
			t.Errorf("%s = %v, want %v", in, got, want)
		}
	}
}
