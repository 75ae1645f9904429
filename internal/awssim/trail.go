package awssim

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// batchWindow is how often CloudTrail delivers a file per account and region.
const batchWindow = 5 * time.Minute

// maxLookupEvents bounds the events kept for LookupEvents.
const maxLookupEvents = 100_000

// Record is one CloudTrail record, fields in the order CloudTrail writes them.
type Record struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        *UserIdentity   `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   any             `json:"requestParameters"`
	ResponseElements    any             `json:"responseElements"`
	AdditionalEventData any             `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	Resources           []trailResource `json:"resources,omitempty"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	SharedEventID       string          `json:"sharedEventID,omitempty"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          *TLSDetails     `json:"tlsDetails,omitempty"`
}

// UserIdentity is CloudTrail's userIdentity.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext is userIdentity.sessionContext.
type SessionContext struct {
	SessionIssuer       *SessionIssuer    `json:"sessionIssuer"`
	WebIDFederationData struct{}          `json:"webIdFederationData"`
	Attributes          SessionAttributes `json:"attributes"`
	SourceIdentity      string            `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role a session was issued from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttributes are a session's creation date and MFA state.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// TLSDetails is tlsDetails.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion"`
	CipherSuite              string `json:"cipherSuite"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader"`
}

type trailResource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
}

// stored is a delivered or pending record with what lookups filter on.
type stored struct {
	rec  *Record
	json []byte
	at   time.Time
}

type batchKey struct {
	account, region string
	window          time.Time
}

// deliveredObject is a CloudTrail file readable through S3.
type deliveredObject struct {
	Key      string
	Body     []byte
	Modified time.Time
}

type trailWriter struct {
	sim *Sim
	dir string

	mu      sync.Mutex
	pending map[batchKey][][]byte
	events  []stored // for LookupEvents, oldest first
	objects []deliveredObject
}

func newTrailWriter(dir string, s *Sim) *trailWriter {
	return &trailWriter{sim: s, dir: dir, pending: map[batchKey][][]byte{}}
}

func ptrTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// identity renders the caller as userIdentity.
func identity(p *principal) *UserIdentity {
	u := &UserIdentity{Type: p.Type, PrincipalID: p.ID(), ARN: p.ARN(), AccountID: p.Account.ID, AccessKeyID: p.KeyID}
	switch p.Type {
	case TypeIAMUser:
		u.UserName = p.User.Name
	case TypeAssumedRole:
		u.SessionContext = &SessionContext{
			SessionIssuer: &SessionIssuer{Type: "Role", PrincipalID: roleID(p.Account, p.Role),
				ARN: roleARN(p.Account, p.Role), AccountID: p.Account.ID, UserName: p.Role.Name},
			Attributes:     SessionAttributes{CreationDate: ptrTime(p.Created), MFAAuthenticated: "false"},
			SourceIdentity: p.SourceIdentity,
		}
	}
	return u
}

// record writes the CloudTrail record(s) of a finished request.
func (t *trailWriter) record(c *Call, res *response) {
	s := t.sim
	svc := c.svc
	region := c.Region
	if svc.Global {
		region = "us-east-1"
	}
	if c.svc.Name == "s3" && c.bucket != "" {
		if b, _ := s.bucket(c.bucket); b != nil && b.Region != "" {
			region = b.Region
		}
	}
	eventName := c.Name
	readOnly := isReadName(c.Name)
	data := false
	if c.op != nil {
		readOnly = c.op.ReadOnly
		data = c.op.Data
		if c.op.EventName != "" {
			eventName = c.op.EventName
		}
	}
	if eventName == "" {
		eventName = "Unknown"
	}
	rec := &Record{
		EventVersion:       "1.11",
		UserIdentity:       identity(c.caller),
		EventTime:          ptrTime(c.Now),
		EventSource:        svc.EventSource,
		EventName:          eventName,
		AWSRegion:          region,
		SourceIPAddress:    c.sourceIP,
		UserAgent:          c.userAgent,
		RequestParameters:  requestParameters(c),
		RequestID:          c.RequestID,
		EventID:            s.uuid(),
		ReadOnly:           readOnly,
		Resources:          c.resources,
		EventType:          "AwsApiCall",
		ManagementEvent:    !data,
		RecipientAccountID: c.Account.ID,
		EventCategory:      "Management",
		TLSDetails: &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
			ClientProvidedHostHeader: c.host},
	}
	if data {
		rec.EventCategory = "Data"
	}
	if res.status >= 300 {
		rec.ErrorCode = res.errCode
		rec.ErrorMessage = res.errMsg
	} else if c.respElems != nil {
		rec.ResponseElements = c.respElems
	}
	if svc.Name == "s3" || svc.Name == "s3control" {
		out := 0
		if res.status < 300 {
			out = len(res.body)
		}
		rec.AdditionalEventData = map[string]any{
			"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
			"AuthenticationMethod": "AuthHeader", "x-amz-id-2": c.hostID, "bytesTransferredOut": out,
		}
	}
	cross := c.sharedWith != nil && c.sharedWith != c.Account
	if cross {
		rec.SharedEventID = s.uuid()
	}
	t.add(rec, c.Account.ID, region)
	if cross {
		// A cross-account call is logged in both accounts with a shared ID;
		// the resource owner's copy sees the caller as another account.
		cp := *rec
		cp.EventID = s.uuid()
		cp.RecipientAccountID = c.sharedWith.ID
		cp.UserIdentity = &UserIdentity{Type: "AWSAccount", PrincipalID: c.caller.ID(), AccountID: c.caller.Account.ID}
		t.add(&cp, c.sharedWith.ID, region)
	}
}

func (t *trailWriter) add(rec *Record, account, region string) {
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	at, _ := time.Parse(time.RFC3339, rec.EventTime)
	t.mu.Lock()
	k := batchKey{account, region, at.Truncate(batchWindow)}
	t.pending[k] = append(t.pending[k], b)
	t.events = append(t.events, stored{rec: rec, json: b, at: at})
	if len(t.events) > maxLookupEvents {
		t.events = append([]stored(nil), t.events[len(t.events)-maxLookupEvents:]...)
	}
	t.mu.Unlock()
	_ = t.flush(false)
}

// flush delivers batches whose window has closed, or all when force.
func (t *trailWriter) flush(force bool) error {
	now := t.sim.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]batchKey, 0, len(t.pending))
	for k := range t.pending {
		if force || !k.window.Add(batchWindow).After(now) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if !a.window.Equal(b.window) {
			return a.window.Before(b.window)
		}
		if a.account != b.account {
			return a.account < b.account
		}
		return a.region < b.region
	})
	var errs []error
	for _, k := range keys {
		delivery := k.window.Add(batchWindow)
		if delivery.After(now) {
			delivery = now
		}
		if err := t.deliverLocked(k, delivery, t.pending[k]); err != nil {
			errs = append(errs, err)
			continue
		}
		delete(t.pending, k)
	}
	if len(errs) > 0 {
		return fmt.Errorf("deliver CloudTrail: %w", errs[0])
	}
	return nil
}

func (t *trailWriter) deliverLocked(k batchKey, at time.Time, recs [][]byte) error {
	var doc bytes.Buffer
	doc.WriteString(`{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			doc.WriteByte(',')
		}
		doc.Write(r)
	}
	doc.WriteString("]}")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(doc.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	t.sim.mu.Lock()
	id := t.sim.tokenLocked(16)
	t.sim.mu.Unlock()
	at = at.UTC()
	key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", k.account, k.region,
		at.Format("2006/01/02"), k.account, k.region, at.Format("20060102T1504Z"), id)
	if t.dir != "" {
		p := filepath.Join(t.dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, gz.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, p); err != nil {
			return err
		}
	}
	t.objects = append(t.objects, deliveredObject{Key: key, Body: gz.Bytes(), Modified: at})
	return nil
}

// Delivered lists the CloudTrail object keys delivered so far, sorted.
func (s *Sim) Delivered() []string {
	s.trail.mu.Lock()
	defer s.trail.mu.Unlock()
	out := make([]string, 0, len(s.trail.objects))
	for _, o := range s.trail.objects {
		out = append(out, o.Key)
	}
	sort.Strings(out)
	return out
}

// Records returns every record written so far (delivered or pending) in the
// order they were written.
func (s *Sim) Records() []*Record {
	s.trail.mu.Lock()
	defer s.trail.mu.Unlock()
	out := make([]*Record, len(s.trail.events))
	for i, e := range s.trail.events {
		out[i] = e.rec
	}
	return out
}

// ---- requestParameters ----

// requestParameters derives CloudTrail's requestParameters from the input:
// lowerCamel member names, EC2's xxxSet{items} lists, S3's bucketName/Host.
func requestParameters(c *Call) any {
	if c.op != nil && c.op.Params != nil {
		return c.op.Params(c)
	}
	switch c.svc.Protocol {
	case RestXML:
		if c.svc.Name == "s3control" {
			return map[string]any{"accountId": c.In.Str("AccountId"), "Host": c.host}
		}
		m := map[string]any{}
		for k, v := range c.In {
			switch k {
			case "Bucket":
				m["bucketName"] = v
			case "Key":
				m["key"] = v
			default:
				if s, _ := v.(string); s == "" {
					m[k] = ""
				} else {
					m[k] = v
				}
			}
		}
		m["Host"] = c.host
		return m
	}
	if len(c.In) == 0 {
		return nil
	}
	return camelize(map[string]any(c.In), c.svc.Protocol == EC2Query)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	// IAM's "MaxItems" -> "maxItems"; "VPCId"-style acronyms keep the rest.
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func camelize(v any, ec2 bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			name := lowerFirst(k)
			if l, ok := e.([]any); ok && ec2 {
				items := make([]any, 0, len(l))
				for _, it := range l {
					if s, ok := it.(string); ok {
						items = append(items, map[string]any{strings.TrimSuffix(name, "s"): s})
					} else {
						items = append(items, camelize(it, ec2))
					}
				}
				out[strings.TrimSuffix(name, "s")+"Set"] = map[string]any{"items": items}
				continue
			}
			out[name] = camelize(e, ec2)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = camelize(e, ec2)
		}
		return out
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case string:
		if ec2 {
			return x
		}
		return x
	}
	return v
}
