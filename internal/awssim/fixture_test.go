package awssim

import "testing"

func TestDefaultFixtureParses(t *testing.T) {
	f := Default()
	if got := len(f.Accounts); got != 3 {
		t.Fatalf("accounts = %d, want 3", got)
	}
}
