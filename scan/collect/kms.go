package collect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

func init() {
	register(
		&Collector{
			Name: "kms_keys", Service: "kms", Scope: Regional,
			Tables: []string{"kms_keys"},
			Ops:    []Op{{Name: "kms:ListKeys", Kind: Paged, Assume: 1, AssumeMax: 3}},
			Run:    kmsKeys,
		},
		&Collector{
			Name: "kms_key_metadata", Service: "kms", Scope: Regional,
			Tables: []string{"kms_key_metadata"},
			Needs:  []string{"kms_keys"},
			Ops:    []Op{{Name: "kms:DescribeKey", Kind: PerResource, Per: "key", Assume: 3, AssumeMax: 100}},
			Run:    kmsKeyMetadata,
		},
		&Collector{
			Name: "kms_key_rotation", Service: "kms", Scope: Regional,
			Tables: []string{"kms_key_rotation"},
			Needs:  []string{"kms_key_metadata"},
			Ops:    []Op{{Name: "kms:GetKeyRotationStatus", Kind: PerResource, Per: "enabled customer managed symmetric key", Assume: 1, AssumeMax: 100}},
			Run:    kmsKeyRotation,
		},
	)
}

func kmsKeys(ctx context.Context, env *Env) error {
	p := kms.NewListKeysPaginator(env.Clients.KMS(env.Region), &kms.ListKeysInput{})
	cctx := env.Context(ctx)
	var rows [][]any
	for p.HasMorePages() {
		out, err := p.NextPage(cctx)
		if err != nil {
			env.Gap("kms:ListKeys", env.Region, "", err)
			return ctx.Err()
		}
		for _, k := range out.Keys {
			rows = append(rows, []any{str(k.KeyId), nullable(str(k.KeyArn))})
		}
	}
	for _, r := range rows {
		env.Add("kms_keys", env.Region, r...)
	}
	return nil
}

func regionPairs(ctx context.Context, env *Env, q string) ([]namedARN, error) {
	rows, err := env.DB.QueryContext(ctx, q, env.ScanID, env.Account, env.Region)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	defer rows.Close()
	var out []namedARN
	for rows.Next() {
		var n namedARN
		if err := rows.Scan(&n.name, &n.arn); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func kmsKeyMetadata(ctx context.Context, env *Env) error {
	keys, err := regionPairs(ctx, env, `SELECT key_id, coalesce(key_arn, key_id) FROM kms_keys
		WHERE scan_id = $1 AND account_id = $2 AND region = $3 ORDER BY key_id`)
	if err != nil {
		return err
	}
	cl := env.Clients.KMS(env.Region)
	cctx := env.Context(ctx)
	for _, k := range keys {
		out, err := cl.DescribeKey(cctx, &kms.DescribeKeyInput{KeyId: aws.String(k.name)})
		if err != nil {
			if !NotFound(err) {
				env.Gap("kms:DescribeKey", env.Region, k.arn, err)
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		m := out.KeyMetadata
		spec := string(m.KeySpec)
		if spec == "" {
			spec = string(m.CustomerMasterKeySpec)
		}
		env.Add("kms_key_metadata", env.Region, str(m.KeyId), nullable(str(m.Arn)), nullable(string(m.KeyManager)), nullable(string(m.KeyState)),
			nullable(spec), nullable(string(m.KeyUsage)), nullable(string(m.Origin)), m.Enabled, boolVal(m.MultiRegion), ts(m.CreationDate),
			nullable(str(m.Description)))
	}
	return nil
}

// kmsKeyRotation reads rotation for the keys it applies to: AWS answers
// KMSInvalidStateException for a disabled key, and rotation of AWS managed
// keys is AWS's business.
func kmsKeyRotation(ctx context.Context, env *Env) error {
	keys, err := regionPairs(ctx, env, `SELECT key_id, coalesce(key_arn, key_id) FROM kms_key_metadata
		WHERE scan_id = $1 AND account_id = $2 AND region = $3
		  AND key_manager = 'CUSTOMER' AND key_state = 'Enabled' AND key_spec = 'SYMMETRIC_DEFAULT'
		ORDER BY key_id`)
	if err != nil {
		return err
	}
	cl := env.Clients.KMS(env.Region)
	cctx := env.Context(ctx)
	for _, k := range keys {
		out, err := cl.GetKeyRotationStatus(cctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(k.name)})
		if err != nil {
			env.Gap("kms:GetKeyRotationStatus", env.Region, k.arn, err)
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		}
		env.Add("kms_key_rotation", env.Region, k.name, nullable(k.arn), out.KeyRotationEnabled)
	}
	return nil
}
