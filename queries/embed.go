// Package queries holds every SQL statement footprint runs, embedded in the
// binary: the schema migrations, the forensic queries over CloudTrail and, in
// later packages, the controls and analysis queries. One statement per file.
package queries

import (
	"embed"
	"io/fs"
)

//go:embed schema/*.sql trail/*.sql controls/*.sql controls/shared/*.sql
var files embed.FS

// Schema returns the migrations directory (files named NNNN_name.sql).
func Schema() fs.FS {
	sub, err := fs.Sub(files, "schema")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}

// Trail returns the forensic query directory.
func Trail() fs.FS {
	sub, err := fs.Sub(files, "trail")
	if err != nil {
		panic(err)
	}
	return sub
}

// Controls returns the scanner's control directory: one <control ID>.sql per
// Security Hub control, its metadata in the leading comment block, and
// shared/<name>.sql statements that several controls run (`-- body: name`).
func Controls() fs.FS {
	sub, err := fs.Sub(files, "controls")
	if err != nil {
		panic(err)
	}
	return sub
}
