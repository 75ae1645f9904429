package awssim

import (
	"strings"
	"time"
)

func registerLogs(r registry) {
	r.add(
		&Operation{Service: "logs", Name: "DescribeMetricFilters", ReadOnly: true, Handler: logsDescribeMetricFilters},
		&Operation{Service: "logs", Name: "DescribeLogGroups", ReadOnly: true, Handler: logsDescribeLogGroups},
	)
}

func logsPage[T any](c *Call, items []T, def int) ([]T, Struct, error) {
	max, _ := c.In.Int("limit")
	page, next, err := paginate(c, items, c.In.Str("nextToken"), max, def)
	if err != nil {
		return nil, nil, err
	}
	if next != "" {
		return page, Struct{F("nextToken", next)}, nil
	}
	return page, nil, nil
}

func logsDescribeMetricFilters(c *Call) (any, error) {
	group := c.In.Str("logGroupName")
	prefix := c.In.Str("filterNamePrefix")
	metric, ns := c.In.Str("metricName"), c.In.Str("metricNamespace")
	var all []any
	for _, g := range c.Regional().LogGroups {
		if group != "" && g.Name != group {
			continue
		}
		for _, m := range g.MetricFilters {
			if !strings.HasPrefix(m.Name, prefix) || (metric != "" && m.MetricName != metric) || (ns != "" && m.MetricNamespace != ns) {
				continue
			}
			value := m.MetricValue
			if value == "" {
				value = "1"
			}
			all = append(all, Struct{
				F("filterName", m.Name), F("filterPattern", m.Pattern),
				F("metricTransformations", List{Struct{F("metricName", m.MetricName),
					F("metricNamespace", m.MetricNamespace), F("metricValue", value)}}),
				F("creationTime", m.Created.Or(c.Now, -300*24*time.Hour).UnixMilli()),
				F("logGroupName", g.Name),
			})
		}
	}
	page, tail, err := logsPage(c, all, 50)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("metricFilters", List(page))}, tail...), nil
}

func logsDescribeLogGroups(c *Call) (any, error) {
	prefix := c.In.Str("logGroupNamePrefix")
	var all []any
	for _, g := range c.Regional().LogGroups {
		if !strings.HasPrefix(g.Name, prefix) {
			continue
		}
		arn := "arn:aws:logs:" + c.Region + ":" + c.Account.ID + ":log-group:" + g.Name
		s := Struct{F("logGroupName", g.Name), F("creationTime", g.Created.Or(c.Now, -300*24*time.Hour).UnixMilli())}
		if g.RetentionDays > 0 {
			s = append(s, F("retentionInDays", g.RetentionDays))
		}
		s = append(s, F("metricFilterCount", len(g.MetricFilters)), F("arn", arn+":*"), F("storedBytes", 0))
		if g.KMSKeyID != "" {
			s = append(s, F("kmsKeyId", g.KMSKeyID))
		}
		all = append(all, append(s, F("logGroupClass", "STANDARD"), F("logGroupArn", arn)))
	}
	page, tail, err := logsPage(c, all, 50)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("logGroups", List(page))}, tail...), nil
}
