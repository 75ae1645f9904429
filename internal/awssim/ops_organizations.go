package awssim

import (
	"net/http"
	"time"
)

func registerOrganizations(r registry) {
	r.add(
		&Operation{Service: "organizations", Name: "DescribeOrganization", ReadOnly: true, Handler: orgDescribeOrganization},
		&Operation{Service: "organizations", Name: "ListAccounts", ReadOnly: true, Handler: orgListAccounts},
	)
}

func (c *Call) org() (*Account, error) {
	o := c.sim.fx.Organization
	if o.ID == "" {
		return nil, &Error{Code: "AWSOrganizationsNotInUseException", Status: http.StatusBadRequest,
			Message: "Your account is not a member of an organization."}
	}
	return c.sim.fx.account(o.ManagementAccount), nil
}

func orgDescribeOrganization(c *Call) (any, error) {
	mgmt, err := c.org()
	if err != nil {
		return nil, err
	}
	o := c.sim.fx.Organization
	fs := o.FeatureSet
	if fs == "" {
		fs = "ALL"
	}
	return Struct{F("Organization", Struct{
		F("Id", o.ID),
		F("Arn", "arn:aws:organizations::"+mgmt.ID+":organization/"+o.ID),
		F("FeatureSet", fs),
		F("MasterAccountArn", "arn:aws:organizations::"+mgmt.ID+":account/"+o.ID+"/"+mgmt.ID),
		F("MasterAccountId", mgmt.ID),
		F("MasterAccountEmail", mgmt.Email),
		F("AvailablePolicyTypes", List{Struct{F("Type", "SERVICE_CONTROL_POLICY"), F("Status", "ENABLED")}}),
	})}, nil
}

func orgListAccounts(c *Call) (any, error) {
	mgmt, err := c.org()
	if err != nil {
		return nil, err
	}
	if c.Account != mgmt {
		return nil, &Error{Code: "AccessDeniedException", Status: http.StatusBadRequest,
			Message: "You don't have permissions to access this resource."}
	}
	o := c.sim.fx.Organization
	var all []any
	for _, a := range c.sim.fx.Accounts {
		method := "INVITED"
		if a == mgmt {
			method = "CREATED"
		}
		all = append(all, Struct{F("Id", a.ID), F("Arn", "arn:aws:organizations::"+mgmt.ID+":account/"+o.ID+"/"+a.ID),
			F("Email", a.Email), F("Name", a.Name), F("Status", "ACTIVE"), F("State", "ACTIVE"),
			F("JoinedMethod", method), F("JoinedTimestamp", a.Created.Or(c.Now, -3*365*24*time.Hour))})
	}
	max, _ := c.In.Int("MaxResults")
	page, next, perr := paginate(c, all, c.In.Str("NextToken"), max, 20)
	if perr != nil {
		return nil, perr
	}
	out := Struct{F("Accounts", List(page))}
	if next != "" {
		out = append(out, F("NextToken", next))
	}
	return out, nil
}
