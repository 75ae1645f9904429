package awssim

import (
	"net/http"
	"strings"
	"testing"
)

func TestRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		method, path, body   string
		header               map[string]string
		svc, op, region, key string
		protocol             Protocol
	}{
		{name: "credential scope", method: "POST", path: "/", body: "Action=ListUsers&Version=2010-05-08",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAFOOTPRINTSIMOPS1/20261128/eu-west-1/iam/aws4_request, SignedHeaders=host, Signature=0"},
			svc: "iam", op: "ListUsers", region: "eu-west-1", key: "AKIAFOOTPRINTSIMOPS1", protocol: AWSQuery},
		{name: "Version fallback", method: "POST", path: "/", body: "Action=DescribeVpcs&Version=2016-11-15",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			svc:    "ec2", op: "DescribeVpcs", region: "us-east-1", protocol: EC2Query},
		{name: "X-Amz-Target fallback", method: "POST", path: "/", body: "{}",
			header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "StarlingDoveService.DescribeConfigurationRecorders"},
			svc:    "config", op: "DescribeConfigurationRecorders", region: "us-east-1", protocol: AWSJSON11},
		{name: "CBOR path", method: "POST", path: "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", body: "",
			header: map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
			svc:    "monitoring", op: "DescribeAlarms", region: "us-east-1", protocol: RPCv2CBOR},
		{name: "S3 Control path", method: "GET", path: "/v20180820/configuration/publicAccessBlock",
			header: map[string]string{"X-Amz-Account-Id": "111111111111",
				"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20261128/us-east-1/s3/aws4_request"},
			svc: "s3control", op: "GetPublicAccessBlock", region: "us-east-1", key: "AKIAX", protocol: RestXML},
		{name: "S3 sub-resource", method: "GET", path: "/my-bucket?policy=", svc: "s3", op: "GetBucketPolicy", region: "us-east-1", protocol: RestXML},
		{name: "S3 ListObjectsV2", method: "GET", path: "/my-bucket?list-type=2&prefix=AWSLogs%2F", svc: "s3", op: "ListObjectsV2", region: "us-east-1", protocol: RestXML},
		{name: "S3 object", method: "GET", path: "/my-bucket/AWSLogs/a%20b.json.gz", svc: "s3", op: "GetObject", region: "us-east-1", protocol: RestXML},
		{name: "S3 write", method: "PUT", path: "/my-bucket?acl=", svc: "s3", op: "PutBucketAcl", region: "us-east-1", protocol: RestXML},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(tc.method, "http://127.0.0.1:4566"+tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			w := route(r, []byte(tc.body))
			if w.svc == nil || w.svc.Name != tc.svc || w.op != tc.op || w.region != tc.region || w.accessKey != tc.key || w.protocol != tc.protocol {
				name := ""
				if w.svc != nil {
					name = w.svc.Name
				}
				t.Errorf("route = %s %s %s %q %s", name, w.op, w.region, w.accessKey, w.protocol)
			}
		})
	}
	r, _ := http.NewRequest("GET", "http://my-bucket.localhost:4566/key.txt", nil)
	if w := route(r, nil); w.bucket != "my-bucket" || w.key != "key.txt" || w.op != "GetObject" {
		t.Errorf("virtual host: bucket %q key %q op %q", w.bucket, w.key, w.op)
	}
}

func TestQueryInput(t *testing.T) {
	t.Parallel()
	in := queryInput(map[string][]string{"Action": {"X"}, "Filter.1.Name": {"vpc-id"}, "Filter.1.Value.1": {"a"}, "Filter.1.Value.2": {"b"},
		"GroupId.1": {"sg-1"}, "AttributeNames.member.1": {"Policy"}, "MaxItems": {"5"}})
	f := in.Objs("Filter")
	if len(f) != 1 || f[0].Str("Name") != "vpc-id" || strings.Join(f[0].Strs("Value"), ",") != "a,b" {
		t.Errorf("Filter = %v", in["Filter"])
	}
	if strings.Join(in.Strs("GroupId"), ",") != "sg-1" || strings.Join(in.Strs("AttributeNames"), ",") != "Policy" {
		t.Errorf("lists = %v", in)
	}
	if n, ok := in.Int("MaxItems"); !ok || n != 5 || in.Has("Action") {
		t.Errorf("MaxItems = %d %v; Action kept %v", n, ok, in.Has("Action"))
	}
}
