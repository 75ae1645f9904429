package awssim

import (
	"strings"
	"time"
)

func registerCloudWatch(r registry) {
	r.add(
		&Operation{Service: "monitoring", Name: "DescribeAlarms", ReadOnly: true, Handler: cwDescribeAlarms},
		&Operation{Service: "monitoring", Name: "DescribeAlarmsForMetric", ReadOnly: true, Handler: cwDescribeAlarmsForMetric},
	)
}

func (c *Call) alarmStruct(a *Alarm) Struct {
	enabled := true
	if a.ActionsEnabled != nil {
		enabled = *a.ActionsEnabled
	}
	state := a.State
	if state == "" {
		state = "OK"
	}
	updated := a.Updated.Or(c.Now, -200*24*time.Hour)
	list := func(s []string) List {
		out := List{}
		for _, x := range s {
			out = append(out, x)
		}
		return out
	}
	stat := a.Statistic
	if stat == "" {
		stat = "Sum"
	}
	period, evals := a.Period, a.EvaluationPeriods
	if period == 0 {
		period = 300
	}
	if evals == 0 {
		evals = 1
	}
	op := a.ComparisonOperator
	if op == "" {
		op = "GreaterThanOrEqualToThreshold"
	}
	s := Struct{
		F("AlarmName", a.Name),
		F("AlarmArn", "arn:aws:cloudwatch:"+c.Region+":"+c.Account.ID+":alarm:"+a.Name),
	}
	if a.Description != "" {
		s = append(s, F("AlarmDescription", a.Description))
	}
	return append(s,
		F("AlarmConfigurationUpdatedTimestamp", updated),
		F("ActionsEnabled", enabled),
		F("OKActions", list(a.OKActions)),
		F("AlarmActions", list(a.AlarmActions)),
		F("InsufficientDataActions", List{}),
		F("StateValue", state),
		F("StateReason", "Threshold Crossed: no datapoints were received"),
		F("StateUpdatedTimestamp", updated),
		F("MetricName", a.MetricName),
		F("Namespace", a.Namespace),
		F("Statistic", stat),
		F("Dimensions", List{}),
		F("Period", period),
		F("EvaluationPeriods", evals),
		F("Threshold", a.Threshold),
		F("ComparisonOperator", op),
		F("TreatMissingData", "notBreaching"),
		F("StateTransitionedTimestamp", updated),
	)
}

func cwDescribeAlarms(c *Call) (any, error) {
	names := c.In.Strs("AlarmNames")
	prefix := c.In.Str("AlarmNamePrefix")
	state := c.In.Str("StateValue")
	action := c.In.Str("ActionPrefix")
	types := c.In.Strs("AlarmTypes")
	if len(types) > 0 {
		metric := false
		for _, t := range types {
			metric = metric || t == "MetricAlarm"
		}
		if !metric {
			return Struct{F("CompositeAlarms", List{}), F("MetricAlarms", List{})}, nil
		}
	}
	var all []any
	for _, a := range c.Regional().Alarms {
		if len(names) > 0 {
			ok := false
			for _, n := range names {
				ok = ok || n == a.Name
			}
			if !ok {
				continue
			}
		}
		if !strings.HasPrefix(a.Name, prefix) {
			continue
		}
		st := a.State
		if st == "" {
			st = "OK"
		}
		if state != "" && st != state {
			continue
		}
		if action != "" {
			ok := false
			for _, x := range append(append([]string{}, a.AlarmActions...), a.OKActions...) {
				ok = ok || strings.HasPrefix(x, action)
			}
			if !ok {
				continue
			}
		}
		all = append(all, c.alarmStruct(a))
	}
	max, _ := c.In.Int("MaxRecords")
	page, next, err := paginate(c, all, c.In.Str("NextToken"), max, 50)
	if err != nil {
		return nil, err
	}
	out := Struct{F("CompositeAlarms", List{}), F("MetricAlarms", List(page))}
	if next != "" {
		out = append(out, F("NextToken", next))
	}
	return out, nil
}

func cwDescribeAlarmsForMetric(c *Call) (any, error) {
	metric, ns := c.In.Str("MetricName"), c.In.Str("Namespace")
	out := List{}
	for _, a := range c.Regional().Alarms {
		if a.MetricName == metric && a.Namespace == ns {
			out = append(out, c.alarmStruct(a))
		}
	}
	return Struct{F("MetricAlarms", out)}, nil
}
