package trail

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// ErrNoSuchPath means an argument named a path that does not exist.
var ErrNoSuchPath = errors.New("no such file or directory")

// inputKind says what the path alone tells about an input.
type inputKind int

const (
	kindLog    inputKind = iota // named or placed like a log: bad content is quarantined
	kindMaybe                   // unknown name: content that is not CloudTrail is skipped
	kindDigest                  // a CloudTrail-Digest file
	kindSkip                    // not a log; skipReason says why
)

// input is one file, or one member of a zip archive, to ingest.
type input struct {
	path       string // absolute; zip members as /abs/archive.zip!member
	size       int64  // bytes as stored
	kind       inputKind
	skipReason string
	problem    *badInput // found while listing (an unreadable archive)
	open       func() (io.ReadCloser, error)
}

// Skip reasons, also the keys of IngestSummary.SkippedReasons.
const (
	skipNotLog      = "not a log file"
	skipOtherAWSLog = "another AWS service's object in the trail bucket"
	skipHidden      = "hidden file"
	skipNotTrail    = "not CloudTrail (decided by content)"
)

// discover lists the inputs under paths in a stable order: arguments in the
// order given, directories walked lexically, zip members by name. Archives
// stay open until the returned closer runs.
func discover(paths []string) ([]input, func(), error) {
	var out []input
	var archives []*zip.ReadCloser
	closeAll := func() {
		for _, a := range archives {
			a.Close()
		}
	}
	seen := map[string]bool{}
	add := func(abs string, info fs.FileInfo) {
		if seen[abs] {
			return
		}
		seen[abs] = true
		if strings.EqualFold(filepath.Ext(abs), ".zip") {
			members, zr, err := zipInputs(abs)
			if err != nil {
				out = append(out, input{path: abs, size: info.Size(), kind: kindLog,
					problem: bad("zip archive cannot be read: %v", err)})
				return
			}
			archives = append(archives, zr)
			out = append(out, members...)
			return
		}
		in := input{path: abs, size: info.Size(), open: func() (io.ReadCloser, error) { return os.Open(abs) }}
		in.kind, in.skipReason = classify(abs)
		out = append(out, in)
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		info, err := os.Stat(abs)
		if err != nil {
			closeAll()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil, fmt.Errorf("%s: %w", p, ErrNoSuchPath)
			}
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		if !info.IsDir() {
			add(abs, info)
			continue
		}
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				// An unreadable directory or file is reported, not fatal.
				out = append(out, input{path: path, kind: kindLog, problem: bad("cannot read: %v", err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// follow links to files (not to directories: no cycles)
				if target, err := os.Stat(path); err == nil && target.Mode().IsRegular() {
					add(path, target)
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				out = append(out, input{path: path, kind: kindLog, problem: bad("cannot read: %v", err)})
				return nil
			}
			add(path, info)
			return nil
		})
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("walk %s: %w", p, err)
		}
	}
	return out, closeAll, nil
}

func zipInputs(path string) ([]input, *zip.ReadCloser, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var out []input
	for _, f := range files {
		if f.FileInfo().IsDir() {
			continue
		}
		f := f
		in := input{
			path: path + "!" + f.Name,
			size: int64(f.UncompressedSize64),
			open: func() (io.ReadCloser, error) { return f.Open() },
		}
		in.kind, in.skipReason = classify(f.Name)
		if strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			in.kind, in.problem = kindLog, bad("zip archive inside a zip archive: extract the outer archive first")
		}
		out = append(out, in)
	}
	return out, zr, nil
}

var (
	logExt   = regexp.MustCompile(`(?i)\.(json|jsonl|ndjson|gz)$`)
	textName = regexp.MustCompile(`(?i)^(readme|license|licence|notice|copying|authors|changelog|contributing)([._-].*)?$`)
	textExt  = regexp.MustCompile(`(?i)\.(md|txt|rst|html?|csv|tsv|ya?ml|toml|xml|py|go|js|ts|sh|pdf|png|jpe?g|gif|svg|sig|sha256|md5)$`)
)

// classify decides from a path alone what an input probably is. Trail
// buckets put other services' objects (Config/, vpcflowlogs/ ...) beside
// CloudTrail/ under AWSLogs/<account>/; those are skipped by their layout.
func classify(path string) (inputKind, string) {
	slashed := filepath.ToSlash(path)
	base := slashed[strings.LastIndex(slashed, "/")+1:]
	if strings.HasPrefix(base, ".") {
		return kindSkip, skipHidden
	}
	if strings.Contains(base, "_CloudTrail-Digest_") {
		return kindDigest, ""
	}
	if svc := awsLogsService(slashed); svc != "" {
		switch svc {
		case "CloudTrail", "CloudTrail-Insight":
			return kindLog, ""
		case "CloudTrail-Digest":
			return kindDigest, ""
		default:
			return kindSkip, skipOtherAWSLog
		}
	}
	if base == "ConfigWritabilityCheckFile" {
		return kindSkip, skipOtherAWSLog
	}
	if logExt.MatchString(base) {
		return kindLog, ""
	}
	if textName.MatchString(base) || textExt.MatchString(base) {
		return kindSkip, skipNotLog
	}
	return kindMaybe, ""
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// awsLogsService finds <service> in .../AWSLogs/[o-xxxx/]ACCOUNT/<service>/...
func awsLogsService(slashed string) string {
	parts := strings.Split(slashed, "/")
	for i := 0; i < len(parts); i++ {
		if parts[i] != "AWSLogs" {
			continue
		}
		j := i + 1
		if j < len(parts) && strings.HasPrefix(parts[j], "o-") {
			j++
		}
		if j+1 < len(parts)-1 && accountID.MatchString(parts[j]) {
			return parts[j+1]
		}
	}
	return ""
}
