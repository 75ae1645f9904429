package awssim

import (
	"encoding/base64"
	"strconv"
	"strings"
)

const tokenPrefix = "awssim-page:"

func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(offset)))
}

// paginate returns one page of items starting at token. max is the page size
// the client asked for (0: def); the simulator's PageSize caps it. next is
// "" on the last page.
func paginate[T any](c *Call, items []T, token string, max, def int) (pageItems []T, next string, err *Error) {
	start := 0
	if token != "" {
		b, derr := base64.RawURLEncoding.DecodeString(token)
		n, aerr := strconv.Atoi(strings.TrimPrefix(string(b), tokenPrefix))
		if derr != nil || aerr != nil || !strings.HasPrefix(string(b), tokenPrefix) || n < 0 || n > len(items) {
			return nil, "", c.err(errValidation, "Invalid pagination token %q", token)
		}
		start = n
	}
	size := def
	if max > 0 {
		size = max
	}
	if ps := c.sim.pageSize; ps > 0 && (size <= 0 || ps < size) {
		size = ps
	}
	if size <= 0 {
		size = len(items)
	}
	end := start + size
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], pageToken(end), nil
}
