package awssim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Output trees. Handlers return these protocol-neutral values; each
// protocol's encoder serialises them. Member names are the service's wire
// names (EC2's lowerCamel locationNames, KMS's PascalCase, ...). A nil value
// is omitted.

// Struct is a structure: members in wire order.
type Struct []Field

// Field is one member of a Struct or Map.
type Field struct {
	Name  string
	Value any
}

// F builds a Field.
func F(name string, v any) Field { return Field{name, v} }

// List is a wrapped list whose items carry the protocol's default element
// name: <member> for awsQuery, <item> for ec2Query.
type List []any

// Items is a wrapped list whose items have their own element name, as S3
// writes them (<Buckets><Bucket>...</Bucket></Buckets>).
type Items struct {
	Name  string
	Items []any
}

// Flat is a flattened list: every item is written under the member's own
// name (S3's repeated <Contents>).
type Flat []any

// Map is a string-keyed map (awsQuery writes <entry><key/><value/></entry>).
type Map []Field

// Attrs is a Struct with XML attributes on its element (S3's Grantee
// xsi:type). Other protocols ignore the attributes.
type Attrs struct {
	Attrs []Field
	Value Struct
}

// Raw is an S3 payload written as it is (GetBucketPolicy's JSON, GetObject).
type Raw struct {
	ContentType string
	Body        []byte
	Header      map[string]string
}

// Payload is an S3/S3 Control XML payload with its root element.
type Payload struct {
	Name  string
	Value Struct
}

// omit reports whether v should not be written.
func omit(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *string:
		return x == nil
	case *int:
		return x == nil
	case *bool:
		return x == nil
	case *time.Time:
		return x == nil
	case Struct:
		return x == nil
	}
	return false
}

// deref unwraps the pointer kinds omit knows.
func deref(v any) any {
	switch x := v.(type) {
	case *string:
		return *x
	case *int:
		return *x
	case *bool:
		return *x
	case *time.Time:
		return *x
	}
	return v
}

// ---- XML ----

type xmlWriter struct {
	b      bytes.Buffer
	member string // default list element name
}

func (w *xmlWriter) text(s string) {
	for _, r := range s {
		switch r {
		case '<':
			w.b.WriteString("&lt;")
		case '>':
			w.b.WriteString("&gt;")
		case '&':
			w.b.WriteString("&amp;")
		case '"':
			w.b.WriteString("&quot;")
		case '\'':
			w.b.WriteString("&apos;")
		case '\r':
			w.b.WriteString("&#xD;")
		default:
			w.b.WriteRune(r)
		}
	}
}

func (w *xmlWriter) open(name string) { w.b.WriteByte('<'); w.b.WriteString(name); w.b.WriteByte('>') }
func (w *xmlWriter) close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

func (w *xmlWriter) fields(fs []Field) {
	for _, f := range fs {
		if omit(f.Value) {
			continue
		}
		w.value(f.Name, deref(f.Value))
	}
}

func (w *xmlWriter) value(name string, v any) {
	switch x := v.(type) {
	case Struct:
		w.open(name)
		w.fields(x)
		w.close(name)
	case Attrs:
		w.b.WriteByte('<')
		w.b.WriteString(name)
		for _, a := range x.Attrs {
			w.b.WriteByte(' ')
			w.b.WriteString(a.Name)
			w.b.WriteString(`="`)
			w.text(fmt.Sprint(a.Value))
			w.b.WriteByte('"')
		}
		w.b.WriteByte('>')
		w.fields(x.Value)
		w.close(name)
	case List:
		w.open(name)
		for _, it := range x {
			w.value(w.member, it)
		}
		w.close(name)
	case Items:
		w.open(name)
		for _, it := range x.Items {
			w.value(x.Name, it)
		}
		w.close(name)
	case Flat:
		for _, it := range x {
			w.value(name, it)
		}
	case Map:
		w.open(name)
		for _, e := range x {
			w.open("entry")
			w.value("key", e.Name)
			w.value("value", e.Value)
			w.close("entry")
		}
		w.close(name)
	default:
		w.open(name)
		w.text(scalarText(x))
		w.close(name)
	}
}

// scalarText renders a scalar as XML text (ISO 8601 times, base64 blobs).
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05Z")
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	return fmt.Sprint(v)
}

// ---- JSON ----

// encodeJSON writes v as JSON with members in order; times as epoch seconds.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch x := deref(v).(type) {
	case nil:
		b.WriteString("null")
	case Struct:
		writeJSONObject(b, x)
	case Map:
		writeJSONObject(b, x)
	case Attrs:
		writeJSONObject(b, x.Value)
	case Payload:
		writeJSONObject(b, x.Value)
	case List:
		writeJSONArray(b, x)
	case Flat:
		writeJSONArray(b, x)
	case Items:
		writeJSONArray(b, x.Items)
	case time.Time:
		sec := float64(x.UnixMilli()) / 1000
		b.WriteString(strconv.FormatFloat(sec, 'f', -1, 64))
	case []byte:
		writeJSON(b, base64.StdEncoding.EncodeToString(x))
	case json.RawMessage:
		b.Write(x)
	default:
		out, err := json.Marshal(x)
		if err != nil {
			out = []byte("null")
		}
		b.Write(out)
	}
}

func writeJSONObject(b *bytes.Buffer, fs []Field) {
	b.WriteByte('{')
	first := true
	for _, f := range fs {
		if omit(f.Value) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeJSON(b, f.Name)
		b.WriteByte(':')
		writeJSON(b, f.Value)
	}
	b.WriteByte('}')
}

func writeJSONArray(b *bytes.Buffer, items []any) {
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(b, it)
	}
	b.WriteByte(']')
}

// ---- CBOR ----

// toCBOR converts an output tree to a CBOR value; times become tag 1.
func toCBOR(v any) cbor.Value {
	switch x := deref(v).(type) {
	case nil:
		return &cbor.Nil{}
	case Struct:
		return cborMap(x)
	case Map:
		return cborMap(x)
	case Attrs:
		return cborMap(x.Value)
	case Payload:
		return cborMap(x.Value)
	case List:
		return cborList(x)
	case Flat:
		return cborList(x)
	case Items:
		return cborList(x.Items)
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case int:
		return cborInt(int64(x))
	case int64:
		return cborInt(x)
	case float64:
		return cbor.Float64(x)
	case time.Time:
		ms := x.UnixMilli()
		if ms%1000 == 0 {
			return &cbor.Tag{ID: 1, Value: cborInt(ms / 1000)}
		}
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(ms) / 1000)}
	case []byte:
		return cbor.Slice(x)
	}
	return cbor.String(fmt.Sprint(v))
}

func cborInt(i int64) cbor.Value {
	if i < 0 {
		return cbor.NegInt(uint64(-(i + 1)))
	}
	return cbor.Uint(uint64(i))
}

func cborMap(fs []Field) cbor.Map {
	m := cbor.Map{}
	for _, f := range fs {
		if omit(f.Value) {
			continue
		}
		m[f.Name] = toCBOR(f.Value)
	}
	return m
}

func cborList(items []any) cbor.List {
	l := make(cbor.List, 0, len(items))
	for _, it := range items {
		l = append(l, toCBOR(it))
	}
	return l
}

// fromCBOR converts a decoded CBOR value to the Input tree's Go values.
func fromCBOR(v cbor.Value) any {
	switch x := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = fromCBOR(e)
		}
		return m
	case cbor.List:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = fromCBOR(e)
		}
		return l
	case cbor.String:
		return string(x)
	case cbor.Uint:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case cbor.NegInt:
		return -1 - int64(x)
	case cbor.Bool:
		return bool(x)
	case cbor.Float32:
		return float64(x)
	case cbor.Float64:
		return float64(x)
	case cbor.Slice:
		return []byte(x)
	case *cbor.Tag:
		if x.ID == 1 {
			if t, err := cbor.AsTime(x); err == nil {
				return t
			}
		}
		return fromCBOR(x.Value)
	}
	return nil
}

// ---- Input ----

// Input is a decoded request: the members the client sent, by wire name.
// Query forms are unflattened (Filter.1.Value.1 -> Filter[0].Value[0]), JSON
// and CBOR bodies are decoded, REST requests carry their path, query and
// header parameters.
type Input map[string]any

// Str returns a string member or "".
func (in Input) Str(k string) string {
	switch x := in[k].(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(in[k])
}

// Has reports whether the member was sent.
func (in Input) Has(k string) bool { _, ok := in[k]; return ok }

// Int returns an integer member and whether it was sent and valid.
func (in Input) Int(k string) (int, bool) {
	switch x := in[k].(type) {
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil
	case string:
		i, err := strconv.Atoi(x)
		return i, err == nil
	}
	return 0, false
}

// Bool returns a boolean member and whether it was sent.
func (in Input) Bool(k string) (bool, bool) {
	switch x := in[k].(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}

// Time returns a timestamp member (epoch seconds, CBOR tag 1 or ISO 8601).
func (in Input) Time(k string) (time.Time, bool) {
	switch x := in[k].(type) {
	case time.Time:
		return x, true
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(int64(f * 1000)).UTC(), true
	case float64:
		return time.UnixMilli(int64(x * 1000)).UTC(), true
	case int64:
		return time.Unix(x, 0).UTC(), true
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		return t, err == nil
	}
	return time.Time{}, false
}

// Strs returns a list of strings.
func (in Input) Strs(k string) []string {
	l, _ := in[k].([]any)
	out := make([]string, 0, len(l))
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Objs returns a list of structures.
func (in Input) Objs(k string) []Input {
	l, _ := in[k].([]any)
	out := make([]Input, 0, len(l))
	for _, v := range l {
		if m, ok := v.(map[string]any); ok {
			out = append(out, Input(m))
		}
	}
	return out
}

// Obj returns a nested structure (nil when absent).
func (in Input) Obj(k string) Input {
	m, _ := in[k].(map[string]any)
	return Input(m)
}

// queryInput unflattens an awsQuery/ec2Query form into an Input tree.
func queryInput(form map[string][]string) Input {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	root := map[string]any{}
	for _, k := range keys {
		if k == "Action" || k == "Version" {
			continue
		}
		setPath(root, splitDots(k), form[k][0])
	}
	return Input(root)
}

func splitDots(k string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(k); i++ {
		if k[i] == '.' {
			parts = append(parts, k[start:i])
			start = i + 1
		}
	}
	return append(parts, k[start:])
}

func isIndex(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

func setPath(node map[string]any, parts []string, val string) {
	name := parts[0]
	rest := parts[1:]
	if len(rest) == 0 {
		node[name] = val
		return
	}
	if len(rest) >= 2 && (rest[0] == "member" || rest[0] == "item") {
		if _, ok := isIndex(rest[1]); ok {
			rest = rest[1:]
		}
	}
	if idx, ok := isIndex(rest[0]); ok {
		l, _ := node[name].([]any)
		for len(l) < idx {
			l = append(l, nil)
		}
		if len(rest) == 1 {
			l[idx-1] = val
		} else {
			m, _ := l[idx-1].(map[string]any)
			if m == nil {
				m = map[string]any{}
				l[idx-1] = m
			}
			setPath(m, rest[1:], val)
		}
		node[name] = l
		return
	}
	m, _ := node[name].(map[string]any)
	if m == nil {
		m = map[string]any{}
		node[name] = m
	}
	setPath(m, rest, val)
}
