package analysis

import (
	"flag"
	"os"
	"testing"

	"github.com/footprint-dev/footprint/analysis/analysistest"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMain(m *testing.M) {
	code := m.Run()
	analysistest.Cleanup()
	os.Exit(code)
}
