package catalog

import (
	"testing"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		standard     string
		requirements int
	}{
		{CIS120, 49},
		{FSBP, 375},
		{PCI321, 45},
	}
	for _, tt := range tests {
		s, err := c.Standard(tt.standard)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(s.Requirements); got != tt.requirements {
			t.Errorf("%s: %d requirements, want %d", tt.standard, got, tt.requirements)
		}
	}
	manual := 0
	for _, r := range c.Standards[CIS120].Requirements {
		if !r.IsAutomated() {
			manual++
		}
	}
	if manual != 6 {
		t.Errorf("CIS v1.2.0 has %d manual recommendations, want 6", manual)
	}
	ops, err := c.StandardOperations(CIS120)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) == 0 {
		t.Fatal("no CIS operations")
	}
	for _, op := range ops {
		if c.Operations[op] == nil {
			t.Errorf("operation %s has no CloudTrail mapping", op)
		}
	}
	if _, err := c.Standard("nist"); err == nil {
		t.Error("unknown standard accepted")
	}
}

func TestParseRejectsDanglingOperation(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte("controls:\n  X.1:\n    operations: [iam:Nope]\noperations: {}\n"))
	if err == nil {
		t.Fatal("want an error for an operation without a CloudTrail mapping")
	}
}
