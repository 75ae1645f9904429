package awssim

import (
	"sort"
	"strings"
	"time"
)

func registerCloudTrail(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "cloudtrail", Name: name, ReadOnly: true, Handler: h}
	}
	r.add(
		op("DescribeTrails", ctDescribeTrails),
		op("GetTrail", ctGetTrail),
		op("ListTrails", ctListTrails),
		op("GetTrailStatus", ctGetTrailStatus),
		op("GetEventSelectors", ctGetEventSelectors),
		op("LookupEvents", ctLookupEvents),
	)
}

// homedTrail is a trail with its home region.
type homedTrail struct {
	*Trail
	home string
}

func trailARN(a *Account, home, name string) string {
	return "arn:aws:cloudtrail:" + home + ":" + a.ID + ":trail/" + name
}

// trailsSeen lists the trails visible in the call's region: those homed
// there and, when shadows are included, multi-region trails homed elsewhere.
func (c *Call) trailsSeen(shadows bool) []homedTrail {
	var out []homedTrail
	for _, region := range sortedKeys(c.Account.Regions) {
		r := c.Account.Regions[region]
		if r == nil {
			continue
		}
		for _, t := range r.Trails {
			if region == c.Region || (shadows && t.MultiRegion) {
				out = append(out, homedTrail{t, region})
			}
		}
	}
	return out
}

// trailByName finds a trail by name in its home region, or by ARN in any
// region (a shadow trail of a multi-region trail is named only by its ARN,
// as in AWS).
func (c *Call) trailByName(name string) (homedTrail, error) {
	for _, t := range c.trailsSeen(true) {
		arn := trailARN(c.Account, t.home, t.Name)
		if name == arn || (name == t.Name && t.home == c.Region) {
			return t, nil
		}
	}
	return homedTrail{}, &Error{Code: "TrailNotFoundException", Status: 400,
		Message: "Unknown trail: " + name + " for the user: " + c.Account.ID}
}

func (c *Call) trailStruct(t homedTrail) Struct {
	igse := true
	if t.IncludeGlobalServiceEvents != nil {
		igse = *t.IncludeGlobalServiceEvents
	}
	s := Struct{F("Name", t.Name), F("S3BucketName", t.S3Bucket)}
	if t.S3KeyPrefix != "" {
		s = append(s, F("S3KeyPrefix", t.S3KeyPrefix))
	}
	if t.SNSTopic != "" {
		s = append(s, F("SnsTopicName", t.SNSTopic),
			F("SnsTopicARN", "arn:aws:sns:"+t.home+":"+c.Account.ID+":"+t.SNSTopic))
	}
	s = append(s, F("IncludeGlobalServiceEvents", igse), F("IsMultiRegionTrail", t.MultiRegion),
		F("HomeRegion", t.home), F("TrailARN", trailARN(c.Account, t.home, t.Name)),
		F("LogFileValidationEnabled", t.LogFileValidation))
	if t.CloudWatchLogsLogGroup != "" {
		s = append(s, F("CloudWatchLogsLogGroupArn", "arn:aws:logs:"+t.home+":"+c.Account.ID+":log-group:"+t.CloudWatchLogsLogGroup+":*"),
			F("CloudWatchLogsRoleArn", t.CloudWatchLogsRoleARN))
	}
	if t.KMSKeyID != "" {
		s = append(s, F("KmsKeyId", t.KMSKeyID))
	}
	return append(s, F("HasCustomEventSelectors", len(t.EventSelectors) > 0), F("HasInsightSelectors", false),
		F("IsOrganizationTrail", t.OrganizationTrail))
}

func ctDescribeTrails(c *Call) (any, error) {
	shadows := true
	if b, ok := c.In.Bool("includeShadowTrails"); ok {
		shadows = b
	}
	names := c.In.Strs("trailNameList")
	var out List
	for _, t := range c.trailsSeen(shadows) {
		if len(names) > 0 {
			match := false
			for _, n := range names {
				match = match || n == t.Name || n == trailARN(c.Account, t.home, t.Name)
			}
			if !match {
				continue
			}
		}
		out = append(out, c.trailStruct(t))
	}
	if out == nil {
		out = List{}
	}
	return Struct{F("trailList", out)}, nil
}

func ctGetTrail(c *Call) (any, error) {
	t, err := c.trailByName(c.In.Str("Name"))
	if err != nil {
		return nil, err
	}
	return Struct{F("Trail", c.trailStruct(t))}, nil
}

func ctListTrails(c *Call) (any, error) {
	var all []any
	for _, t := range c.trailsSeen(true) {
		all = append(all, Struct{F("TrailARN", trailARN(c.Account, t.home, t.Name)), F("Name", t.Name), F("HomeRegion", t.home)})
	}
	page, next, err := paginate(c, all, c.In.Str("NextToken"), 0, 50)
	if err != nil {
		return nil, err
	}
	out := Struct{F("Trails", List(page))}
	if next != "" {
		out = append(out, F("NextToken", next))
	}
	return out, nil
}

func ctGetTrailStatus(c *Call) (any, error) {
	t, err := c.trailByName(c.In.Str("Name"))
	if err != nil {
		return nil, err
	}
	s := Struct{F("IsLogging", t.Logging)}
	if t.Logging {
		d := t.LatestDelivery.Or(c.Now, -5*time.Minute)
		s = append(s, F("LatestDeliveryTime", d), F("LatestDeliveryAttemptTime", d.Format("2006-01-02T15:04:05Z")),
			F("LatestDeliveryAttemptSucceeded", d.Format("2006-01-02T15:04:05Z")))
		if t.CloudWatchLogsLogGroup != "" {
			s = append(s, F("LatestCloudWatchLogsDeliveryTime", t.LatestCloudWatchLogsDelivery.Or(c.Now, -2*time.Minute)))
		}
	}
	start := t.StartLogging.Or(c.Now, -400*24*time.Hour)
	s = append(s, F("StartLoggingTime", start), F("TimeLoggingStarted", start.Format("2006-01-02T15:04:05Z")))
	if !t.Logging {
		stop := t.StopLogging.Or(c.Now, -30*24*time.Hour)
		s = append(s, F("StopLoggingTime", stop), F("TimeLoggingStopped", stop.Format("2006-01-02T15:04:05Z")))
	}
	return s, nil
}

func ctGetEventSelectors(c *Call) (any, error) {
	t, err := c.trailByName(c.In.Str("TrailName"))
	if err != nil {
		return nil, err
	}
	sels := t.EventSelectors
	if len(sels) == 0 {
		sels = []*EventSelector{{ReadWriteType: "All", IncludeManagementEvents: true}}
	}
	var out List
	for _, es := range sels {
		rw := es.ReadWriteType
		if rw == "" {
			rw = "All"
		}
		ex := List{}
		for _, s := range es.ExcludeManagementEventSources {
			ex = append(ex, s)
		}
		out = append(out, Struct{F("ReadWriteType", rw), F("IncludeManagementEvents", es.IncludeManagementEvents),
			F("DataResources", List{}), F("ExcludeManagementEventSources", ex)})
	}
	return Struct{F("TrailARN", trailARN(c.Account, t.home, t.Name)), F("EventSelectors", out)}, nil
}

// ctLookupEvents answers from the records written so far: newest first, one
// lookup attribute at most, the call's account and region, management events.
func ctLookupEvents(c *Call) (any, error) {
	attrs := c.In.Objs("LookupAttributes")
	if len(attrs) > 1 {
		return nil, &Error{Code: "InvalidLookupAttributesException", Status: 400,
			Message: "You cannot specify more than one lookup attribute."}
	}
	var key, val string
	if len(attrs) == 1 {
		key, val = attrs[0].Str("AttributeKey"), attrs[0].Str("AttributeValue")
	}
	start, hasStart := c.In.Time("StartTime")
	end, hasEnd := c.In.Time("EndTime")
	if !hasEnd {
		end = c.Now
	}
	if !hasStart {
		start = c.Now.Add(-90 * 24 * time.Hour)
	}
	max, _ := c.In.Int("MaxResults")
	if max > 50 {
		return nil, &Error{Code: "InvalidMaxResultsException", Status: 400, Message: "MaxResults must be at most 50"}
	}
	t := c.sim.trail
	t.mu.Lock()
	var match []stored
	for i := len(t.events) - 1; i >= 0; i-- { // newest first
		e := t.events[i]
		r := e.rec
		if r.RecipientAccountID != c.Account.ID || r.AWSRegion != c.Region || !r.ManagementEvent {
			continue
		}
		if e.at.Before(start) || e.at.After(end) {
			continue
		}
		if key != "" && !lookupMatches(r, key, val) {
			continue
		}
		match = append(match, e)
	}
	t.mu.Unlock()
	sort.SliceStable(match, func(i, j int) bool { return match[i].at.After(match[j].at) })
	page, next, err := paginate(c, match, c.In.Str("NextToken"), max, 50)
	if err != nil {
		return nil, err
	}
	events := List{}
	for _, e := range page {
		r := e.rec
		ev := Struct{F("EventId", r.EventID), F("EventName", r.EventName), F("ReadOnly", boolText(r.ReadOnly))}
		if r.UserIdentity.AccessKeyID != "" {
			ev = append(ev, F("AccessKeyId", r.UserIdentity.AccessKeyID))
		}
		ev = append(ev, F("EventTime", e.at), F("EventSource", r.EventSource), F("Username", lookupUser(r)))
		res := List{}
		for _, x := range r.Resources {
			res = append(res, Struct{F("ResourceType", x.Type), F("ResourceName", x.ARN)})
		}
		ev = append(ev, F("Resources", res), F("CloudTrailEvent", string(e.json)))
		events = append(events, ev)
	}
	out := Struct{F("Events", events)}
	if next != "" {
		out = append(out, F("NextToken", next))
	}
	return out, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// lookupUser is LookupEvents' Username: the user name, root, or the session.
func lookupUser(r *Record) string {
	u := r.UserIdentity
	switch u.Type {
	case TypeIAMUser:
		return u.UserName
	case TypeRoot:
		return "root"
	case TypeAssumedRole:
		if i := strings.LastIndex(u.ARN, "/"); i >= 0 {
			return u.ARN[i+1:]
		}
	}
	return ""
}

func lookupMatches(r *Record, key, val string) bool {
	switch key {
	case "EventId":
		return r.EventID == val
	case "EventName":
		return r.EventName == val
	case "ReadOnly":
		return boolText(r.ReadOnly) == val
	case "Username":
		return lookupUser(r) == val
	case "EventSource":
		return r.EventSource == val
	case "AccessKeyId":
		return r.UserIdentity.AccessKeyID == val
	case "ResourceType", "ResourceName":
		for _, x := range r.Resources {
			if (key == "ResourceType" && x.Type == val) || (key == "ResourceName" && x.ARN == val) {
				return true
			}
		}
	}
	return false
}
