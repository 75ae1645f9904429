package awssim

import (
	"net/http"
	"time"
)

func registerConfig(r registry) {
	r.add(
		&Operation{Service: "config", Name: "DescribeConfigurationRecorders", ReadOnly: true, Handler: cfgDescribeRecorders},
		&Operation{Service: "config", Name: "DescribeConfigurationRecorderStatus", ReadOnly: true, Handler: cfgDescribeRecorderStatus},
	)
}

func (c *Call) recorders() ([]*ConfigRecorder, error) {
	names := c.In.Strs("ConfigurationRecorderNames")
	all := c.Regional().ConfigRecorders
	if len(names) == 0 {
		return all, nil
	}
	var out []*ConfigRecorder
	for _, n := range names {
		found := false
		for _, r := range all {
			if r.Name == n {
				out = append(out, r)
				found = true
			}
		}
		if !found {
			return nil, &Error{Code: "NoSuchConfigurationRecorderException", Status: http.StatusBadRequest,
				Message: "Cannot find configuration recorder with the specified name '" + n + "'."}
		}
	}
	return out, nil
}

func cfgDescribeRecorders(c *Call) (any, error) {
	recs, err := c.recorders()
	if err != nil {
		return nil, err
	}
	out := List{}
	for _, r := range recs {
		types := List{}
		for _, t := range r.ResourceTypes {
			types = append(types, t)
		}
		strategy := "INCLUSION_BY_RESOURCE_TYPES"
		if r.AllSupported {
			strategy = "ALL_SUPPORTED_RESOURCE_TYPES"
		}
		out = append(out, Struct{
			F("arn", "arn:aws:config:"+c.Region+":"+c.Account.ID+":configuration-recorder/"+r.Name+"/"+stableID("", c.Account.ID+r.Name)[:16]),
			F("name", r.Name), F("roleARN", r.RoleARN),
			F("recordingGroup", Struct{F("allSupported", r.AllSupported),
				F("includeGlobalResourceTypes", r.IncludeGlobalResourceTypes), F("resourceTypes", types),
				F("exclusionByResourceTypes", Struct{F("resourceTypes", List{})}),
				F("recordingStrategy", Struct{F("useOnly", strategy)})}),
			F("recordingMode", Struct{F("recordingFrequency", "CONTINUOUS"), F("recordingModeOverrides", List{})}),
			F("recordingScope", "PAID"),
		})
	}
	return Struct{F("ConfigurationRecorders", out)}, nil
}

func cfgDescribeRecorderStatus(c *Call) (any, error) {
	recs, err := c.recorders()
	if err != nil {
		return nil, err
	}
	out := List{}
	for _, r := range recs {
		status := r.LastStatus
		if status == "" {
			status = "SUCCESS"
		}
		start := r.LastStart.Or(c.Now, -300*24*time.Hour)
		s := Struct{F("name", r.Name), F("lastStartTime", start)}
		if !r.Recording {
			s = append(s, F("lastStopTime", r.LastStop.Or(c.Now, -30*24*time.Hour)))
		}
		s = append(s, F("recording", r.Recording), F("lastStatus", status), F("lastStatusChangeTime", c.Now.Add(-time.Hour).Truncate(time.Second)))
		out = append(out, s)
	}
	return Struct{F("ConfigurationRecordersStatus", out)}, nil
}
