package trail

import (
	"errors"
	"fmt"
	"io"
)

// scanner is a minimal streaming JSON tokenizer. It finds the boundaries of
// values without building them, so a Records array of any size streams
// through a fixed buffer; each record it captures is copied out compacted
// (whitespace outside strings removed) and validated later by a real parser.
type scanner struct {
	r    io.Reader
	buf  []byte
	pos  int
	end  int
	off  int64 // input offset of buf[0]
	rerr error // sticky read error; io.EOF at end of input
}

const scanBufSize = 256 << 10

func newScanner(r io.Reader) *scanner {
	return &scanner{r: r, buf: make([]byte, scanBufSize)}
}

// offset is the input position of the next unread byte.
func (s *scanner) offset() int64 { return s.off + int64(s.pos) }

// fill reads more input, keeping unread bytes. It reports whether any new
// bytes arrived.
func (s *scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.end = n
		s.pos = 0
	}
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	return true
}

// readErr is the error to report when input ended early: the underlying
// read error, or io.ErrUnexpectedEOF when the input simply stopped.
func (s *scanner) readErr() error {
	if s.rerr == nil || s.rerr == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return s.rerr
}

var isSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// peek skips whitespace and returns the next byte without consuming it;
// ok is false at the end of input.
func (s *scanner) peek() (c byte, ok bool) {
	for {
		for s.pos < s.end {
			c = s.buf[s.pos]
			if !isSpace[c] {
				return c, true
			}
			s.pos++
		}
		if !s.fill() {
			return 0, false
		}
	}
}

// skipBOM drops a UTF-8 byte order mark at the very start of input.
func (s *scanner) skipBOM() {
	for s.end-s.pos < 3 && s.fill() {
	}
	if s.end-s.pos >= 3 && s.buf[s.pos] == 0xEF && s.buf[s.pos+1] == 0xBB && s.buf[s.pos+2] == 0xBF {
		s.pos += 3
	}
}

// expect consumes the next non-space byte, which must be c.
func (s *scanner) expect(c byte) error {
	got, ok := s.peek()
	if !ok {
		return s.readErr()
	}
	if got != c {
		return s.syntaxf("expected %q, found %q", c, got)
	}
	s.pos++
	return nil
}

// syntaxError is malformed JSON at an input offset.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.off, e.msg) }

func (s *scanner) syntaxf(format string, args ...any) error {
	return &syntaxError{off: s.offset(), msg: fmt.Sprintf(format, args...)}
}

// errTooLarge means one value exceeded the capture limit.
var errTooLarge = errors.New("value too large")

// byte classes for capture outside strings
const (
	clsPlain = iota
	clsSpace
	clsQuote
	clsOpen
	clsClose
)

var class = func() (t [256]uint8) {
	t[' '], t['\t'], t['\n'], t['\r'] = clsSpace, clsSpace, clsSpace, clsSpace
	t['"'] = clsQuote
	t['{'], t['['] = clsOpen, clsOpen
	t['}'], t[']'] = clsClose, clsClose
	return
}()

// stringStop marks the bytes that end a fast run inside a string: the quote,
// the backslash, and control characters, which JSON forbids unescaped.
var stringStop = func() (t [256]bool) {
	t['"'], t['\\'] = true, true
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	return
}()

// capture appends the next JSON value, compacted, to dst. Nesting is tracked
// by bracket depth only; the caller parses the result to validate it. A
// value longer than limit bytes fails with errTooLarge. When discard is set,
// nothing is appended (used to skip values).
func (s *scanner) capture(dst []byte, limit int, discard bool) ([]byte, error) {
	if _, ok := s.peek(); !ok {
		return dst, s.readErr()
	}
	start := len(dst)
	depth := 0
	inString := false
	literal := false // a top-level number, true, false or null
	for {
		if s.pos >= s.end {
			if !s.fill() {
				if literal && (s.rerr == io.EOF) {
					return dst, nil
				}
				return dst, s.readErr()
			}
		}
		if !discard && len(dst)-start > limit {
			return dst, errTooLarge
		}
		if inString {
			j := s.pos
			buf := s.buf[:s.end]
			for j < len(buf) && !stringStop[buf[j]] {
				j++
			}
			if !discard {
				dst = append(dst, buf[s.pos:j]...)
			}
			s.pos = j
			if j == len(buf) {
				continue
			}
			if buf[j] < 0x20 {
				return dst, s.syntaxf("control character %#02x inside a string", buf[j])
			}
			if buf[j] == '\\' {
				// copy the backslash and the escaped byte together
				if j+1 >= len(buf) {
					if !s.fill() {
						return dst, s.readErr()
					}
					continue
				}
				if !discard {
					dst = append(dst, '\\', buf[j+1])
				}
				s.pos = j + 2
				continue
			}
			// closing quote
			if !discard {
				dst = append(dst, '"')
			}
			s.pos++
			inString = false
			if depth == 0 {
				return dst, nil
			}
			continue
		}
		buf := s.buf[:s.end]
	plain:
		for s.pos < len(buf) {
			c := buf[s.pos]
			switch class[c] {
			case clsPlain:
				if literal && (c == ',' || c == ':') {
					return dst, nil
				}
				if depth == 0 && !literal {
					literal = true
				}
				// copy a run of plain bytes at once
				j := s.pos + 1
				for j < len(buf) && class[buf[j]] == clsPlain && !(literal && depth == 0 && (buf[j] == ',' || buf[j] == ':')) {
					j++
				}
				if !discard {
					dst = append(dst, buf[s.pos:j]...)
				}
				s.pos = j
				continue
			case clsSpace:
				if literal && depth == 0 {
					return dst, nil
				}
				s.pos++
				continue
			case clsQuote:
				if literal && depth == 0 {
					return dst, nil
				}
				inString = true
				if !discard {
					dst = append(dst, '"')
				}
				s.pos++
				break plain
			case clsOpen:
				if literal && depth == 0 {
					return dst, nil
				}
				depth++
				if !discard {
					dst = append(dst, c)
				}
				s.pos++
				continue
			case clsClose:
				if depth == 0 {
					if literal {
						return dst, nil
					}
					return dst, s.syntaxf("unexpected %q", c)
				}
				depth--
				if !discard {
					dst = append(dst, c)
				}
				s.pos++
				if depth == 0 {
					return dst, nil
				}
				continue
			}
		}
	}
}

// readKey reads an object key (a JSON string) and the colon after it. Keys
// are returned raw (escapes are not decoded); CloudTrail's keys have none.
func (s *scanner) readKey(scratch []byte) ([]byte, error) {
	c, ok := s.peek()
	if !ok {
		return nil, s.readErr()
	}
	if c != '"' {
		return nil, s.syntaxf("expected an object key, found %q", c)
	}
	key, err := s.capture(scratch[:0], 64<<10, false)
	if err != nil {
		return nil, err
	}
	if err := s.expect(':'); err != nil {
		return nil, err
	}
	return key[1 : len(key)-1], nil
}
