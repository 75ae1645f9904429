package awssim

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"
)

// wireRequest is what routing learnt from one HTTP request.
type wireRequest struct {
	svc       *service
	scopeSvc  string   // the service named in the credential scope
	protocol  Protocol // as the client spoke it
	op        string   // operation name ("" when unknown)
	in        Input
	region    string
	accessKey string
	token     string
	bucket    string
	key       string
	badInput  string // a body that could not be decoded
}

// scope parses "AWS4-HMAC-SHA256 Credential=AKID/20261128/eu-west-1/iam/aws4_request, ...".
func scope(auth string) (key, region, svc string) {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", "", ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return parts[0], "", ""
	}
	return parts[0], parts[2], parts[3]
}

// route identifies service, protocol, operation and input of r.
func route(r *http.Request, body []byte) *wireRequest {
	w := &wireRequest{}
	var scopeSvc string
	w.accessKey, w.region, scopeSvc = scope(r.Header.Get("Authorization"))
	if w.accessKey == "" {
		// presigned or query-signed requests
		if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
			parts := strings.Split(c, "/")
			if len(parts) >= 5 {
				w.accessKey, w.region, scopeSvc = parts[0], parts[2], parts[3]
			}
		}
	}
	w.token = r.Header.Get("X-Amz-Security-Token")
	w.scopeSvc = scopeSvc
	w.svc = serviceByName(scopeSvc)
	if scopeSvc == "s3" && strings.HasPrefix(r.URL.Path, "/v20180820/") {
		w.svc = serviceByName("s3control")
	}

	ct := r.Header.Get("Content-Type")
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor"):
		w.protocol = RPCv2CBOR
		// /service/<Service>/operation/<Operation>
		parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(parts) == 4 && parts[0] == "service" && parts[2] == "operation" {
			w.op = parts[3]
			if w.svc == nil {
				for _, s := range services {
					if s.CBORService == parts[1] {
						w.svc = s
					}
				}
			}
		}
		w.in = Input{}
		if len(body) > 0 {
			v, err := cbor.Decode(body)
			if err != nil {
				w.badInput = "body is not CBOR: " + err.Error()
			} else if m, ok := fromCBOR(v).(map[string]any); ok {
				w.in = m
			}
		}
	case target != "":
		w.protocol = AWSJSON11
		if w.svc == nil {
			w.svc = serviceByTarget(target)
		}
		_, w.op, _ = strings.Cut(target, ".")
		w.in = Input{}
		if len(bytes.TrimSpace(body)) > 0 {
			d := json.NewDecoder(bytes.NewReader(body))
			d.UseNumber()
			var m map[string]any
			if err := d.Decode(&m); err != nil {
				w.badInput = "body is not JSON: " + err.Error()
			} else {
				w.in = m
			}
		}
	case r.Method == http.MethodPost && strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		form, err := url.ParseQuery(string(body))
		if err != nil {
			w.badInput = "body is not a form: " + err.Error()
		}
		if w.svc == nil {
			w.svc = serviceByVersion(form.Get("Version"))
		}
		w.protocol = AWSQuery
		if w.svc != nil && w.svc.Protocol == EC2Query {
			w.protocol = EC2Query
		}
		w.op = form.Get("Action")
		w.in = queryInput(form)
	default:
		w.protocol = RestXML
		if w.svc == nil {
			if strings.HasPrefix(r.URL.Path, "/v20180820/") {
				w.svc = serviceByName("s3control")
			} else {
				w.svc = serviceByName("s3")
			}
		}
		if w.svc != nil && w.svc.Protocol != RestXML {
			w.protocol = RestJSON
		}
		w.in = Input{}
		switch {
		case w.svc == nil:
		case w.svc.Name == "s3":
			routeS3(r, w)
		case w.svc.Name == "s3control":
			routeS3Control(r, w)
		}
	}
	if w.region == "" {
		w.region = "us-east-1"
	}
	return w
}

// s3 sub-resources and the operation each names, by method.
var s3SubResources = map[string][3]string{ // sub -> {GET, PUT, DELETE}
	"acl":               {"GetBucketAcl", "PutBucketAcl", ""},
	"policy":            {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"},
	"policyStatus":      {"GetBucketPolicyStatus", "", ""},
	"logging":           {"GetBucketLogging", "PutBucketLogging", ""},
	"publicAccessBlock": {"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"},
	"encryption":        {"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"},
	"location":          {"GetBucketLocation", "", ""},
	"versioning":        {"GetBucketVersioning", "PutBucketVersioning", ""},
	"tagging":           {"GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"},
	"lifecycle":         {"GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"},
	"cors":              {"GetBucketCors", "PutBucketCors", "DeleteBucketCors"},
	"website":           {"GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"},
	"replication":       {"GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication"},
	"notification":      {"GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", ""},
	"ownershipControls": {"GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"},
	"object-lock":       {"GetObjectLockConfiguration", "PutObjectLockConfiguration", ""},
	"versions":          {"ListObjectVersions", "", ""},
	"uploads":           {"ListMultipartUploads", "", ""},
	"accelerate":        {"GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration", ""},
	"requestPayment":    {"GetBucketRequestPayment", "PutBucketRequestPayment", ""},
}

// s3Hostname splits a virtual-hosted bucket off the Host header: the host is
// <bucket>.<base> where base is an IP, localhost or an amazonaws.com name.
func s3Bucket(host string) string {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if net.ParseIP(h) != nil {
		return ""
	}
	for _, base := range []string{".localhost", ".s3.amazonaws.com"} {
		if b, ok := strings.CutSuffix(h, base); ok && b != "" {
			return b
		}
	}
	if i := strings.Index(h, ".s3."); i > 0 && strings.HasSuffix(h, ".amazonaws.com") {
		return h[:i]
	}
	// <bucket>.<ip>
	if i := strings.IndexByte(h, '.'); i > 0 && net.ParseIP(h[i+1:]) != nil {
		return h[:i]
	}
	return ""
}

func routeS3(r *http.Request, w *wireRequest) {
	path := r.URL.Path
	bucket := s3Bucket(r.Host)
	if bucket == "" {
		p := strings.TrimPrefix(path, "/")
		bucket, path, _ = strings.Cut(p, "/")
		w.bucket = bucket
		w.key, _ = url.PathUnescape(path)
		if raw := r.URL.RawPath; raw != "" {
			if _, k, ok := strings.Cut(strings.TrimPrefix(raw, "/"), "/"); ok {
				w.key, _ = url.PathUnescape(k)
			}
		}
	} else {
		w.bucket = bucket
		w.key, _ = url.PathUnescape(strings.TrimPrefix(path, "/"))
	}
	q := r.URL.Query()
	for k, v := range q {
		w.in[k] = v[0]
	}
	if w.bucket != "" {
		w.in["Bucket"] = w.bucket
	}
	if w.key != "" {
		w.in["Key"] = w.key
	}
	sub := ""
	for k := range s3SubResources {
		if q.Has(k) {
			sub = k
		}
	}
	m := r.Method
	switch {
	case w.bucket == "":
		if m == http.MethodGet {
			w.op = "ListBuckets"
		}
	case w.key == "" && sub != "":
		ops := s3SubResources[sub]
		switch m {
		case http.MethodGet:
			w.op = ops[0]
		case http.MethodPut:
			w.op = ops[1]
		case http.MethodDelete:
			w.op = ops[2]
		}
	case w.key == "":
		switch m {
		case http.MethodGet:
			w.op = "ListObjects"
			if q.Get("list-type") == "2" {
				w.op = "ListObjectsV2"
			}
		case http.MethodHead:
			w.op = "HeadBucket"
		case http.MethodPut:
			w.op = "CreateBucket"
		case http.MethodDelete:
			w.op = "DeleteBucket"
		case http.MethodPost:
			if q.Has("delete") {
				w.op = "DeleteObjects"
			}
		}
	default:
		switch {
		case m == http.MethodGet && q.Has("acl"):
			w.op = "GetObjectAcl"
		case m == http.MethodGet && q.Has("tagging"):
			w.op = "GetObjectTagging"
		case m == http.MethodGet:
			w.op = "GetObject"
		case m == http.MethodHead:
			w.op = "HeadObject"
		case m == http.MethodPut && q.Has("acl"):
			w.op = "PutObjectAcl"
		case m == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
			w.op = "CopyObject"
		case m == http.MethodPut:
			w.op = "PutObject"
		case m == http.MethodDelete:
			w.op = "DeleteObject"
		case m == http.MethodPost && q.Has("uploads"):
			w.op = "CreateMultipartUpload"
		}
	}
}

func routeS3Control(r *http.Request, w *wireRequest) {
	w.in["AccountId"] = r.Header.Get("X-Amz-Account-Id")
	if strings.TrimSuffix(r.URL.Path, "/") == "/v20180820/configuration/publicAccessBlock" {
		switch r.Method {
		case http.MethodGet:
			w.op = "GetPublicAccessBlock"
		case http.MethodPut:
			w.op = "PutPublicAccessBlock"
		case http.MethodDelete:
			w.op = "DeletePublicAccessBlock"
		}
	}
}

// ---- responses ----

// response is an encoded answer.
type response struct {
	status  int
	header  http.Header
	body    []byte
	errCode string // CloudTrail's spelling
	errMsg  string
}

func newResponse(status int) *response {
	return &response{status: status, header: http.Header{}}
}

// encode serialises a handler's result in the protocol the client spoke.
func encode(c *Call, v any) *response {
	res := newResponse(http.StatusOK)
	setRequestID(c, res)
	svc := c.svc
	switch c.protocol {
	case AWSQuery:
		w := &xmlWriter{member: "member"}
		w.b.WriteString(`<` + c.Name + `Response xmlns="` + svc.XMLNS + `">`)
		if st, ok := v.(Struct); ok {
			w.value(c.Name+"Result", st)
		}
		w.b.WriteString(`<ResponseMetadata><RequestId>` + c.RequestID + `</RequestId></ResponseMetadata>`)
		w.close(c.Name + "Response")
		res.header.Set("Content-Type", "text/xml")
		res.body = w.b.Bytes()
	case EC2Query:
		w := &xmlWriter{member: "item"}
		w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		w.b.WriteString(`<` + c.Name + `Response xmlns="` + svc.XMLNS + `">`)
		w.value("requestId", c.RequestID)
		if st, ok := v.(Struct); ok {
			w.fields(st)
		}
		w.close(c.Name + "Response")
		res.header.Set("Content-Type", "text/xml;charset=UTF-8")
		res.body = w.b.Bytes()
	case AWSJSON11:
		res.header.Set("Content-Type", "application/x-amz-json-1.1")
		if v == nil {
			v = Struct{}
		}
		res.body = encodeJSON(v)
	case RPCv2CBOR:
		res.header.Set("Content-Type", "application/cbor")
		res.header.Set("Smithy-Protocol", "rpc-v2-cbor")
		if v == nil {
			v = Struct{}
		}
		res.body = cbor.Encode(toCBOR(v))
	case RestXML:
		switch x := v.(type) {
		case Raw:
			if x.ContentType != "" {
				res.header.Set("Content-Type", x.ContentType)
			}
			for k, hv := range x.Header {
				res.header.Set(k, hv)
			}
			res.body = x.Body
		case Payload:
			w := &xmlWriter{member: "member"}
			w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
			w.b.WriteString(`<` + x.Name + ` xmlns="` + svc.XMLNS + `">`)
			w.fields(x.Value)
			w.close(x.Name)
			res.header.Set("Content-Type", "application/xml")
			res.body = w.b.Bytes()
		case nil:
		}
	}
	return res
}

func setRequestID(c *Call, res *response) {
	switch c.protocol {
	case RestXML:
		res.header.Set("X-Amz-Request-Id", c.RequestID)
		res.header.Set("X-Amz-Id-2", c.hostID)
	default:
		res.header.Set("X-Amzn-RequestId", c.RequestID)
	}
}

// encodeError serialises an error in the protocol the client spoke.
func encodeError(c *Call, e *Error) *response {
	res := newResponse(e.Status)
	setRequestID(c, res)
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	switch c.protocol {
	case AWSQuery:
		w := &xmlWriter{}
		xmlns := ""
		if c.svc != nil {
			xmlns = c.svc.XMLNS
		}
		w.b.WriteString(`<ErrorResponse xmlns="` + xmlns + `"><Error>`)
		w.value("Type", fault)
		w.value("Code", e.Code)
		w.value("Message", e.Message)
		w.b.WriteString(`</Error>`)
		w.value("RequestId", c.RequestID)
		w.b.WriteString(`</ErrorResponse>`)
		res.header.Set("Content-Type", "text/xml")
		res.body = w.b.Bytes()
	case EC2Query:
		w := &xmlWriter{}
		w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		w.b.WriteString(`<Response><Errors><Error>`)
		w.value("Code", e.Code)
		w.value("Message", e.Message)
		w.b.WriteString(`</Error></Errors>`)
		w.value("RequestID", c.RequestID)
		w.b.WriteString(`</Response>`)
		res.header.Set("Content-Type", "text/xml;charset=UTF-8")
		res.body = w.b.Bytes()
	case AWSJSON11, RestJSON:
		res.header.Set("Content-Type", "application/x-amz-json-1.1")
		res.header.Set("X-Amzn-ErrorType", e.Code)
		res.body = encodeJSON(Struct{F("__type", e.Code), F("message", e.Message)})
	case RPCv2CBOR:
		res.header.Set("Content-Type", "application/cbor")
		res.header.Set("Smithy-Protocol", "rpc-v2-cbor")
		res.header.Set("X-Amzn-Query-Error", e.Code+";"+fault)
		res.body = cbor.Encode(cbor.Map{"__type": cbor.String(e.Code), "message": cbor.String(e.Message)})
	default: // restXml
		w := &xmlWriter{}
		w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		wrapped := c.svc != nil && c.svc.Name == "s3control"
		if wrapped {
			w.b.WriteString(`<ErrorResponse>`)
		}
		w.b.WriteString(`<Error>`)
		w.value("Code", e.Code)
		w.value("Message", e.Message)
		if !wrapped {
			if c.bucket != "" {
				w.value("BucketName", c.bucket)
			}
		}
		w.value("RequestId", c.RequestID)
		w.value("HostId", c.hostID)
		w.b.WriteString(`</Error>`)
		if wrapped {
			w.b.WriteString(`</ErrorResponse>`)
		}
		res.header.Set("Content-Type", "application/xml")
		if c.method == http.MethodHead {
			w.b.Reset()
		}
		res.body = w.b.Bytes()
	}
	if e.Code == "Throttling" || e.Code == "SlowDown" {
		res.header.Set("Retry-After", "0")
	}
	res.header.Set("Content-Length", strconv.Itoa(len(res.body)))
	return res
}
