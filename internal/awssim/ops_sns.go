package awssim

import (
	"net/http"
	"strconv"
	"strings"
)

func registerSNS(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "sns", Name: name, ReadOnly: true, Handler: h}
	}
	r.add(
		op("ListTopics", snsListTopics),
		op("ListSubscriptionsByTopic", snsListSubscriptionsByTopic),
		op("ListSubscriptions", snsListSubscriptions),
		op("GetTopicAttributes", snsGetTopicAttributes),
	)
}

func (c *Call) topicARN(t *Topic) string {
	return "arn:aws:sns:" + c.Region + ":" + c.Account.ID + ":" + t.Name
}

func (c *Call) topic(arn string) (*Topic, error) {
	for _, t := range c.Regional().Topics {
		if c.topicARN(t) == arn {
			return t, nil
		}
	}
	return nil, &Error{Code: "NotFound", TrailCode: "NotFoundException", Status: http.StatusNotFound, Message: "Topic does not exist"}
}

func (c *Call) subscriptions(t *Topic) []any {
	var out []any
	for i, s := range t.Subscriptions {
		arn := "PendingConfirmation"
		if !s.Pending {
			id := s.ID
			if id == "" {
				id = strings.ToLower(stableID("", c.topicARN(t)+s.Endpoint+string(rune('a'+i)))[:8]) + "-0000-4000-8000-" + strings.ToLower(stableID("", s.Endpoint)[:12])
			}
			arn = c.topicARN(t) + ":" + id
		}
		out = append(out, Struct{F("SubscriptionArn", arn), F("Owner", c.Account.ID), F("Protocol", s.Protocol),
			F("Endpoint", s.Endpoint), F("TopicArn", c.topicARN(t))})
	}
	return out
}

func snsPage(c *Call, member string, items []any) (any, error) {
	page, next, err := paginate(c, items, c.In.Str("NextToken"), 0, 100)
	if err != nil {
		return nil, err
	}
	out := Struct{F(member, List(page))}
	if next != "" {
		out = append(out, F("NextToken", next))
	}
	return out, nil
}

func snsListTopics(c *Call) (any, error) {
	var all []any
	for _, t := range c.Regional().Topics {
		all = append(all, Struct{F("TopicArn", c.topicARN(t))})
	}
	return snsPage(c, "Topics", all)
}

func snsListSubscriptionsByTopic(c *Call) (any, error) {
	t, err := c.topic(c.In.Str("TopicArn"))
	if err != nil {
		return nil, err
	}
	return snsPage(c, "Subscriptions", c.subscriptions(t))
}

func snsListSubscriptions(c *Call) (any, error) {
	var all []any
	for _, t := range c.Regional().Topics {
		all = append(all, c.subscriptions(t)...)
	}
	return snsPage(c, "Subscriptions", all)
}

func snsGetTopicAttributes(c *Call) (any, error) {
	t, err := c.topic(c.In.Str("TopicArn"))
	if err != nil {
		return nil, err
	}
	confirmed, pending := 0, 0
	for _, s := range t.Subscriptions {
		if s.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	arn := c.topicARN(t)
	return Struct{F("Attributes", Map{
		F("TopicArn", arn), F("Owner", c.Account.ID), F("DisplayName", ""),
		F("SubscriptionsConfirmed", itoa(confirmed)), F("SubscriptionsPending", itoa(pending)),
		F("SubscriptionsDeleted", "0"),
		F("Policy", `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:Subscribe","SNS:Publish"],"Resource":"`+arn+`","Condition":{"StringEquals":{"AWS:SourceOwner":"`+c.Account.ID+`"}}}]}`),
	})}, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
