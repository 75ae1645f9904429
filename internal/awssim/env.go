package awssim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvOptions configure Env.
type EnvOptions struct {
	// Endpoint is the simulator's URL ("http://127.0.0.1:4566").
	Endpoint string
	// Region is AWS_REGION; empty means the fixture's first enabled region.
	Region string
	// ConfigDir receives the empty AWS config and credentials files the
	// variables point at, so no profile on the machine leaks in.
	ConfigDir string
}

// Env returns the KEY=VALUE lines that point any AWS SDK or CLI at the
// simulator as the fixture's caller, creating the empty config files.
func (s *Sim) Env(opts EnvOptions) ([]string, error) {
	creds, err := s.CallerCredentials()
	if err != nil {
		return nil, err
	}
	region := opts.Region
	if region == "" {
		region = s.fx.Regions.Enabled[0]
	}
	cfgFile := filepath.Join(opts.ConfigDir, "aws-config")
	credFile := filepath.Join(opts.ConfigDir, "aws-credentials")
	for _, p := range []string{cfgFile, credFile} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			return nil, fmt.Errorf("write empty AWS config file: %w", err)
		}
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	return []string{
		"AWS_ENDPOINT_URL=" + opts.Endpoint,
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_REGION=" + region,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + abs(cfgFile),
		"AWS_SHARED_CREDENTIALS_FILE=" + abs(credFile),
	}, nil
}

// WriteEnvFile writes the lines to path atomically, so a process waiting for
// the file never reads half of it.
func WriteEnvFile(path string, lines []string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	return nil
}
