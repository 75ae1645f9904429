package awssim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func registerEC2(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "ec2", Name: name, ReadOnly: true, Handler: h}
	}
	r.add(
		op("DescribeRegions", ec2DescribeRegions),
		op("DescribeVpcs", ec2DescribeVpcs),
		op("DescribeSecurityGroups", ec2DescribeSecurityGroups),
		op("DescribeFlowLogs", ec2DescribeFlowLogs),
		op("DescribeRouteTables", ec2DescribeRouteTables),
		op("DescribeVpcPeeringConnections", ec2DescribeVpcPeeringConnections),
	)
}

// optInRegions are the regions AWS ships disabled.
var optInRegions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-south-2": true, "ap-southeast-3": true,
	"ap-southeast-4": true, "ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true, "ca-west-1": true,
	"eu-central-2": true, "eu-south-1": true, "eu-south-2": true, "il-central-1": true, "me-central-1": true,
	"me-south-1": true, "mx-central-1": true,
}

// ec2Match applies the request's Filter.N and an ID list to items.
// attrs returns an item's filterable attributes; id its ID.
func ec2Match[T any](c *Call, items []T, idMember, notFound string, attrs func(T) map[string][]string) ([]T, error) {
	ids := c.In.Strs(idMember)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []T
	found := map[string]bool{}
	for _, it := range items {
		a := attrs(it)
		if len(ids) > 0 {
			ok := false
			for _, v := range a["id"] {
				if want[v] {
					ok = true
					found[v] = true
				}
			}
			if !ok {
				continue
			}
		}
		if ec2Filters(c.In.Objs("Filter"), a) {
			out = append(out, it)
		}
	}
	for _, id := range ids {
		if !found[id] && notFound != "" {
			return nil, &Error{Code: notFound, Status: 400, Message: fmt.Sprintf("The ID '%s' does not exist", id)}
		}
	}
	return out, nil
}

func ec2Filters(filters []Input, attrs map[string][]string) bool {
	for _, f := range filters {
		have := attrs[f.Str("Name")]
		ok := false
		for _, w := range f.Strs("Value") {
			for _, h := range have {
				if wildcard(w, h) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ec2Page pages with MaxResults/NextToken (everything when unasked).
func ec2Page[T any](c *Call, items []T) ([]T, []Field, error) {
	max, _ := c.In.Int("MaxResults")
	page, next, err := paginate(c, items, c.In.Str("NextToken"), max, 0)
	if err != nil {
		return nil, nil, err
	}
	if next != "" {
		return page, []Field{F("nextToken", next)}, nil
	}
	return page, nil, nil
}

func ec2DescribeRegions(c *Call) (any, error) {
	all, _ := c.In.Bool("AllRegions")
	type reg struct{ name, status string }
	var regs []reg
	for _, r := range c.sim.fx.Regions.Enabled {
		st := "opt-in-not-required"
		if optInRegions[r] {
			st = "opted-in"
		}
		regs = append(regs, reg{r, st})
	}
	if all {
		for _, r := range c.sim.fx.Regions.NotEnabled {
			regs = append(regs, reg{r, "not-opted-in"})
		}
	}
	matched, err := ec2Match(c, regs, "RegionName", "", func(r reg) map[string][]string {
		return map[string][]string{"id": {r.name}, "region-name": {r.name}, "opt-in-status": {r.status},
			"endpoint": {"ec2." + r.name + ".amazonaws.com"}}
	})
	if err != nil {
		return nil, err
	}
	var out List
	for _, r := range matched {
		out = append(out, Struct{F("regionName", r.name), F("regionEndpoint", "ec2."+r.name+".amazonaws.com"),
			F("optInStatus", r.status)})
	}
	return Struct{F("regionInfo", out)}, nil
}

func ec2DescribeVpcs(c *Call) (any, error) {
	vpcs, err := ec2Match(c, c.Regional().VPCs, "VpcId", "InvalidVpcID.NotFound", func(v *VPC) map[string][]string {
		return map[string][]string{"id": {v.ID}, "vpc-id": {v.ID}, "is-default": {strconv.FormatBool(v.Default)},
			"cidr": {v.CIDR}, "cidr-block": {v.CIDR}, "state": {vpcState(v)}, "owner-id": {c.Account.ID}}
	})
	if err != nil {
		return nil, err
	}
	page, tail, err := ec2Page(c, vpcs)
	if err != nil {
		return nil, err
	}
	var out List
	for _, v := range page {
		out = append(out, Struct{
			F("vpcId", v.ID), F("ownerId", c.Account.ID), F("state", vpcState(v)), F("cidrBlock", v.CIDR),
			F("cidrBlockAssociationSet", List{Struct{F("associationId", "vpc-cidr-assoc-"+strings.TrimPrefix(v.ID, "vpc-")),
				F("cidrBlock", v.CIDR), F("cidrBlockState", Struct{F("state", "associated")})}}),
			F("dhcpOptionsId", "dopt-"+strings.TrimPrefix(v.ID, "vpc-")),
			F("instanceTenancy", "default"), F("isDefault", v.Default),
		})
	}
	return append(Struct{F("vpcSet", out)}, tail...), nil
}

func vpcState(v *VPC) string {
	if v.State == "" {
		return "available"
	}
	return v.State
}

func ipPermissions(c *Call, rules []*Rule) List {
	out := List{}
	for _, r := range rules {
		p := Struct{F("ipProtocol", r.Protocol)}
		if r.FromPort != nil {
			p = append(p, F("fromPort", *r.FromPort))
		}
		if r.ToPort != nil {
			p = append(p, F("toPort", *r.ToPort))
		}
		groups := List{}
		for _, g := range r.Groups {
			groups = append(groups, Struct{F("userId", c.Account.ID), F("groupId", g)})
		}
		ranges := List{}
		for _, cidr := range r.CIDRs {
			ranges = append(ranges, Struct{F("cidrIp", cidr)})
		}
		v6 := List{}
		for _, cidr := range r.IPv6CIDRs {
			v6 = append(v6, Struct{F("cidrIpv6", cidr)})
		}
		p = append(p, F("groups", groups), F("ipRanges", ranges), F("ipv6Ranges", v6), F("prefixListIds", List{}))
		out = append(out, p)
	}
	return out
}

func ec2DescribeSecurityGroups(c *Call) (any, error) {
	groups, err := ec2Match(c, c.Regional().SecurityGroups, "GroupId", "InvalidGroup.NotFound", func(g *SecurityGroup) map[string][]string {
		return map[string][]string{"id": {g.ID}, "group-id": {g.ID}, "group-name": {g.Name}, "vpc-id": {g.VPC},
			"owner-id": {c.Account.ID}, "description": {g.Description}}
	})
	if err != nil {
		return nil, err
	}
	if names := c.In.Strs("GroupName"); len(names) > 0 {
		var kept []*SecurityGroup
		for _, g := range groups {
			for _, n := range names {
				if g.Name == n {
					kept = append(kept, g)
				}
			}
		}
		groups = kept
	}
	page, tail, err := ec2Page(c, groups)
	if err != nil {
		return nil, err
	}
	var out List
	for _, g := range page {
		desc := g.Description
		if desc == "" {
			desc = g.Name
		}
		out = append(out, Struct{
			F("ownerId", c.Account.ID), F("groupId", g.ID), F("groupName", g.Name), F("groupDescription", desc),
			F("ipPermissions", ipPermissions(c, g.Ingress)), F("ipPermissionsEgress", ipPermissions(c, g.Egress)),
			F("vpcId", g.VPC),
			F("securityGroupArn", "arn:aws:ec2:"+c.Region+":"+c.Account.ID+":security-group/"+g.ID),
		})
	}
	return append(Struct{F("securityGroupInfo", out)}, tail...), nil
}

func ec2DescribeFlowLogs(c *Call) (any, error) {
	logs, err := ec2Match(c, c.Regional().FlowLogs, "FlowLogId", "", func(f *FlowLog) map[string][]string {
		return map[string][]string{"id": {f.ID}, "flow-log-id": {f.ID}, "resource-id": {f.Resource},
			"traffic-type": {f.TrafficType}, "log-destination-type": {flowDest(f)}, "log-group-name": {f.LogGroup},
			"deliver-log-status": {"SUCCESS"}}
	})
	if err != nil {
		return nil, err
	}
	page, tail, err := ec2Page(c, logs)
	if err != nil {
		return nil, err
	}
	var out List
	for _, f := range page {
		status := f.Status
		if status == "" {
			status = "ACTIVE"
		}
		traffic := f.TrafficType
		if traffic == "" {
			traffic = "ALL"
		}
		s := Struct{
			F("creationTime", f.Created.Or(c.Now, -200*24*time.Hour)),
			F("deliverLogsStatus", "SUCCESS"),
			F("flowLogId", f.ID),
			F("flowLogStatus", status),
		}
		if f.Destination != "" {
			s = append(s, F("logDestination", f.Destination))
		}
		s = append(s, F("logDestinationType", flowDest(f)))
		if f.LogGroup != "" {
			s = append(s, F("logGroupName", f.LogGroup),
				F("deliverLogsPermissionArn", "arn:aws:iam::"+c.Account.ID+":role/flow-logs"))
		}
		s = append(s, F("logFormat", "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"),
			F("maxAggregationInterval", 600), F("resourceId", f.Resource), F("trafficType", traffic))
		out = append(out, s)
	}
	return append(Struct{F("flowLogSet", out)}, tail...), nil
}

func flowDest(f *FlowLog) string {
	if f.DestinationType == "" {
		return "cloud-watch-logs"
	}
	return f.DestinationType
}

func routeTarget(t string) Field {
	switch {
	case strings.HasPrefix(t, "pcx-"):
		return F("vpcPeeringConnectionId", t)
	case strings.HasPrefix(t, "nat-"):
		return F("natGatewayId", t)
	case strings.HasPrefix(t, "tgw-"):
		return F("transitGatewayId", t)
	case strings.HasPrefix(t, "eni-"):
		return F("networkInterfaceId", t)
	case strings.HasPrefix(t, "i-"):
		return F("instanceId", t)
	}
	return F("gatewayId", t)
}

func ec2DescribeRouteTables(c *Call) (any, error) {
	tables, err := ec2Match(c, c.Regional().RouteTables, "RouteTableId", "InvalidRouteTableID.NotFound", func(t *RouteTable) map[string][]string {
		a := map[string][]string{"id": {t.ID}, "route-table-id": {t.ID}, "vpc-id": {t.VPC},
			"association.main": {strconv.FormatBool(t.Main)}, "association.subnet-id": t.Subnets}
		for _, r := range t.Routes {
			a["route.destination-cidr-block"] = append(a["route.destination-cidr-block"], r.Destination)
			if strings.HasPrefix(r.Target, "pcx-") {
				a["route.vpc-peering-connection-id"] = append(a["route.vpc-peering-connection-id"], r.Target)
			}
		}
		return a
	})
	if err != nil {
		return nil, err
	}
	page, tail, err := ec2Page(c, tables)
	if err != nil {
		return nil, err
	}
	var out List
	for _, t := range page {
		routes := List{}
		for _, r := range t.Routes {
			origin := "CreateRoute"
			if r.Target == "local" {
				origin = "CreateRouteTable"
			}
			routes = append(routes, Struct{F("destinationCidrBlock", r.Destination), routeTarget(r.Target),
				F("state", "active"), F("origin", origin)})
		}
		assoc := List{}
		short := strings.TrimPrefix(t.ID, "rtb-")
		if t.Main {
			assoc = append(assoc, Struct{F("routeTableAssociationId", "rtbassoc-"+short+"m"), F("routeTableId", t.ID),
				F("main", true), F("associationState", Struct{F("state", "associated")})})
		}
		for i, sn := range t.Subnets {
			assoc = append(assoc, Struct{F("routeTableAssociationId", fmt.Sprintf("rtbassoc-%s%d", short, i)),
				F("routeTableId", t.ID), F("subnetId", sn), F("main", false),
				F("associationState", Struct{F("state", "associated")})})
		}
		out = append(out, Struct{F("routeTableId", t.ID), F("vpcId", t.VPC), F("ownerId", c.Account.ID),
			F("routeSet", routes), F("associationSet", assoc), F("propagatingVgwSet", List{}), F("tagSet", List{})})
	}
	return append(Struct{F("routeTableSet", out)}, tail...), nil
}

func ec2DescribeVpcPeeringConnections(c *Call) (any, error) {
	pcs, err := ec2Match(c, c.Regional().VPCPeeringConnections, "VpcPeeringConnectionId", "InvalidVpcPeeringConnectionID.NotFound", func(p *PeeringConnection) map[string][]string {
		return map[string][]string{"id": {p.ID}, "vpc-peering-connection-id": {p.ID}, "status-code": {peerStatus(p)},
			"requester-vpc-info.vpc-id": {p.Requester.VPC}, "accepter-vpc-info.vpc-id": {p.Accepter.VPC}}
	})
	if err != nil {
		return nil, err
	}
	page, tail, err := ec2Page(c, pcs)
	if err != nil {
		return nil, err
	}
	side := func(s PeeringSide) Struct {
		acct, region := s.Account, s.Region
		if acct == "" {
			acct = c.Account.ID
		}
		if region == "" {
			region = c.Region
		}
		out := Struct{F("vpcId", s.VPC), F("ownerId", acct), F("region", region)}
		if s.CIDR != "" {
			out = append(out, F("cidrBlock", s.CIDR), F("cidrBlockSet", List{Struct{F("cidrBlock", s.CIDR)}}))
		}
		return out
	}
	var out List
	for _, p := range page {
		out = append(out, Struct{F("vpcPeeringConnectionId", p.ID), F("requesterVpcInfo", side(p.Requester)),
			F("accepterVpcInfo", side(p.Accepter)),
			F("status", Struct{F("code", peerStatus(p)), F("message", strings.ToUpper(peerStatus(p)[:1])+peerStatus(p)[1:])}),
			F("tagSet", List{})})
	}
	return append(Struct{F("vpcPeeringConnectionSet", out)}, tail...), nil
}

func peerStatus(p *PeeringConnection) string {
	if p.Status == "" {
		return "active"
	}
	return p.Status
}
