package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
)

func init() {
	register(&Collector{
		Name: "config_recorders", Service: "config", Scope: Regional,
		Tables: []string{"config_recorders", "config_recorder_status"},
		Ops: []Op{
			{Name: "config:DescribeConfigurationRecorders", Kind: Once},
			{Name: "config:DescribeConfigurationRecorderStatus", Kind: Once},
		},
		Run: configRecorders,
	})
}

// configRecorders reads the region's configuration recorders and whether
// each is recording. Both calls feed the same question, so a failure of
// either leaves both tables unknown in the region.
func configRecorders(ctx context.Context, env *Env) error {
	cl := env.Clients.Config(env.Region)
	cctx := env.Context(ctx)
	recs, err := cl.DescribeConfigurationRecorders(cctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		env.Gap("config:DescribeConfigurationRecorders", env.Region, "", err)
		return ctx.Err()
	}
	status, err := cl.DescribeConfigurationRecorderStatus(cctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil {
		env.Gap("config:DescribeConfigurationRecorderStatus", env.Region, "", err)
		return ctx.Err()
	}
	for _, r := range recs.ConfigurationRecorders {
		var all, global, types any
		if g := r.RecordingGroup; g != nil {
			all, global = g.AllSupported, g.IncludeGlobalResourceTypes
			rt := []string{}
			for _, t := range g.ResourceTypes {
				rt = append(rt, string(t))
			}
			types = rt
		}
		env.Add("config_recorders", env.Region, str(r.Name), nullable(str(r.RoleARN)), all, global, types)
	}
	for _, s := range status.ConfigurationRecordersStatus {
		env.Add("config_recorder_status", env.Region, str(s.Name), s.Recording, nullable(string(s.LastStatus)), ts(s.LastStartTime), ts(s.LastStopTime))
	}
	return nil
}
