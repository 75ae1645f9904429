package trail

import (
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Digest is a CloudTrail-Digest file: the log files a trail delivered in one
// hour for one account and region, with their hashes.
type Digest struct {
	AccountID        string
	Region           string
	Start, End       time.Time
	Oldest, Newest   time.Time
	S3Bucket         string
	S3Object         string
	PreviousS3Object string
	LogFiles         []DigestLogFile
}

// DigestLogFile is one log file a digest lists.
type DigestLogFile struct {
	S3Bucket, S3Object       string
	HashValue, HashAlgorithm string
	Oldest, Newest           time.Time
}

func isDigest(v *fastjson.Value) bool {
	return v.Get("digestStartTime") != nil && v.Get("digestEndTime") != nil
}

func parseDigest(v *fastjson.Value) (*Digest, error) {
	d := &Digest{
		AccountID:        string(v.GetStringBytes("awsAccountId")),
		S3Bucket:         string(v.GetStringBytes("digestS3Bucket")),
		S3Object:         string(v.GetStringBytes("digestS3Object")),
		PreviousS3Object: string(v.GetStringBytes("previousDigestS3Object")),
	}
	var err error
	if d.Start, err = parseTime(v.GetStringBytes("digestStartTime")); err != nil {
		return nil, bad("digest: digestStartTime is not a time")
	}
	if d.End, err = parseTime(v.GetStringBytes("digestEndTime")); err != nil {
		return nil, bad("digest: digestEndTime is not a time")
	}
	d.Oldest, _ = parseTime(v.GetStringBytes("oldestEventTime"))
	d.Newest, _ = parseTime(v.GetStringBytes("newestEventTime"))
	d.Region = regionFromKey(d.S3Object, "CloudTrail-Digest")
	for _, lf := range v.GetArray("logFiles") {
		f := DigestLogFile{
			S3Bucket:      string(lf.GetStringBytes("s3Bucket")),
			S3Object:      string(lf.GetStringBytes("s3Object")),
			HashValue:     string(lf.GetStringBytes("hashValue")),
			HashAlgorithm: string(lf.GetStringBytes("hashAlgorithm")),
		}
		f.Oldest, _ = parseTime(lf.GetStringBytes("oldestEventTime"))
		f.Newest, _ = parseTime(lf.GetStringBytes("newestEventTime"))
		d.LogFiles = append(d.LogFiles, f)
	}
	return d, nil
}

// regionFromKey reads the region from a key laid out as
// .../AWSLogs/[o-id/]ACCOUNT/<service>/REGION/YYYY/MM/DD/file.
func regionFromKey(key, service string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		if p == service && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}

// accountFromKey reads the account from .../AWSLogs/[o-id/]ACCOUNT/...
func accountFromKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		if p != "AWSLogs" {
			continue
		}
		for _, c := range parts[i+1:] {
			if accountID.MatchString(c) {
				return c
			}
		}
	}
	return ""
}
