package cmd

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes. They are part of footprint's contract: scripts branch on them.
const (
	ExitOK          = 0   // success
	ExitError       = 1   // runtime error
	ExitUsage       = 2   // bad flags or arguments
	ExitPolicy      = 3   // a policy verdict failed: findings at or above --fail-on, a verification that did not hold
	ExitCredentials = 4   // missing or invalid AWS credentials
	ExitPartial     = 5   // partial input: some inputs were quarantined
	ExitInterrupted = 130 // interrupted by a signal
)

// exitError carries an exit code through cobra. A silent exitError means the
// command already told the user everything (its result was rendered).
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withExit returns a silent error that makes Main exit with code.
func withExit(code int) error { return &exitError{code: code, silent: true} }

// usageError marks err as a usage mistake (exit 2).
func usageError(err error) error { return &exitError{code: ExitUsage, err: err} }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(ctx context.Context, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return ExitInterrupted
	}
	return ExitError
}

// exitCodesHelp is appended to every command's long help.
const exitCodesHelp = `Exit codes: 0 ok, 1 error, 2 usage, 3 policy verdict failed, 4 AWS credentials,
5 partial input (something was quarantined), 130 interrupted.`
