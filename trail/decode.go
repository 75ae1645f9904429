package trail

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fastjson"
)

// Input formats, as recorded in the files table.
const (
	FormatRecords = "records"       // a delivery object: {"Records":[...]}
	FormatJSONL   = "jsonl"         // records one after another (JSON Lines, or a single record)
	FormatArray   = "array"         // a top-level JSON array of records
	FormatLookup  = "lookup-events" // `aws cloudtrail lookup-events` output
	FormatDigest  = "digest"        // a CloudTrail-Digest file
)

// maxRecordBytes bounds one record (CloudTrail's own limit is 256 KB) and any
// object footprint has to hold whole to classify it.
const maxRecordBytes = 64 << 20

// badInput is a reason to quarantine an input: something a person can act on.
type badInput struct {
	reason string
	record int64 // 0-based record index, or -1
}

func (e *badInput) Error() string { return e.reason }

func bad(format string, args ...any) *badInput {
	return &badInput{reason: fmt.Sprintf(format, args...), record: -1}
}

func badRecord(i int64, format string, args ...any) *badInput {
	return &badInput{reason: fmt.Sprintf("record %d: ", i) + fmt.Sprintf(format, args...), record: i}
}

// sink receives what a decoder finds. row must copy r: the decoder reuses it.
type sink interface {
	row(r *row) error
	digest(d *Digest) error
}

// decoder turns one input stream into rows. It streams: memory is bounded by
// the largest single record, never by the size of the file.
type decoder struct {
	x       extractor
	cur     row
	out     sink
	format  string
	gzip    bool
	records int64
	scratch []byte
	rec     []byte
}

// decode reads a whole input. Returns *badInput for content to quarantine,
// or another error when the sink failed (for example on cancellation).
func (d *decoder) decode(r io.Reader) error {
	br := newPeekReader(r)
	head, _ := br.peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		d.gzip = true
		zr, err := gzip.NewReader(br)
		if err != nil {
			return d.readProblem(err)
		}
		defer zr.Close()
		return d.stream(zr)
	}
	return d.stream(br)
}

func (d *decoder) stream(r io.Reader) error {
	s := newScanner(r)
	s.skipBOM()
	values := 0
	for {
		c, ok := s.peek()
		if !ok {
			break
		}
		if err := d.topValue(s, c, values); err != nil {
			return d.explain(s, err)
		}
		values++
	}
	if s.rerr != nil && s.rerr != io.EOF {
		return d.readProblem(s.rerr)
	}
	if values == 0 {
		if s.offset() == 0 {
			return bad("file is empty")
		}
		return bad("file holds only whitespace")
	}
	switch {
	case d.format == FormatDigest:
		return nil
	case d.format == "":
		return bad("file holds no CloudTrail records")
	case d.records == 0:
		return bad("file holds no CloudTrail records (an empty %s list)", map[string]string{
			FormatRecords: "Records", FormatLookup: "Events", FormatArray: "top-level"}[d.format])
	}
	return nil
}

// explain turns scanner and reader failures into quarantine reasons; errors
// from the sink (cancellation) pass through.
func (d *decoder) explain(s *scanner, err error) error {
	if s.rerr != nil && s.rerr != io.EOF {
		return d.readProblem(s.rerr)
	}
	var bi *badInput
	var se *syntaxError
	switch {
	case errors.As(err, &bi):
		return err
	case errors.As(err, &se):
		if d.format != "" {
			return badRecord(d.records, "%v", se)
		}
		return bad("%v", se)
	case errors.Is(err, errTooLarge):
		return badRecord(d.records, "larger than %d MB", maxRecordBytes>>20)
	case errors.Is(err, io.ErrUnexpectedEOF):
		if d.format == "" {
			return bad("file ends in the middle of a JSON value (truncated)")
		}
		return badRecord(d.records, "file ends in the middle of this record (truncated)")
	}
	return err
}

// readProblem explains a failure of the underlying reader.
func (d *decoder) readProblem(err error) *badInput {
	var ce flate.CorruptInputError
	var b *badInput
	switch {
	case d.gzip && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
		b = bad("gzip stream is truncated (the compressed data ends early)")
	case errors.Is(err, gzip.ErrChecksum):
		b = bad("gzip checksum mismatch: the file is corrupted")
	case errors.Is(err, gzip.ErrHeader):
		b = bad("not valid gzip data (bad header)")
	case errors.As(err, &ce):
		b = bad("gzip data is corrupt at byte %d of the compressed stream", int64(ce))
	default:
		b = bad("read error: %v", err)
	}
	if d.records > 0 {
		b.record = d.records
		b.reason += fmt.Sprintf(" after %d records", d.records)
	}
	return b
}

func (d *decoder) setFormat(f string) {
	if d.format == "" {
		d.format = f
	}
}

// topValue handles one top-level JSON value starting with byte c.
func (d *decoder) topValue(s *scanner, c byte, index int) error {
	switch c {
	case '{':
		return d.topObject(s)
	case '[':
		s.pos++
		d.setFormat(FormatArray)
		return d.eachElement(s, func() error { return d.captureRecord(s) })
	}
	if index == 0 {
		return bad("not JSON (starts with %q)", c)
	}
	return s.syntaxf("unexpected %q after a complete value", c)
}

// topObject handles a top-level object. The common shapes ({"Records":...}
// first, or {"Events":...}) stream; anything else is captured whole (it is a
// single record, a digest, or something to reject) and classified.
func (d *decoder) topObject(s *scanner) error {
	s.pos++ // '{'
	c, ok := s.peek()
	if !ok {
		return s.readErr()
	}
	if c == '}' {
		s.pos++
		return bad("JSON holds no CloudTrail records (an empty object)")
	}
	key, err := s.readKey(d.scratch[:0])
	if err != nil {
		return err
	}
	switch string(key) {
	case "Records":
		d.setFormat(FormatRecords)
		if err := d.streamArray(s, "Records", func() error { return d.captureRecord(s) }); err != nil {
			return err
		}
		return d.restOfObject(s)
	case "Events":
		d.setFormat(FormatLookup)
		if err := d.streamArray(s, "Events", func() error { return d.lookupEvent(s) }); err != nil {
			return err
		}
		return d.restOfObject(s)
	}
	// Capture the object whole: rebuild its start, then copy the rest.
	buf := append(d.rec[:0], '{', '"')
	buf = append(buf, key...)
	buf = append(buf, '"', ':')
	buf, err = s.capture(buf, maxRecordBytes, false)
	if err != nil {
		d.rec = buf
		return err
	}
	for {
		c, ok := s.peek()
		if !ok {
			d.rec = buf
			return s.readErr()
		}
		s.pos++
		if c == '}' {
			buf = append(buf, '}')
			break
		}
		if c != ',' {
			d.rec = buf
			return s.syntaxf("expected ',' or '}' in object, found %q", c)
		}
		buf = append(buf, ',')
		if buf, err = s.capture(buf, maxRecordBytes, false); err != nil { // key
			d.rec = buf
			return err
		}
		if err := s.expect(':'); err != nil {
			d.rec = buf
			return err
		}
		buf = append(buf, ':')
		if buf, err = s.capture(buf, maxRecordBytes, false); err != nil { // value
			d.rec = buf
			return err
		}
	}
	d.rec = buf
	return d.classifyObject(buf)
}

// classifyObject decides what a whole top-level object is.
func (d *decoder) classifyObject(obj []byte) error {
	if err := fastjson.ValidateBytes(obj); err != nil {
		return bad("invalid JSON: %v", err)
	}
	var p fastjson.Parser
	v, err := p.ParseBytes(obj)
	if err != nil {
		return bad("invalid JSON: %v", err)
	}
	switch {
	case v.Get("Records") != nil:
		d.setFormat(FormatRecords)
		recs := v.GetArray("Records")
		if recs == nil {
			return bad("Records is not an array")
		}
		for _, r := range recs {
			if err := d.record(r.MarshalTo(d.scratch[:0])); err != nil {
				return err
			}
		}
		return nil
	case v.Get("Events") != nil:
		d.setFormat(FormatLookup)
		evs := v.GetArray("Events")
		if evs == nil {
			return bad("Events is not an array")
		}
		for _, e := range evs {
			if err := d.lookupValue(e); err != nil {
				return err
			}
		}
		return nil
	case isDigest(v):
		d.setFormat(FormatDigest)
		dg, err := parseDigest(v)
		if err != nil {
			return err
		}
		return d.out.digest(dg)
	case looksLikeRecord(v):
		d.setFormat(FormatJSONL)
		return d.record(obj)
	}
	return bad("JSON holds no CloudTrail records (top-level keys: %s)", keyList(v))
}

func looksLikeRecord(v *fastjson.Value) bool {
	for _, k := range []string{"eventSource", "eventName", "eventID", "eventTime", "userIdentity"} {
		if v.Get(k) != nil {
			return true
		}
	}
	return false
}

func keyList(v *fastjson.Value) string {
	o, err := v.Object()
	if err != nil {
		return v.Type().String()
	}
	var keys []string
	o.Visit(func(k []byte, _ *fastjson.Value) { keys = append(keys, string(k)) })
	sort.Strings(keys)
	if len(keys) > 8 {
		keys = append(keys[:8], "...")
	}
	return strings.Join(keys, ", ")
}

// streamArray expects `[` and calls each for every element.
func (d *decoder) streamArray(s *scanner, name string, each func() error) error {
	c, ok := s.peek()
	if !ok {
		return s.readErr()
	}
	if c != '[' {
		return bad("%s is not an array", name)
	}
	s.pos++
	return d.eachElement(s, each)
}

// eachElement iterates the elements of an array whose '[' was consumed.
func (d *decoder) eachElement(s *scanner, each func() error) error {
	c, ok := s.peek()
	if !ok {
		return s.readErr()
	}
	if c == ']' {
		s.pos++
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		c, ok := s.peek()
		if !ok {
			return s.readErr()
		}
		s.pos++
		switch c {
		case ',':
			continue
		case ']':
			return nil
		}
		return s.syntaxf("expected ',' or ']' after array element, found %q", c)
	}
}

// restOfObject skips the remaining members of an object after a streamed
// array member.
func (d *decoder) restOfObject(s *scanner) error {
	for {
		c, ok := s.peek()
		if !ok {
			return s.readErr()
		}
		s.pos++
		switch c {
		case '}':
			return nil
		case ',':
			if _, err := s.readKey(d.scratch[:0]); err != nil {
				return err
			}
			if _, err := s.capture(nil, 0, true); err != nil {
				return err
			}
			continue
		}
		return s.syntaxf("expected ',' or '}' in object, found %q", c)
	}
}

func (d *decoder) captureRecord(s *scanner) error {
	c, ok := s.peek()
	if !ok {
		return s.readErr()
	}
	if c != '{' {
		if _, err := s.capture(nil, 0, true); err != nil {
			return err
		}
		return badRecord(d.records, "not a JSON object")
	}
	var err error
	d.rec, err = s.capture(d.rec[:0], maxRecordBytes, false)
	if err != nil {
		return err
	}
	return d.record(d.rec)
}

// record turns one compact record into a row for the sink.
func (d *decoder) record(rec []byte) error {
	if err := d.x.fill(&d.cur, rec); err != nil {
		return badRecord(d.records, "%v", err)
	}
	d.records++
	return d.out.row(&d.cur)
}

// lookupEvent handles one element of lookup-events output: the record is a
// JSON string in CloudTrailEvent.
func (d *decoder) lookupEvent(s *scanner) error {
	var err error
	d.scratch, err = s.capture(d.scratch[:0], maxRecordBytes, false)
	if err != nil {
		return err
	}
	if err := fastjson.ValidateBytes(d.scratch); err != nil {
		return badRecord(d.records, "invalid JSON: %v", err)
	}
	var p fastjson.Parser
	v, err := p.ParseBytes(d.scratch)
	if err != nil {
		return badRecord(d.records, "invalid JSON: %v", err)
	}
	return d.lookupValue(v)
}

func (d *decoder) lookupValue(v *fastjson.Value) error {
	inner := v.Get("CloudTrailEvent")
	if inner == nil || inner.Type() != fastjson.TypeString {
		return badRecord(d.records, "lookup-events item has no CloudTrailEvent string")
	}
	raw := inner.GetStringBytes()
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return badRecord(d.records, "CloudTrailEvent is not valid JSON: %v", err)
	}
	return d.record(buf.Bytes())
}

// peekReader is a reader that can look at its first bytes.
type peekReader struct {
	r    io.Reader
	head []byte
}

func newPeekReader(r io.Reader) *peekReader { return &peekReader{r: r} }

func (p *peekReader) peek(n int) ([]byte, error) {
	for len(p.head) < n {
		buf := make([]byte, n-len(p.head))
		m, err := p.r.Read(buf)
		p.head = append(p.head, buf[:m]...)
		if err != nil {
			return p.head, err
		}
	}
	return p.head[:n], nil
}

func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}
