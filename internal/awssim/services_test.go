package awssim

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"
)

func TestCloudTrailRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	euw := cloudtrail.NewFromConfig(auditConfig(t, s, mgmt, "eu-west-1"))
	prodc := cloudtrail.NewFromConfig(auditConfig(t, s, prod, "eu-west-1"))
	arn := "arn:aws:cloudtrail:us-east-1:111111111111:trail/management-trail"

	t.Run("DescribeTrails", func(t *testing.T) {
		out, err := euw.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := []cttypes.Trail{{Name: aws.String("management-trail"), S3BucketName: aws.String("footprint-sim-cloudtrail"),
			IncludeGlobalServiceEvents: aws.Bool(true), IsMultiRegionTrail: aws.Bool(true), HomeRegion: aws.String("us-east-1"),
			TrailARN: aws.String(arn), LogFileValidationEnabled: aws.Bool(true),
			CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:111111111111:log-group:aws-cloudtrail-logs-management:*"),
			CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::111111111111:role/CloudTrailToCloudWatch"),
			KmsKeyId:                  aws.String("arn:aws:kms:us-east-1:111111111111:key/1111aaaa-0000-4000-8000-000000000001"),
			HasCustomEventSelectors:   aws.Bool(true), HasInsightSelectors: aws.Bool(false), IsOrganizationTrail: aws.Bool(false)}}
		if diff := cmp.Diff(want, out.TrailList, cmpOpts...); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		none, err := euw.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)})
		if err != nil || len(none.TrailList) != 0 {
			t.Errorf("without shadow trails = %+v, %v", none.TrailList, err)
		}
	})

	t.Run("GetTrailStatus", func(t *testing.T) {
		out, err := euw.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if !aws.ToBool(out.IsLogging) || !aws.ToTime(out.LatestDeliveryTime).Equal(ago(4*60e9)) ||
			!aws.ToTime(out.LatestCloudWatchLogsDeliveryTime).Equal(ago(2*60e9)) || !aws.ToTime(out.StartLoggingTime).Equal(ago(1400*day)) {
			t.Errorf("status = %+v", out)
		}
		// a shadow trail is named by its ARN outside its home region
		_, err = euw.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management-trail")})
		var nf *cttypes.TrailNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("err = %v, want TrailNotFoundException", err)
		}
	})

	t.Run("GetEventSelectors", func(t *testing.T) {
		out, err := prodc.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("production-trail")})
		if err != nil {
			t.Fatal(err)
		}
		want := []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
			DataResources: []cttypes.DataResource{}, ExcludeManagementEventSources: []string{}}}
		if diff := cmp.Diff(want, out.EventSelectors, cmpOpts...); diff != "" || aws.ToString(out.TrailARN) != "arn:aws:cloudtrail:eu-west-1:222222222222:trail/production-trail" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})

	t.Run("GetTrail and ListTrails", func(t *testing.T) {
		g, err := euw.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(arn)})
		if err != nil || aws.ToString(g.Trail.Name) != "management-trail" {
			t.Errorf("GetTrail = %+v, %v", g, err)
		}
		l, err := euw.ListTrails(ctx, &cloudtrail.ListTrailsInput{})
		if err != nil || len(l.Trails) != 1 || aws.ToString(l.Trails[0].HomeRegion) != "us-east-1" {
			t.Errorf("ListTrails = %+v, %v", l, err)
		}
	})
}

func TestLogsRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	out, err := c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("aws-cloudtrail-logs-management")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 14 {
		t.Fatalf("filters = %d", len(out.MetricFilters))
	}
	f := out.MetricFilters[1]
	want := logtypes.MetricFilter{FilterName: aws.String("cis-3.1-UnauthorizedAPICalls"),
		FilterPattern: aws.String(`{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`),
		MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String("UnauthorizedAPICalls"),
			MetricNamespace: aws.String("CISBenchmark"), MetricValue: aws.String("1")}},
		CreationTime: aws.Int64(ago(300 * day).UnixMilli()), LogGroupName: aws.String("aws-cloudtrail-logs-management")}
	if diff := cmp.Diff(want, f, cmpOpts...); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	g, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(g.LogGroups) != 1 || aws.ToInt32(g.LogGroups[0].RetentionInDays) != 365 || aws.ToInt32(g.LogGroups[0].MetricFilterCount) != 14 {
		t.Errorf("log groups = %+v, %v", g, err)
	}
	// pagination with a shrunk page size
	s2 := newTestSim(t, Options{PageSize: 5})
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(cloudwatchlogs.NewFromConfig(auditConfig(t, s2, mgmt, "us-east-1")), &cloudwatchlogs.DescribeMetricFiltersInput{})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.MetricFilters)
		pages++
	}
	if n != 14 || pages != 3 {
		t.Errorf("paged %d filters in %d pages, want 14 in 3", n, pages)
	}
}

func TestCloudWatchRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 10})
	ctx := context.Background()
	c := cloudwatch.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{})
	var alarms []cwtypes.MetricAlarm
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		alarms = append(alarms, out.MetricAlarms...)
	}
	if len(alarms) != 14 {
		t.Fatalf("alarms = %d", len(alarms))
	}
	a := alarms[1]
	if aws.ToString(a.AlarmName) != "cis-3.1-UnauthorizedAPICalls" || aws.ToString(a.MetricName) != "UnauthorizedAPICalls" ||
		aws.ToString(a.Namespace) != "CISBenchmark" || a.Statistic != cwtypes.StatisticSum || aws.ToInt32(a.Period) != 300 ||
		aws.ToInt32(a.EvaluationPeriods) != 1 || aws.ToFloat64(a.Threshold) != 1 || a.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold ||
		a.StateValue != cwtypes.StateValueOk || !aws.ToBool(a.ActionsEnabled) || !aws.ToTime(a.StateUpdatedTimestamp).Equal(ago(200*day)) ||
		aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:111111111111:alarm:cis-3.1-UnauthorizedAPICalls" {
		t.Errorf("alarm = %+v", a)
	}
	if diff := cmp.Diff([]string{"arn:aws:sns:us-east-1:111111111111:cis-alarms"}, a.AlarmActions); diff != "" {
		t.Errorf("actions (-want +got)\n%s", diff)
	}
	fm, err := c.DescribeAlarmsForMetric(ctx, &cloudwatch.DescribeAlarmsForMetricInput{MetricName: aws.String("UnauthorizedAPICalls"), Namespace: aws.String("CISBenchmark")})
	if err != nil || len(fm.MetricAlarms) != 1 {
		t.Errorf("for metric = %+v, %v", fm, err)
	}
}

func TestSNSRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	c := sns.NewFromConfig(auditConfig(t, s, sandbox, "ap-southeast-2"))
	topics, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(topics.Topics) != 3 {
		t.Fatalf("topics = %+v, %v", topics, err)
	}
	out, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-2:333333333333:sandbox-pending")})
	if err != nil {
		t.Fatal(err)
	}
	want := []snstypes.Subscription{{SubscriptionArn: aws.String("PendingConfirmation"), Owner: aws.String(sandbox), Protocol: aws.String("email"),
		Endpoint: aws.String("nobody@footprint-sim.example"), TopicArn: aws.String("arn:aws:sns:ap-southeast-2:333333333333:sandbox-pending")}}
	if diff := cmp.Diff(want, out.Subscriptions, cmpOpts...); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	_, err = c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-2:333333333333:nope")})
	var nf *snstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want NotFoundException", err)
	}
	all, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(all.Subscriptions) != 2 {
		t.Errorf("subscriptions = %+v, %v", all, err)
	}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:ap-southeast-2:333333333333:sandbox-alerts")})
	if err != nil || attrs.Attributes["SubscriptionsConfirmed"] != "1" {
		t.Errorf("attributes = %+v, %v", attrs, err)
	}
}

func TestConfigRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{})
	ctx := context.Background()
	c := configservice.NewFromConfig(auditConfig(t, s, sandbox, "us-east-1"))
	out, err := c.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		t.Fatal(err)
	}
	r := out.ConfigurationRecorders[0]
	if aws.ToString(r.Name) != "default" || r.RecordingGroup.AllSupported || r.RecordingGroup.IncludeGlobalResourceTypes ||
		!cmp.Equal(r.RecordingGroup.ResourceTypes, []cfgtypes.ResourceType{"AWS::EC2::Instance"}) || aws.ToString(r.RoleARN) == "" {
		t.Errorf("recorder = %+v %+v", r, r.RecordingGroup)
	}
	st, err := configservice.NewFromConfig(auditConfig(t, s, prod, "eu-west-1")).DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		t.Fatal(err)
	}
	rs := st.ConfigurationRecordersStatus[0]
	// AWS answers SUCCESS although the model's enum spells it Success.
	if rs.Recording || rs.LastStatus != "SUCCESS" || !aws.ToTime(rs.LastStopTime).Equal(ago(45*day)) {
		t.Errorf("status = %+v", rs)
	}
	_, err = c.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"nope"}})
	var nf *cfgtypes.NoSuchConfigurationRecorderException
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want NoSuchConfigurationRecorderException", err)
	}
	empty, err := configservice.NewFromConfig(auditConfig(t, s, sandbox, "eu-west-1")).DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(empty.ConfigurationRecorders) != 0 {
		t.Errorf("no recorders = %+v, %v", empty, err)
	}
}

func TestKMSRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 1})
	ctx := context.Background()
	c := kms.NewFromConfig(auditConfig(t, s, prod, "eu-west-1"))
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	var ids []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range out.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	if diff := cmp.Diff([]string{"2222bbbb-0000-4000-8000-000000000001", "2222bbbb-0000-4000-8000-000000000002"}, ids); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app-data")})
	if err != nil {
		t.Fatal(err)
	}
	m := d.KeyMetadata
	if aws.ToString(m.KeyId) != ids[0] || m.KeyManager != kmstypes.KeyManagerTypeCustomer || m.KeyState != kmstypes.KeyStateEnabled ||
		m.KeySpec != kmstypes.KeySpecSymmetricDefault || m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt || !m.Enabled ||
		!aws.ToTime(m.CreationDate).Equal(ago(700*day)) || aws.ToString(m.AWSAccountId) != prod {
		t.Errorf("metadata = %+v", m)
	}
	r, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(ids[0])})
	if err != nil || r.KeyRotationEnabled {
		t.Errorf("rotation = %+v, %v", r, err)
	}
	_, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(ids[1])})
	var st *kmstypes.KMSInvalidStateException
	if !errors.As(err, &st) {
		t.Errorf("disabled key: err = %v, want KMSInvalidStateException", err)
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("nope")})
	var nf *kmstypes.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want NotFoundException", err)
	}
	mg := kms.NewFromConfig(auditConfig(t, s, mgmt, "us-east-1"))
	rr, err := mg.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String("1111aaaa-0000-4000-8000-000000000001")})
	if err != nil || !rr.KeyRotationEnabled {
		t.Errorf("rotation = %+v, %v", rr, err)
	}
	al, err := mg.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil || len(al.Aliases) != 1 {
		t.Errorf("aliases = %+v, %v", al, err)
	}
}

func TestOrganizationsRoundTrip(t *testing.T) {
	t.Parallel()
	s := newTestSim(t, Options{PageSize: 2})
	ctx := context.Background()
	c := organizations.NewFromConfig(auditConfig(t, s, mgmt, "eu-west-1"))
	d, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Organization.Id) != "o-footprintsim" || aws.ToString(d.Organization.MasterAccountId) != mgmt || d.Organization.FeatureSet != orgtypes.OrganizationFeatureSetAll {
		t.Errorf("organization = %+v", d.Organization)
	}
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Accounts {
			got = append(got, aws.ToString(a.Id)+" "+aws.ToString(a.Name)+" "+string(a.State))
		}
	}
	if diff := cmp.Diff([]string{"111111111111 management ACTIVE", "222222222222 production ACTIVE", "333333333333 sandbox ACTIVE"}, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	_, err = organizations.NewFromConfig(auditConfig(t, s, prod, "eu-west-1")).ListAccounts(ctx, &organizations.ListAccountsInput{})
	var ad *orgtypes.AccessDeniedException
	if !errors.As(err, &ad) {
		t.Errorf("member ListAccounts: err = %v, want AccessDeniedException", err)
	}
}
