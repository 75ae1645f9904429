package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func init() {
	register(
		&Collector{
			Name: "ec2_vpcs", Service: "ec2", Scope: Regional,
			Tables: []string{"ec2_vpcs"},
			Ops:    []Op{{Name: "ec2:DescribeVpcs", Kind: Paged, Assume: 1, AssumeMax: 3}},
			Run:    vpcs,
		},
		&Collector{
			Name: "ec2_flow_logs", Service: "ec2", Scope: Regional,
			Tables: []string{"ec2_flow_logs"},
			Ops:    []Op{{Name: "ec2:DescribeFlowLogs", Kind: Paged, Assume: 1, AssumeMax: 3}},
			Run:    flowLogs,
		},
		&Collector{
			Name: "ec2_security_groups", Service: "ec2", Scope: Regional,
			Tables: []string{"ec2_security_groups", "ec2_security_group_rules"},
			Ops:    []Op{{Name: "ec2:DescribeSecurityGroups", Kind: Paged, Assume: 1, AssumeMax: 5}},
			Run:    securityGroups,
		},
	)
}

func vpcs(ctx context.Context, env *Env) error {
	p := ec2.NewDescribeVpcsPaginator(env.Clients.EC2(env.Region), &ec2.DescribeVpcsInput{})
	cctx := env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(cctx)
		if err != nil {
			env.Gap("ec2:DescribeVpcs", env.Region, "", err)
			return ctx.Err()
		}
		for _, v := range out.Vpcs {
			rows = append(rows, []any{str(v.VpcId), nullable(str(v.CidrBlock)), boolVal(v.IsDefault), nullable(string(v.State)), nullable(str(v.OwnerId))})
		}
	}
	for _, r := range rows {
		env.Add("ec2_vpcs", env.Region, r...)
	}
	return nil
}

func flowLogs(ctx context.Context, env *Env) error {
	p := ec2.NewDescribeFlowLogsPaginator(env.Clients.EC2(env.Region), &ec2.DescribeFlowLogsInput{})
	cctx := env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(cctx)
		if err != nil {
			env.Gap("ec2:DescribeFlowLogs", env.Region, "", err)
			return ctx.Err()
		}
		for _, f := range out.FlowLogs {
			rows = append(rows, []any{str(f.FlowLogId), nullable(str(f.ResourceId)), nullable(string(f.TrafficType)),
				nullable(string(f.LogDestinationType)), nullable(str(f.LogDestination)), nullable(str(f.LogGroupName)),
				nullable(str(f.FlowLogStatus)), nullable(str(f.DeliverLogsStatus))})
		}
	}
	for _, r := range rows {
		env.Add("ec2_flow_logs", env.Region, r...)
	}
	return nil
}

func securityGroups(ctx context.Context, env *Env) error {
	p := ec2.NewDescribeSecurityGroupsPaginator(env.Clients.EC2(env.Region), &ec2.DescribeSecurityGroupsInput{})
	cctx := env.Context(ctx)
	var groups, rules [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(cctx)
		if err != nil {
			env.Gap("ec2:DescribeSecurityGroups", env.Region, "", err)
			return ctx.Err()
		}
		for _, g := range out.SecurityGroups {
			id := str(g.GroupId)
			groups = append(groups, []any{id, nullable(str(g.GroupName)), nullable(str(g.VpcId)), nullable(str(g.Description)), nullable(str(g.OwnerId))})
			rules = append(rules, flattenPermissions(id, "ingress", g.IpPermissions)...)
			rules = append(rules, flattenPermissions(id, "egress", g.IpPermissionsEgress)...)
		}
	}
	for _, r := range groups {
		env.Add("ec2_security_groups", env.Region, r...)
	}
	for _, r := range rules {
		env.Add("ec2_security_group_rules", env.Region, r...)
	}
	return nil
}

// flattenPermissions turns each permission into one row per source (CIDR,
// IPv6 CIDR, prefix list or group), or one row with source_type none when it
// names no source.
func flattenPermissions(groupID, direction string, perms []types.IpPermission) [][]any {
	var out [][]any
	for i, p := range perms {
		base := []any{groupID, direction, i, nullable(str(p.IpProtocol)), int32Val(p.FromPort), int32Val(p.ToPort)}
		row := func(kind string, source, desc *string) {
			r := append(append([]any{}, base...), kind, nullable(str(source)), nullable(str(desc)))
			out = append(out, r)
		}
		n := 0
		for _, r := range p.IpRanges {
			row("cidr_ipv4", r.CidrIp, r.Description)
			n++
		}
		for _, r := range p.Ipv6Ranges {
			row("cidr_ipv6", r.CidrIpv6, r.Description)
			n++
		}
		for _, r := range p.PrefixListIds {
			row("prefix_list", r.PrefixListId, r.Description)
			n++
		}
		for _, r := range p.UserIdGroupPairs {
			row("security_group", r.GroupId, r.Description)
			n++
		}
		if n == 0 {
			row("none", nil, nil)
		}
	}
	return out
}
