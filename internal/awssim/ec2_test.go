package awssim

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

func TestEC2RoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	use1 := ec2.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	prodEU := ec2.NewFromConfig(auditConfig(t, s, prod, "eu-west-1"))

	t.Run("DescribeRegions", func(t *testing.T) {
		out, err := use1.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		var got [][2]string
		for _, r := range out.Regions {
			got = append(got, [2]string{aws.ToString(r.RegionName), aws.ToString(r.OptInStatus)})
			if aws.ToString(r.Endpoint) != "ec2."+aws.ToString(r.RegionName)+".amazonaws.com" {
				t.Errorf("endpoint %s", aws.ToString(r.Endpoint))
			}
		}
		want := [][2]string{{"us-east-1", "opt-in-not-required"}, {"eu-west-1", "opt-in-not-required"},
			{"ap-southeast-2", "opt-in-not-required"}, {"af-south-1", "not-opted-in"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		enabled, err := use1.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil || len(enabled.Regions) != 3 {
			t.Errorf("enabled regions = %v, %v", enabled, err)
		}
	})

	t.Run("DescribeVpcs", func(t *testing.T) {
		out, err := use1.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Vpcs) != 1 {
			t.Fatalf("vpcs = %d", len(out.Vpcs))
		}
		v := out.Vpcs[0]
		if aws.ToString(v.VpcId) != "vpc-01100000000000001" || aws.ToString(v.CidrBlock) != "172.31.0.0/16" || !aws.ToBool(v.IsDefault) ||
			v.State != types.VpcStateAvailable || aws.ToString(v.OwnerId) != mgmt {
			t.Errorf("vpc = %+v", v)
		}
		_, err = use1.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-0nope"}})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidVpcID.NotFound" {
			t.Errorf("err = %v, want InvalidVpcID.NotFound", err)
		}
	})

	t.Run("DescribeSecurityGroups", func(t *testing.T) {
		out, err := prodEU.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
			Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{"ssh-*"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.SecurityGroups) != 1 {
			t.Fatalf("groups = %d", len(out.SecurityGroups))
		}
		g := out.SecurityGroups[0]
		want := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []types.Ipv6Range{}, PrefixListIds: []types.PrefixListId{},
			UserIdGroupPairs: []types.UserIdGroupPair{}}
		if diff := cmp.Diff(want, g.IpPermissions[0], cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if aws.ToString(g.GroupName) != "ssh-open" || aws.ToString(g.Description) != "SSH from anywhere" || aws.ToString(g.VpcId) != "vpc-02200000000000001" ||
			len(g.IpPermissionsEgress) != 1 || aws.ToString(g.SecurityGroupArn) == "" {
			t.Errorf("group = %+v", g)
		}
		def, err := prodEU.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-02200000000000001"}})
		if err != nil {
			t.Fatal(err)
		}
		pairs := def.SecurityGroups[0].IpPermissions[0].UserIdGroupPairs
		if len(pairs) != 1 || aws.ToString(pairs[0].GroupId) != "sg-02200000000000001" || aws.ToString(def.SecurityGroups[0].IpPermissions[0].IpProtocol) != "-1" {
			t.Errorf("default group rules = %+v", def.SecurityGroups[0].IpPermissions)
		}
	})

	t.Run("DescribeFlowLogs", func(t *testing.T) {
		out, err := use1.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []types.Filter{{Name: aws.String("resource-id"), Values: []string{"vpc-01100000000000001"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.FlowLogs) != 1 {
			t.Fatalf("flow logs = %d", len(out.FlowLogs))
		}
		f := out.FlowLogs[0]
		if aws.ToString(f.FlowLogId) != "fl-01100000000000001" || aws.ToString(f.ResourceId) != "vpc-01100000000000001" || f.TrafficType != types.TrafficTypeAll ||
			aws.ToString(f.FlowLogStatus) != "ACTIVE" || f.LogDestinationType != types.LogDestinationTypeCloudWatchLogs || aws.ToString(f.LogGroupName) != "vpc-flow-logs" ||
			!aws.ToTime(f.CreationTime).Equal(ago(900*day)) {
			t.Errorf("flow log = %+v", f)
		}
	})

	t.Run("DescribeRouteTables", func(t *testing.T) {
		out, err := use1.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
		if err != nil {
			t.Fatal(err)
		}
		rt := out.RouteTables[0]
		if len(rt.Routes) != 3 || aws.ToString(rt.Routes[2].VpcPeeringConnectionId) != "pcx-01200000000000001" || aws.ToString(rt.Routes[1].GatewayId) != "igw-01100000000000001" ||
			!aws.ToBool(rt.Associations[0].Main) || aws.ToString(rt.VpcId) != "vpc-01100000000000001" {
			t.Errorf("route table = %+v", rt)
		}
	})

	t.Run("DescribeVpcPeeringConnections", func(t *testing.T) {
		out, err := use1.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{})
		if err != nil {
			t.Fatal(err)
		}
		p := out.VpcPeeringConnections[0]
		if aws.ToString(p.VpcPeeringConnectionId) != "pcx-01200000000000001" || aws.ToString(p.AccepterVpcInfo.OwnerId) != prod ||
			aws.ToString(p.RequesterVpcInfo.CidrBlock) != "172.31.0.0/16" || p.Status.Code != types.VpcPeeringConnectionStateReasonCodeActive {
			t.Errorf("peering = %+v", p)
		}
	})
}

func TestEC2Pagination(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 1})
	c := ec2.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.SecurityGroups {
			names = append(names, aws.ToString(g.GroupName))
		}
	}
	if diff := cmp.Diff([]string{"default", "web"}, names); diff != "" || pages != 2 {
		t.Errorf("pages %d (-want +got)\n%s", pages, diff)
	}
}
