package awssim

import (
	"testing"

	"github.com/footprint-dev/footprint/scan/catalog"
)

// TestCatalogOperationsImplemented: every operation a CIS v1.2.0 control needs
// (required or optional) and the scanner's prerequisites are implemented, and
// CloudTrail names them as the catalogue says.
func TestCatalogOperationsImplemented(t *testing.T) {
	t.Parallel()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := cat.ControlIDs(catalog.CIS120)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"sts:GetCallerIdentity": true, "sts:AssumeRole": true, "ec2:DescribeRegions": true,
		"organizations:DescribeOrganization": true, "organizations:ListAccounts": true, "cloudtrail:LookupEvents": true}
	for _, id := range ids {
		for _, op := range append(append([]string{}, cat.Controls[id].Operations...), cat.Controls[id].OptionalOperations...) {
			want[op] = true
		}
	}
	byAction := map[string]*Operation{}
	for k, op := range newRegistry() {
		name := k.name
		if op.Action != "" {
			name = op.Action
		}
		byAction[serviceByName(k.service).Prefix+":"+name] = op
	}
	for action := range want {
		op := byAction[action]
		if op == nil {
			t.Errorf("%s is not implemented", action)
			continue
		}
		ct := cat.Operations[action]
		if ct == nil {
			continue
		}
		event := op.Name
		if op.EventName != "" {
			event = op.EventName
		}
		if src := serviceByName(op.Service).EventSource; src != ct.EventSource || event != ct.EventName {
			t.Errorf("%s is recorded as %s %s, the catalogue says %s %s", action, src, event, ct.EventSource, ct.EventName)
		}
		if !op.ReadOnly {
			t.Errorf("%s is not read-only", action)
		}
	}
}
