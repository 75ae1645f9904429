package trail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// colKind is how a column's value is held in a row.
type colKind uint8

const (
	kindString colKind = iota
	kindTime
	kindBool
	kindInt32
	kindInt64
)

// column describes one events column: its name, kind and slot in row.
type column struct {
	name string
	kind colKind
	slot int
}

// String slots in row.strs.
const (
	sEventID = iota
	sEventVersion
	sEventSource
	sEventName
	sAWSRegion
	sRecipientAccountID
	sIdentityType
	sPrincipalID
	sPrincipalARN
	sAccountID
	sUserName
	sSessionIssuerType
	sSessionIssuerARN
	sSessionIssuerName
	sSessionName
	sSourceIdentity
	sAccessKeyID
	sInvokedBy
	sUserAgent
	sSourceIP
	sRequestID
	sSharedEventID
	sVPCEndpointID
	sErrorCode
	sErrorMessage
	sEventType
	sEventCategory
	sRecord
	numStrings
)

// Bool slots in row.bools.
const (
	bMFA = iota
	bReadOnly
	bManagement
	numBools
)

// columns of the events table, in table order. The loader writes rows in
// this order and checks it against the database at start-up, so the Go side
// and queries/schema cannot drift apart unnoticed.
var columns = []column{
	{"event_id", kindString, sEventID},
	{"event_time", kindTime, 0},
	{"event_version", kindString, sEventVersion},
	{"event_source", kindString, sEventSource},
	{"event_name", kindString, sEventName},
	{"aws_region", kindString, sAWSRegion},
	{"recipient_account_id", kindString, sRecipientAccountID},
	{"identity_type", kindString, sIdentityType},
	{"principal_id", kindString, sPrincipalID},
	{"principal_arn", kindString, sPrincipalARN},
	{"account_id", kindString, sAccountID},
	{"user_name", kindString, sUserName},
	{"session_issuer_type", kindString, sSessionIssuerType},
	{"session_issuer_arn", kindString, sSessionIssuerARN},
	{"session_issuer_name", kindString, sSessionIssuerName},
	{"session_name", kindString, sSessionName},
	{"source_identity", kindString, sSourceIdentity},
	{"mfa_authenticated", kindBool, bMFA},
	{"access_key_id", kindString, sAccessKeyID},
	{"invoked_by", kindString, sInvokedBy},
	{"user_agent", kindString, sUserAgent},
	{"source_ip_address", kindString, sSourceIP},
	{"request_id", kindString, sRequestID},
	{"shared_event_id", kindString, sSharedEventID},
	{"vpc_endpoint_id", kindString, sVPCEndpointID},
	{"error_code", kindString, sErrorCode},
	{"error_message", kindString, sErrorMessage},
	{"read_only", kindBool, bReadOnly},
	{"event_type", kindString, sEventType},
	{"event_category", kindString, sEventCategory},
	{"management_event", kindBool, bManagement},
	{"size_bytes", kindInt32, 0},
	{"file_id", kindInt64, 0},
	{"record", kindString, sRecord},
}

// Columns lists the events table's column names in table order.
func Columns() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.name
	}
	return out
}

// row is one events row. Strings are "" for SQL NULL (CloudTrail's empty
// strings carry no information the record does not keep); bools are -1 for
// NULL, 0 false, 1 true. All of a row's strings live back to back in one
// string, so a row holds a single pointer: rows are cheap to allocate and
// the garbage collector has almost nothing to scan in them.
type row struct {
	arena  string
	spans  [numStrings][2]uint32
	micros int64 // event time, microseconds since the Unix epoch
	bools  [numBools]int8
	size   int32
	fileID int64
}

// str returns a string column.
func (r *row) str(slot int) string {
	sp := r.spans[slot]
	return r.arena[sp[0]:sp[1]]
}

func (r *row) eventID() string { return r.str(sEventID) }

// when returns the event time in UTC.
func (r *row) when() time.Time { return time.UnixMicro(r.micros).UTC() }

// errNotCloudTrail marks a JSON object that is not a CloudTrail record.
var errNotCloudTrail = errors.New("not a CloudTrail record")

// extractor turns one compact record into an events row. It is not safe for
// concurrent use; each decoding worker owns one.
type extractor struct {
	p     fastjson.Parser
	arena []byte
}

// fill parses rec (compact JSON of one record) into r. rec is not retained.
// Records only need eventSource, eventName and a time; everything else may
// be missing, of another type, or new.
func (x *extractor) fill(r *row, rec []byte) error {
	if !utf8.Valid(rec) {
		return errors.New("record is not valid UTF-8")
	}
	if err := fastjson.ValidateBytes(rec); err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	v, err := x.p.ParseBytes(rec)
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if v.Type() != fastjson.TypeObject {
		return fmt.Errorf("%w: a JSON %s, not an object", errNotCloudTrail, v.Type())
	}
	source, name := str(v, "eventSource"), str(v, "eventName")
	if source == nil || name == nil {
		return fmt.Errorf("%w: it has no eventSource or eventName", errNotCloudTrail)
	}
	var when time.Time
	switch ts := str(v, "eventTime"); {
	case ts != nil:
		if when, err = parseTime(ts); err != nil {
			return fmt.Errorf("eventTime %q is not a time", ts)
		}
	case str(v, "@timestamp") != nil: // SIEM exports that renamed eventTime
		if when, err = parseTime(str(v, "@timestamp")); err != nil {
			return fmt.Errorf("@timestamp %q is not a time", str(v, "@timestamp"))
		}
	default:
		return errors.New("record has no eventTime")
	}
	r.micros = when.UnixMicro()

	// Gather every string into one arena, then make one Go string of it.
	x.arena = x.arena[:0]
	set := func(slot int, b []byte) {
		r.spans[slot][0] = uint32(len(x.arena))
		x.arena = append(x.arena, b...)
		r.spans[slot][1] = uint32(len(x.arena))
	}
	var synthetic [16]byte
	if id := str(v, "eventID"); id != nil {
		set(sEventID, id)
	} else {
		// eventID arrived with eventVersion 1.01; older records get a stable
		// ID from their content so re-ingesting them still deduplicates.
		sum := sha256.Sum256(rec)
		copy(synthetic[:], sum[:16])
		set(sEventID, append([]byte("synthetic-"), hex.EncodeToString(synthetic[:])...))
	}
	set(sEventVersion, str(v, "eventVersion"))
	set(sEventSource, source)
	set(sEventName, name)
	set(sAWSRegion, str(v, "awsRegion"))
	set(sRecipientAccountID, str(v, "recipientAccountId"))
	r.bools = [numBools]int8{-1, -1, -1}
	ui := v.Get("userIdentity")
	if ui == nil || ui.Type() != fastjson.TypeObject {
		for _, s := range []int{sIdentityType, sPrincipalID, sPrincipalARN, sAccountID, sUserName, sSessionIssuerType,
			sSessionIssuerARN, sSessionIssuerName, sSessionName, sSourceIdentity} {
			set(s, nil)
		}
	} else {
		arn := str(ui, "arn")
		set(sIdentityType, str(ui, "type"))
		set(sPrincipalID, str(ui, "principalId"))
		set(sPrincipalARN, arn)
		set(sAccountID, str(ui, "accountId"))
		set(sUserName, str(ui, "userName"))
		set(sSessionIssuerType, str(ui, "sessionContext", "sessionIssuer", "type"))
		set(sSessionIssuerARN, str(ui, "sessionContext", "sessionIssuer", "arn"))
		role, session := assumedRole(arn)
		if issuer := str(ui, "sessionContext", "sessionIssuer", "userName"); issuer != nil {
			set(sSessionIssuerName, issuer)
		} else {
			set(sSessionIssuerName, role)
		}
		if session == nil && bytes.Equal(str(ui, "type"), []byte("AssumedRole")) {
			if _, after, ok := bytes.Cut(str(ui, "principalId"), []byte(":")); ok {
				session = after
			}
		}
		set(sSessionName, session)
		set(sSourceIdentity, str(ui, "sessionContext", "sourceIdentity"))
		r.bools[bMFA] = boolish(ui.Get("sessionContext", "attributes", "mfaAuthenticated"))
	}
	if ui != nil && ui.Type() == fastjson.TypeObject {
		set(sAccessKeyID, str(ui, "accessKeyId"))
		set(sInvokedBy, str(ui, "invokedBy"))
	} else {
		set(sAccessKeyID, nil)
		set(sInvokedBy, nil)
	}
	set(sUserAgent, str(v, "userAgent"))
	set(sSourceIP, str(v, "sourceIPAddress"))
	set(sRequestID, str(v, "requestID"))
	set(sSharedEventID, str(v, "sharedEventID"))
	set(sVPCEndpointID, str(v, "vpcEndpointId"))
	set(sErrorCode, str(v, "errorCode"))
	set(sErrorMessage, str(v, "errorMessage"))
	set(sEventType, str(v, "eventType"))
	set(sEventCategory, str(v, "eventCategory"))
	set(sRecord, rec)
	r.bools[bReadOnly] = boolish(v.Get("readOnly"))
	r.bools[bManagement] = boolish(v.Get("managementEvent"))
	r.size = int32(len(rec))

	r.arena = string(x.arena)
	return nil
}

// str returns a string member (unescaped), or nil when it is absent, not a
// string, or empty. The bytes are valid until the next parse.
func str(v *fastjson.Value, keys ...string) []byte {
	b := v.GetStringBytes(keys...)
	if len(b) == 0 {
		return nil
	}
	return b
}

// boolish reads a boolean that CloudTrail writes either as a JSON boolean or
// as the string "true"/"false": 1 true, 0 false, -1 absent or other.
func boolish(v *fastjson.Value) int8 {
	if v == nil {
		return -1
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		return 1
	case fastjson.TypeFalse:
		return 0
	case fastjson.TypeString:
		switch strings.ToLower(string(v.GetStringBytes())) {
		case "true":
			return 1
		case "false":
			return 0
		}
	}
	return -1
}

// assumedRole splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func assumedRole(arn []byte) (role, session []byte) {
	const marker = ":assumed-role/"
	i := bytes.Index(arn, []byte(marker))
	if i < 0 || !bytes.HasPrefix(arn, []byte("arn:")) {
		return nil, nil
	}
	r, s, _ := bytes.Cut(arn[i+len(marker):], []byte("/"))
	if len(s) == 0 {
		s = nil
	}
	return r, s
}

// parseTime accepts CloudTrail's RFC 3339 times ("2023-07-10T11:42:18Z", with
// or without fractional seconds or an offset) and returns them in UTC. Times
// some exports write without a zone are taken as UTC, as CloudTrail's are.
func parseTime(b []byte) (time.Time, error) {
	s := string(b)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		var err2 error
		for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05Z07:00"} {
			if t, err2 = time.Parse(layout, s); err2 == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, err
	}
	return t.UTC(), nil
}
