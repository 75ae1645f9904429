package trail

import (
	"bytes"
	"crypto/sha256"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// Columns of the events table, in table order. The loader appends rows in
// this order and checks it against the database at start-up, so the Go side
// and queries/schema cannot drift apart unnoticed.
var Columns = []string{
	"event_id", "event_time", "event_version", "event_source", "event_name", "aws_region",
	"recipient_account_id", "identity_type", "principal_id", "principal_arn", "account_id",
	"user_name", "session_issuer_type", "session_issuer_arn", "session_issuer_name", "session_name",
	"source_identity", "mfa_authenticated", "access_key_id", "invoked_by", "user_agent",
	"source_ip_address", "request_id", "shared_event_id", "vpc_endpoint_id", "error_code",
	"error_message", "read_only", "event_type", "event_category", "management_event",
	"size_bytes", "file_id", "record",
}

// Column positions used by the loader.
const (
	colEventID   = 0
	colEventTime = 1
	colFileID    = 32
	colRecord    = 33
)

// errNotCloudTrail marks a JSON object that is not a CloudTrail record.
var errNotCloudTrail = errors.New("not a CloudTrail record")

// extractor turns one compact record into an events row. It is not safe for
// concurrent use; each decoding worker owns one.
type extractor struct {
	p fastjson.Parser
}

// row parses rec (compact JSON of one record) and returns its events row.
// rec is not retained. Records only need eventSource and eventName and a
// time; everything else may be missing, of another type, or new.
func (x *extractor) row(rec []byte) ([]driver.Value, error) {
	if !utf8.Valid(rec) {
		return nil, errors.New("record is not valid UTF-8")
	}
	if err := fastjson.ValidateBytes(rec); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	v, err := x.p.ParseBytes(rec)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if v.Type() != fastjson.TypeObject {
		return nil, fmt.Errorf("%w: a JSON %s, not an object", errNotCloudTrail, v.Type())
	}
	source, name := str(v, "eventSource"), str(v, "eventName")
	if source == nil || name == nil {
		return nil, fmt.Errorf("%w: it has no eventSource or eventName", errNotCloudTrail)
	}
	var when time.Time
	switch ts := str(v, "eventTime"); {
	case ts != nil:
		if when, err = parseTime(ts); err != nil {
			return nil, fmt.Errorf("eventTime %q is not a time", ts)
		}
	case str(v, "@timestamp") != nil: // SIEM exports that renamed eventTime
		if when, err = parseTime(str(v, "@timestamp")); err != nil {
			return nil, fmt.Errorf("@timestamp %q is not a time", str(v, "@timestamp"))
		}
	default:
		return nil, errors.New("record has no eventTime")
	}

	out := make([]driver.Value, len(Columns))
	if id := str(v, "eventID"); id != nil {
		out[colEventID] = string(id)
	} else {
		// eventID arrived with eventVersion 1.01; older records get a stable
		// ID from their content so re-ingesting them still deduplicates.
		sum := sha256.Sum256(rec)
		out[colEventID] = "synthetic-" + hex.EncodeToString(sum[:16])
	}
	out[colEventTime] = when
	out[2] = sval(v, "eventVersion")
	out[3] = string(source)
	out[4] = string(name)
	out[5] = sval(v, "awsRegion")
	out[6] = sval(v, "recipientAccountId")

	ui := v.Get("userIdentity")
	if ui != nil && ui.Type() == fastjson.TypeObject {
		out[7] = sval(ui, "type")
		out[8] = sval(ui, "principalId")
		out[9] = sval(ui, "arn")
		out[10] = sval(ui, "accountId")
		out[11] = sval(ui, "userName")
		out[12] = sval(ui, "sessionContext", "sessionIssuer", "type")
		out[13] = sval(ui, "sessionContext", "sessionIssuer", "arn")
		out[14] = sval(ui, "sessionContext", "sessionIssuer", "userName")
		role, session := assumedRole(str(ui, "arn"))
		if out[14] == nil && role != "" {
			out[14] = role
		}
		if session == "" && bytes.Equal(str(ui, "type"), []byte("AssumedRole")) {
			if pid := str(ui, "principalId"); pid != nil {
				if _, after, ok := bytes.Cut(pid, []byte(":")); ok && len(after) > 0 {
					session = string(after)
				}
			}
		}
		if session != "" {
			out[15] = session
		}
		out[16] = sval(ui, "sessionContext", "sourceIdentity")
		out[17] = boolish(ui.Get("sessionContext", "attributes", "mfaAuthenticated"))
		out[18] = sval(ui, "accessKeyId")
		out[19] = sval(ui, "invokedBy")
	}
	out[20] = sval(v, "userAgent")
	out[21] = sval(v, "sourceIPAddress")
	out[22] = sval(v, "requestID")
	out[23] = sval(v, "sharedEventID")
	out[24] = sval(v, "vpcEndpointId")
	out[25] = sval(v, "errorCode")
	out[26] = sval(v, "errorMessage")
	out[27] = boolish(v.Get("readOnly"))
	out[28] = sval(v, "eventType")
	out[29] = sval(v, "eventCategory")
	out[30] = boolish(v.Get("managementEvent"))
	out[31] = int32(len(rec))
	out[colRecord] = string(rec)
	return out, nil
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

// sval is str as a column value: a string, or nil for SQL NULL.
func sval(v *fastjson.Value, keys ...string) driver.Value {
	b := str(v, keys...)
	if b == nil {
		return nil
	}
	return string(b)
}

// boolish reads a boolean that CloudTrail writes either as a JSON boolean or
// as the string "true"/"false".
func boolish(v *fastjson.Value) driver.Value {
	if v == nil {
		return nil
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		return true
	case fastjson.TypeFalse:
		return false
	case fastjson.TypeString:
		switch strings.ToLower(string(v.GetStringBytes())) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return nil
}

// assumedRole splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func assumedRole(arn []byte) (role, session string) {
	const marker = ":assumed-role/"
	i := bytes.Index(arn, []byte(marker))
	if i < 0 || !bytes.HasPrefix(arn, []byte("arn:")) {
		return "", ""
	}
	rest := arn[i+len(marker):]
	r, s, ok := bytes.Cut(rest, []byte("/"))
	if !ok {
		return string(r), ""
	}
	return string(r), string(s)
}

// parseTime accepts CloudTrail's RFC 3339 times ("2023-07-10T11:42:18Z", with
// or without fractional seconds or an offset) and returns them in UTC.
func parseTime(b []byte) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
