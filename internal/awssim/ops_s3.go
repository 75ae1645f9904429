package awssim

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

func registerS3(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "s3", Name: name, ReadOnly: true, Handler: h}
	}
	pab := op("GetPublicAccessBlock", s3GetPublicAccessBlock)
	pab.EventName, pab.Action = "GetBucketPublicAccessBlock", "GetBucketPublicAccessBlock"
	list := op("ListObjectsV2", s3ListObjectsV2)
	list.EventName, list.Action, list.Data = "ListObjects", "ListBucket", true
	get := op("GetObject", s3GetObject)
	get.Data = true
	head := op("HeadObject", s3HeadObject)
	head.Data, head.Action = true, "GetObject"
	headBucket := op("HeadBucket", s3HeadBucket)
	headBucket.Action = "ListBucket"
	r.add(
		op("ListBuckets", s3ListBuckets),
		op("GetBucketLocation", s3GetBucketLocation),
		op("GetBucketAcl", s3GetBucketAcl),
		op("GetBucketPolicy", s3GetBucketPolicy),
		op("GetBucketPolicyStatus", s3GetBucketPolicyStatus),
		op("GetBucketLogging", s3GetBucketLogging),
		op("GetBucketEncryption", s3GetBucketEncryption),
		op("GetBucketVersioning", s3GetBucketVersioning),
		pab, list, get, head, headBucket,
	)
	ctl := &Operation{Service: "s3control", Name: "GetPublicAccessBlock", ReadOnly: true,
		EventName: "GetAccountPublicAccessBlock", Handler: s3controlGetPublicAccessBlock}
	r.add(ctl)
}

// bucket finds a bucket by name in any account.
func (s *Sim) bucket(name string) (*Bucket, *Account) {
	for _, a := range s.fx.Accounts {
		for _, b := range a.S3.Buckets {
			if b.Name == name {
				return b, a
			}
		}
	}
	return nil, nil
}

func bucketRegion(b *Bucket) string {
	if b.Region == "" {
		return "us-east-1"
	}
	return b.Region
}

// callBucket resolves the request's bucket: NoSuchBucket, or AccessDenied
// when another account owns it (buckets are readable by their owner only).
func (c *Call) callBucket() (*Bucket, error) {
	name := c.In.Str("Bucket")
	b, owner := c.sim.bucket(name)
	if b == nil {
		return nil, &Error{Code: "NoSuchBucket", Status: http.StatusNotFound, Message: "The specified bucket does not exist"}
	}
	c.resources = []trailResource{{AccountID: owner.ID, Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + b.Name}}
	if owner != c.Account {
		return nil, &Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Access Denied"}
	}
	return b, nil
}

func canonicalID(a *Account) string {
	sum := md5.Sum([]byte("awssim-canonical-" + a.ID))
	return hex.EncodeToString(sum[:]) + hex.EncodeToString(sum[:])
}

func owner(a *Account) Struct {
	return Struct{F("ID", canonicalID(a)), F("DisplayName", a.Name)}
}

func s3ListBuckets(c *Call) (any, error) {
	var bs []any
	bucketList := append([]*Bucket(nil), c.Account.S3.Buckets...)
	sort.Slice(bucketList, func(i, j int) bool { return bucketList[i].Name < bucketList[j].Name })
	for _, b := range bucketList {
		bs = append(bs, Struct{F("Name", b.Name), F("CreationDate", b.Created.Or(c.Now, -365*24*time.Hour)),
			F("BucketRegion", bucketRegion(b))})
	}
	return Payload{Name: "ListAllMyBucketsResult", Value: Struct{F("Owner", owner(c.Account)),
		F("Buckets", Items{Name: "Bucket", Items: bs})}}, nil
}

func s3GetBucketLocation(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = ""
	}
	w := &xmlWriter{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.b.WriteString(`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	w.text(loc)
	w.b.WriteString(`</LocationConstraint>`)
	return Raw{ContentType: "application/xml", Body: w.b.Bytes()}, nil
}

var groupURIs = map[string]string{
	"AllUsers":           "http://acs.amazonaws.com/groups/global/AllUsers",
	"AuthenticatedUsers": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
	"LogDelivery":        "http://acs.amazonaws.com/groups/s3/LogDelivery",
}

func grant(a *Account, grantee, perm string) Attrs {
	if uri, ok := groupURIs[grantee]; ok {
		return Attrs{Attrs: []Field{F("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), F("xsi:type", "Group")},
			Value: Struct{F("URI", uri)}}
	}
	id := grantee
	if grantee == "owner" {
		id = canonicalID(a)
	}
	v := Struct{F("ID", id)}
	if id == canonicalID(a) {
		v = append(v, F("DisplayName", a.Name))
	}
	return Attrs{Attrs: []Field{F("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"), F("xsi:type", "CanonicalUser")}, Value: v}
}

// cannedGrants are the grants each canned ACL stands for.
var cannedGrants = map[string][][2]string{
	"private":            {{"owner", "FULL_CONTROL"}},
	"public-read":        {{"owner", "FULL_CONTROL"}, {"AllUsers", "READ"}},
	"public-read-write":  {{"owner", "FULL_CONTROL"}, {"AllUsers", "READ"}, {"AllUsers", "WRITE"}},
	"authenticated-read": {{"owner", "FULL_CONTROL"}, {"AuthenticatedUsers", "READ"}},
	"log-delivery-write": {{"owner", "FULL_CONTROL"}, {"LogDelivery", "WRITE"}, {"LogDelivery", "READ_ACP"}},
}

func s3GetBucketAcl(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	acl := b.ACL
	if acl == "" {
		acl = "private"
	}
	var grants []any
	for _, g := range cannedGrants[acl] {
		grants = append(grants, Struct{F("Grantee", grant(c.Account, g[0], g[1])), F("Permission", g[1])})
	}
	for _, g := range b.Grants {
		grants = append(grants, Struct{F("Grantee", grant(c.Account, g.Grantee, g.Permission)), F("Permission", g.Permission)})
	}
	return Payload{Name: "AccessControlPolicy", Value: Struct{F("Owner", owner(c.Account)),
		F("AccessControlList", Items{Name: "Grant", Items: grants})}}, nil
}

func s3GetBucketPolicy(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	if b.Policy == nil {
		return nil, &Error{Code: "NoSuchBucketPolicy", Status: http.StatusNotFound, Message: "The bucket policy does not exist"}
	}
	return Raw{ContentType: "application/json", Body: []byte(b.Policy.JSON)}, nil
}

// policyIsPublic is S3's verdict in short: an Allow statement for Principal
// "*" (or {"AWS":"*"}) without a condition.
func policyIsPublic(doc string) bool {
	p, err := parsePolicy(doc)
	if err != nil {
		return false
	}
	for _, st := range p.Statement {
		if st.Effect != "Allow" || len(st.Condition) > 0 {
			continue
		}
		if s, ok := st.Principal.(string); ok && s == "*" {
			return true
		}
		if m, ok := st.Principal.(map[string]any); ok {
			for _, v := range strList(m["AWS"]) {
				if v == "*" {
					return true
				}
			}
		}
	}
	return false
}

func s3GetBucketPolicyStatus(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	if b.Policy == nil {
		return nil, &Error{Code: "NoSuchBucketPolicy", Status: http.StatusNotFound, Message: "The bucket policy does not exist"}
	}
	return Payload{Name: "PolicyStatus", Value: Struct{F("IsPublic", policyIsPublic(b.Policy.JSON))}}, nil
}

func s3GetBucketLogging(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	v := Struct{}
	if l := b.Logging; l != nil {
		v = Struct{F("LoggingEnabled", Struct{F("TargetBucket", l.TargetBucket), F("TargetPrefix", l.TargetPrefix)})}
	}
	return Payload{Name: "BucketLoggingStatus", Value: v}, nil
}

func pabStruct(p *PublicAccessBlock) Struct {
	return Struct{F("BlockPublicAcls", p.BlockPublicAcls), F("IgnorePublicAcls", p.IgnorePublicAcls),
		F("BlockPublicPolicy", p.BlockPublicPolicy), F("RestrictPublicBuckets", p.RestrictPublicBuckets)}
}

func s3GetPublicAccessBlock(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	if b.PublicAccessBlock == nil {
		return nil, &Error{Code: "NoSuchPublicAccessBlockConfiguration", Status: http.StatusNotFound,
			Message: "The public access block configuration was not found"}
	}
	return Payload{Name: "PublicAccessBlockConfiguration", Value: pabStruct(b.PublicAccessBlock)}, nil
}

func s3GetBucketEncryption(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	// Since January 2023 every bucket has SSE-S3 unless configured otherwise.
	enc := BucketEncryption{Algorithm: "AES256"}
	if b.Encryption != nil {
		enc = *b.Encryption
	}
	def := Struct{F("SSEAlgorithm", enc.Algorithm)}
	if enc.KMSKeyID != "" {
		def = append(def, F("KMSMasterKeyID", enc.KMSKeyID))
	}
	return Payload{Name: "ServerSideEncryptionConfiguration", Value: Struct{F("Rule", Flat{Struct{
		F("ApplyServerSideEncryptionByDefault", def), F("BucketKeyEnabled", enc.BucketKeyEnabled)}})}}, nil
}

func s3GetBucketVersioning(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	v := Struct{}
	if b.Versioning != "" {
		v = Struct{F("Status", b.Versioning)}
	}
	return Payload{Name: "VersioningConfiguration", Value: v}, nil
}

// object is a readable object: a fixture object or a delivered trail file.
type object struct {
	key      string
	body     []byte
	modified time.Time
}

func (c *Call) objects(b *Bucket) []object {
	var out []object
	for _, o := range b.Objects {
		out = append(out, object{o.Key, []byte(o.Body), o.Modified.Or(c.Now, -24*time.Hour)})
	}
	if b.Name == c.sim.fx.TrailBucket {
		t := c.sim.trail
		t.mu.Lock()
		for _, d := range t.objects {
			out = append(out, object{d.Key, d.Body, d.Modified})
		}
		t.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

func etag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func s3ListObjectsV2(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	prefix := c.In.Str("prefix")
	after := c.In.Str("start-after")
	var keys []object
	for _, o := range c.objects(b) {
		if strings.HasPrefix(o.key, prefix) && o.key > after {
			keys = append(keys, o)
		}
	}
	max, ok := c.In.Int("max-keys")
	if !ok {
		max = 1000
	}
	token := c.In.Str("continuation-token")
	page, next, perr := paginate(c, keys, token, max, 1000)
	if perr != nil {
		return nil, perr
	}
	var contents Flat
	for _, o := range page {
		contents = append(contents, Struct{F("Key", o.key), F("LastModified", o.modified), F("ETag", etag(o.body)),
			F("Size", len(o.body)), F("StorageClass", "STANDARD")})
	}
	out := Struct{F("Name", b.Name), F("Prefix", prefix), F("KeyCount", len(page)), F("MaxKeys", max),
		F("IsTruncated", next != "")}
	if len(contents) > 0 {
		out = append(out, F("Contents", contents))
	}
	if token != "" {
		out = append(out, F("ContinuationToken", token))
	}
	if next != "" {
		out = append(out, F("NextContinuationToken", next))
	}
	if after != "" {
		out = append(out, F("StartAfter", after))
	}
	return Payload{Name: "ListBucketResult", Value: out}, nil
}

func (c *Call) object(b *Bucket) (*object, error) {
	key := c.In.Str("Key")
	for _, o := range c.objects(b) {
		if o.key == key {
			c.resources = append([]trailResource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::" + b.Name + "/" + key}}, c.resources...)
			return &o, nil
		}
	}
	return nil, &Error{Code: "NoSuchKey", Status: http.StatusNotFound, Message: "The specified key does not exist."}
}

func objectHeaders(o *object) map[string]string {
	return map[string]string{"ETag": etag(o.body), "Last-Modified": o.modified.UTC().Format(http.TimeFormat),
		"Accept-Ranges": "bytes", "Content-Length": strconv.Itoa(len(o.body))}
}

func objectType(key string) string {
	if strings.HasSuffix(key, ".gz") {
		return "application/x-gzip"
	}
	if strings.HasSuffix(key, ".json") {
		return "application/json"
	}
	return "binary/octet-stream"
}

func s3GetObject(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	o, err := c.object(b)
	if err != nil {
		return nil, err
	}
	return Raw{ContentType: objectType(o.key), Body: o.body, Header: objectHeaders(o)}, nil
}

func s3HeadObject(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	o, err := c.object(b)
	if err != nil {
		return nil, err
	}
	return Raw{ContentType: objectType(o.key), Header: objectHeaders(o)}, nil
}

func s3HeadBucket(c *Call) (any, error) {
	b, err := c.callBucket()
	if err != nil {
		return nil, err
	}
	return Raw{Header: map[string]string{"X-Amz-Bucket-Region": bucketRegion(b)}}, nil
}

func s3controlGetPublicAccessBlock(c *Call) (any, error) {
	id := c.In.Str("AccountId")
	if id != c.Account.ID {
		return nil, &Error{Code: "AccessDenied", Status: http.StatusForbidden, Message: "Access Denied"}
	}
	p := c.Account.S3.PublicAccessBlock
	if p == nil {
		return nil, &Error{Code: "NoSuchPublicAccessBlockConfiguration", Status: http.StatusNotFound,
			Message: "The public access block configuration was not found"}
	}
	return Payload{Name: "PublicAccessBlockConfiguration", Value: pabStruct(p)}, nil
}
