package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/footprint-dev/footprint/internal/awsx"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSimServe runs `footprint sim serve` through Main on loopback, points
// real SDK clients at it with the env file, and stops it as SIGTERM does
// (main cancels the context): the trail is delivered and the exit code is 0.
func TestSimServe(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "sim.env")
	trailDir := filepath.Join(dir, "trail")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"sim", "serve", "--addr", "127.0.0.1:0", "--env-file", envFile, "--trail-dir", trailDir,
			"--page-size", "2", "--fault", "operation=iam:ListUsers,throttle=1"}, strings.NewReader(""), &stdout, &stderr)
	}()
	env := map[string]string{}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(envFile)
		if err == nil {
			for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				k, v, _ := strings.Cut(line, "=")
				env[k] = v
			}
			break
		}
		select {
		case code := <-done:
			t.Fatalf("sim serve exited %d before listening: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no env file after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if env[k] == "" {
			t.Errorf("env file lacks %s: %v", k, env)
		}
	}
	if env["AWS_EC2_METADATA_DISABLED"] != "true" {
		t.Errorf("AWS_EC2_METADATA_DISABLED = %q", env["AWS_EC2_METADATA_DISABLED"])
	}
	if b, err := os.ReadFile(env["AWS_CONFIG_FILE"]); err != nil || len(b) != 0 {
		t.Errorf("AWS_CONFIG_FILE is not an empty file: %v", err)
	}
	addr, ok := awsx.LoopbackEndpoint(env["AWS_ENDPOINT_URL"])
	if !ok {
		t.Fatalf("endpoint %q is not loopback", env["AWS_ENDPOINT_URL"])
	}
	cfg := aws.Config{
		Region:       env["AWS_REGION"],
		Credentials:  credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], ""),
		BaseEndpoint: aws.String(env["AWS_ENDPOINT_URL"]),
		HTTPClient:   awsx.LoopbackHTTPClient(addr),
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:iam::111111111111:user/sim-operator" {
		t.Errorf("caller = %s", aws.ToString(who.Arn))
	}
	audit := awsx.AssumeRole(cfg, awsx.AssumeRoleOptions{RoleARN: "arn:aws:iam::222222222222:role/FootprintAudit", SessionName: "footprint-scanner"})
	_, err = s3control.NewFromConfig(audit).GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String("222222222222")})
	if awsx.Classify(err) != awsx.ErrNotFound {
		t.Errorf("production has no account public access block: err = %v", err)
	}

	cancel() // what SIGTERM does through main's signal context
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("exit code %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sim serve did not stop")
	}
	var files []string
	_ = filepath.WalkDir(trailDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json.gz") {
			files = append(files, p)
		}
		return nil
	})
	// management (GetCallerIdentity, AssumeRole) and production (the AssumeRole copy, S3 Control)
	if len(files) != 2 {
		t.Errorf("delivered %v", files)
	}
	log := stderr.String()
	if !strings.Contains(log, "sts:GetCallerIdentity 200") || !strings.Contains(log, "s3control:GetPublicAccessBlock 404 NoSuchPublicAccessBlockConfiguration") {
		t.Errorf("request log:\n%s", log)
	}
	if stdout.String() != "" {
		t.Errorf("stdout = %q, want nothing with --env-file", stdout.String())
	}
}

func TestSimServeUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"sim", "serve", "--fault", "operation=nope"}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitUsage || !strings.Contains(stderr.String(), "fault") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("regions: {enabled: [us-east-1]}\naccounts: [{id: \"12\"}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code = Main(context.Background(), []string{"sim", "serve", "--fixture", bad}, strings.NewReader(""), &stdout, &stderr)
	if code != ExitUsage || !strings.Contains(stderr.String(), `accounts[0].id: "12" is not a 12-digit account ID`) {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
}
