package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/footprint-dev/footprint/analysis"
)

type attributeOptions struct {
	By      string
	Actor   string
	Actors  string
	Explain string
	Window  windowFlags
}

func newAttributeCmd(f *Factory) *cobra.Command {
	opts := &attributeOptions{}
	c := &cobra.Command{
		Use:   "attribute",
		Short: "Who made the calls: events per actor, principal, session, operation, region, account, day or hour",
		Long: `Attribute every CloudTrail event to exactly one actor and count the calls per group:
events, read and write events, errors, throttles, distinct operations, first and last
seen, and bytes, sorted by volume. Actor counts always add up to the total.

Actors come from ordered rules; the first rule that matches an event wins. Built in,
most specific first: footprint itself (session footprint-scanner, user agent
footprint/), defender-for-cloud (role CspmMonitorAws and Defender's other roles,
sessions MicrosoftDefenderForClouds_*), prowler (session ProwlerAssessmentSession or
APN_1826889 in the user agent), scoutsuite, steampipe, cloudquery, terraform (the
Terraform AWS provider's user agent), aws-config, security-hub, AWS services
(service:NAME, from invokedBy), root, the console (as user:NAME or role:NAME, rule console-user / console-session) and the fallbacks
role:NAME, user:NAME, principal:ARN and unknown.

--actors FILE adds rules (YAML or JSON). A rule with a built-in rule's id replaces
it (disable: true removes it); other rules go before the built-in ones, in order:

  rules:
    - id: acme-scanner
      actor: acme            # or a template: role:{role}, {session}, {user}, {service},
      description: ACME CSPM #   {principal}, {account}, {identity_type}
      match:                 # every condition must hold; a list means any of
        role: AcmeAudit      # role name (sessionIssuer.userName)
        session: "acme-*"    # role-session name
        user_agent: "*acme/*"
        # also: identity_type, invoked_by, source_ip, user, principal, account,
        #       event_type, console: true|false
      ignore_case: false     # patterns are globs: * any run, ? one character

--explain EVENT_ID shows which rule gave one event its actor and why.

With --format json the result is an array of objects, the grouping key under its
own name (actor, principal, ...) beside events, read_events, write_events,
error_events, throttled_events, distinct_operations, first_seen, last_seen, bytes.

` + exitCodesHelp,
		Example: `  footprint attribute
  footprint attribute --by operation --actor defender-for-cloud --since 30d
  footprint attribute --by day --actor prowler --format json
  footprint attribute --actors my-actors.yaml --by actor
  footprint attribute --explain 3b8f6f8e-6a51-4d5c-9a0b-2f9c1d7e4a10`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			rules, err := loadRules(opts.Actors)
			if err != nil {
				return err
			}
			st, err := f.ReadOnlyStore(c.Context())
			if err != nil {
				return err
			}
			if opts.Explain != "" {
				x, err := analysis.ExplainEvent(c.Context(), st.DB, analysis.ExplainOptions{Rules: rules, EventID: opts.Explain})
				if err != nil {
					return analysisErr(err)
				}
				return f.Render(x)
			}
			w, err := opts.Window.window(f.Now())
			if err != nil {
				return err
			}
			res, err := analysis.Attribute(c.Context(), st.DB, analysis.AttributeOptions{Rules: rules, By: opts.By, Actor: opts.Actor, Window: w})
			if err != nil {
				return analysisErr(err)
			}
			return f.Render(res)
		},
	}
	c.Flags().StringVar(&opts.By, "by", "actor", "group by "+strings.Join(analysis.Groupings, "|"))
	c.Flags().StringVar(&opts.Actor, "actor", "", "only this actor's events")
	c.Flags().StringVar(&opts.Actors, "actors", "", actorsFlagHelp)
	c.Flags().StringVar(&opts.Explain, "explain", "", "explain which rule attributes this event ID, and why")
	opts.Window.add(c)
	return c
}
