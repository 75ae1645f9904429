package awssim

import (
	"github.com/aws/smithy-go/document"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpOpts compare SDK output types: unexported noSmithyDocumentSerde fields
// are ignored.
var cmpOpts = []cmp.Option{
	cmpopts.IgnoreUnexported(),
	cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && sf.Name() == "noSmithyDocumentSerde"
	}, cmp.Ignore()),
}

var _ document.NoSerde
