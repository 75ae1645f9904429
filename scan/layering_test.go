package scan

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayering holds the scanner to the house layering: scan never imports
// trail, analysis or cmd; the catalogue and the standards are data and
// import no AWS SDK; outside discovery and the collectors nothing touches
// an SDK service client.
func TestLayering(t *testing.T) {
	t.Parallel()
	const mod = "github.com/footprint-dev/footprint/"
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, banned := range []string{mod + "trail", mod + "analysis", mod + "cmd"} {
				if p == banned || strings.HasPrefix(p, banned+"/") {
					t.Errorf("%s imports %s", path, p)
				}
			}
			sdk := strings.HasPrefix(p, "github.com/aws/")
			if sdk && (dir == "catalog" || dir == "standards") {
				t.Errorf("%s (data) imports %s", path, p)
			}
			service := strings.HasPrefix(p, "github.com/aws/aws-sdk-go-v2/service/")
			if service && dir == "." && path != "target.go" {
				t.Errorf("%s imports the SDK client %s: only discovery (target.go) and scan/collect may", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
