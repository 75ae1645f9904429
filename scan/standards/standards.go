// Package standards holds the compliance standards as data: one YAML file per
// standard (cis-1.2.0.yaml, fsbp.yaml, pci-3.2.1.yaml) mapping each of its
// requirement IDs onto Security Hub control IDs, with titles, sections,
// levels and severities. The files are embedded; package catalog joins them
// with the controls and operations and is how everything else reads them.
package standards

import "embed"

//go:embed *.yaml
var files embed.FS

// FS returns the embedded standard files, one <standard-id>.yaml each.
func FS() embed.FS { return files }
