package analysis

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/analysis/analysistest"
)

// TestAttributeSumsToTotal checks, for every grouping, that the groups add
// up to every event in the window, and that actor rows carry the counts the
// generator intended.
func TestAttributeSumsToTotal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := analysistest.Store(t)
	_, stats := analysistest.Dir(t)
	var all int64
	if err := st.DB.QueryRow("SELECT count(*) FROM events").Scan(&all); err != nil {
		t.Fatal(err)
	}
	for _, by := range Groupings {
		t.Run(by, func(t *testing.T) {
			res, err := Attribute(ctx, st.DB, AttributeOptions{Rules: BuiltinRules(), By: by})
			if err != nil {
				t.Fatal(err)
			}
			var sum, read, write int64
			for i, r := range res.Rows {
				sum += r.Events
				read += r.ReadEvents
				write += r.WriteEvents
				if r.ReadEvents+r.WriteEvents > r.Events || r.ErrorEvents > r.Events || r.ThrottledEvents > r.ErrorEvents {
					t.Errorf("%s: inconsistent counts %+v", r.Key, r)
				}
				if i > 0 && res.Rows[i-1].Events < r.Events {
					t.Errorf("rows not sorted by volume at %s", r.Key)
				}
			}
			if sum != all || res.Total != all {
				t.Errorf("rows add up to %d (total %d), want %d", sum, res.Total, all)
			}
			if by == "actor" {
				got := map[string]int{}
				for _, r := range res.Rows {
					got[r.Key] = int(r.Events)
				}
				if diff := cmp.Diff(stats.ByActor, got); diff != "" {
					t.Errorf("actors (-generated +attributed):\n%s", diff)
				}
			}
		})
	}
}

func TestAttributeActorAndWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := analysistest.Store(t)
	w := Window{From: analysistest.SwitchAt, Until: analysistest.End}
	res, err := Attribute(ctx, st.DB, AttributeOptions{Rules: BuiltinRules(), By: "operation", Actor: "prowler", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	if err := st.DB.QueryRow(`SELECT count(*) FROM events WHERE session_name = 'ProwlerAssessmentSession' AND event_time >= $1`, w.From).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if res.Total != want || want == 0 {
		t.Errorf("prowler after the switch: %d events, want %d", res.Total, want)
	}
	ops, _ := analysistest.CatalogOps()
	cis := map[string]bool{}
	for _, o := range ops.CIS {
		cis[string(o)] = true
	}
	for _, r := range res.Rows {
		if !cis[r.Key] {
			t.Errorf("prowler called %s after FSBP was switched off", r.Key)
		}
		if r.FirstSeen.Before(w.From) {
			t.Errorf("%s first seen %s, before the window", r.Key, r.FirstSeen)
		}
	}
	if _, err := Attribute(ctx, st.DB, AttributeOptions{Rules: BuiltinRules(), By: "colour"}); err == nil {
		t.Error("unknown --by accepted")
	}
}
