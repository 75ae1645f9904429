package analysis

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/analysis/analysistest"
)

// TestClassifySQLAgreesWithGo classifies every fixture event in DuckDB and in
// Go and requires the same actor and rule for each; the actor counts must be
// exactly the ones the generator intended.
func TestClassifySQLAgreesWithGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := analysistest.Store(t)
	_, stats := analysistest.Dir(t)
	c, err := NewClassifier(BuiltinRules())
	if err != nil {
		t.Fatal(err)
	}
	a := &sqlArgs{}
	q := fmt.Sprintf("SELECT event_id, actor, rule_index FROM %s", c.classifiedSQL(a, Window{}))
	rows, err := st.DB.QueryContext(ctx, q, a.vals...)
	if err != nil {
		t.Fatal(err)
	}
	type verdict struct {
		actor string
		rule  int
	}
	sqlV := map[string]verdict{}
	for rows.Next() {
		var id string
		var v verdict
		if err := rows.Scan(&id, &v.actor, &v.rule); err != nil {
			t.Fatal(err)
		}
		if _, dup := sqlV[id]; dup {
			t.Fatalf("event %s classified twice", id)
		}
		sqlV[id] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	evRows, err := st.DB.QueryContext(ctx, eventSQL)
	if err != nil {
		t.Fatal(err)
	}
	defer evRows.Close()
	got := map[string]int{}
	n := 0
	for evRows.Next() {
		e, err := scanEvent(evRows)
		if err != nil {
			t.Fatal(err)
		}
		n++
		actor, rule := c.Classify(e)
		if v := sqlV[e.EventID]; v.actor != actor || v.rule != rule {
			t.Errorf("event %s: SQL %s (rule %d), Go %s (rule %d)", e.EventID, v.actor, v.rule, actor, rule)
		}
		x := c.Explain(e)
		if x.Actor != actor || x.Rule == nil || x.Rule.Index != rule {
			t.Errorf("event %s: Explain disagrees with Classify", e.EventID)
		}
		got[actor]++
	}
	if err := evRows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(sqlV) || n != stats.Events {
		t.Fatalf("events: %d in Go, %d in SQL, %d generated", n, len(sqlV), stats.Events)
	}
	if diff := cmp.Diff(stats.ByActor, got); diff != "" {
		t.Errorf("actor counts (-generated +classified):\n%s", diff)
	}
}
