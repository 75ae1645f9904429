package analysis

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/footprint-dev/footprint/analysis/analysistest"
	"github.com/footprint-dev/footprint/internal/store"
)

// TestClassifySQLAgreesWithGo classifies every fixture event in DuckDB and in
// Go and requires the same actor and rule for each; the actor counts must be
// exactly the ones the generator intended.
func TestClassifySQLAgreesWithGo(t *testing.T) {
	t.Parallel()
	st := analysistest.Store(t)
	t.Run("built-in rules", func(t *testing.T) { classifyAgreement(t, st, BuiltinRules(), true) })
	// user rules that exercise LIKE fallbacks, ignore_case and templates
	user, err := ParseRules([]byte(`rules:
  - id: cli-by-account
    actor: "cli:{account}"
    ignore_case: true
    match: {user_agent: "AWS-CLI/2.*md/arch#?86_64*"}
  - id: sdk-sessions
    actor: "{identity_type}/{role}/{session}"
    match: {session: "a?s-go-sdk-*"}
  - id: role
    actor: "other-role:{role}"
    match: {identity_type: AssumedRole, source_ip: ["1*", "2?.*"]}
`))
	if err != nil {
		t.Fatal(err)
	}
	merged, err := MergeRules(BuiltinRules(), user)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("with a rules file", func(t *testing.T) { classifyAgreement(t, st, merged, false) })
}

func classifyAgreement(t *testing.T, st *store.Store, rules []Rule, generated bool) {
	ctx := context.Background()
	_, stats := analysistest.Dir(t)
	c, err := NewClassifier(rules)
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
	if !generated {
		// every user rule must have matched something
		for _, prefix := range []string{"cli:", "AssumedRole/ci-deploy/aws-go-sdk-", "other-role:"} {
			found := false
			for a := range got {
				found = found || strings.HasPrefix(a, prefix)
			}
			if !found {
				t.Errorf("no actor %s... in %v", prefix, got)
			}
		}
		return
	}
	if diff := cmp.Diff(stats.ByActor, got); diff != "" {
		t.Errorf("actor counts (-generated +classified):\n%s", diff)
	}
}
