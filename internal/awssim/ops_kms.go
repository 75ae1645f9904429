package awssim

import (
	"net/http"
	"strings"
	"time"
)

func registerKMS(r registry) {
	op := func(name string, h func(*Call) (any, error)) *Operation {
		return &Operation{Service: "kms", Name: name, ReadOnly: true, Handler: h}
	}
	r.add(
		op("ListKeys", kmsListKeys),
		op("DescribeKey", kmsDescribeKey),
		op("GetKeyRotationStatus", kmsGetKeyRotationStatus),
		op("ListAliases", kmsListAliases),
	)
}

func (c *Call) keyARN(k *KMSKey) string {
	return "arn:aws:kms:" + c.Region + ":" + c.Account.ID + ":key/" + k.ID
}

// kmsKey resolves a key ID, key ARN, alias name or alias ARN.
func (c *Call) kmsKey(id string) (*KMSKey, error) {
	for _, k := range c.Regional().KMSKeys {
		if id == k.ID || id == c.keyARN(k) {
			return k, nil
		}
		for _, a := range k.Aliases {
			if id == a || id == "arn:aws:kms:"+c.Region+":"+c.Account.ID+":"+a {
				return k, nil
			}
		}
	}
	return nil, &Error{Code: "NotFoundException", Status: http.StatusBadRequest,
		Message: "Key '" + "arn:aws:kms:" + c.Region + ":" + c.Account.ID + ":key/" + strings.TrimPrefix(id, "alias/") + "' does not exist"}
}

func kmsPage(c *Call, items []any) ([]any, Struct, error) {
	limit, _ := c.In.Int("Limit")
	page, next, err := paginate(c, items, c.In.Str("Marker"), limit, 100)
	if err != nil {
		return nil, nil, err
	}
	if next != "" {
		return page, Struct{F("NextMarker", next), F("Truncated", true)}, nil
	}
	return page, Struct{F("Truncated", false)}, nil
}

func kmsListKeys(c *Call) (any, error) {
	var all []any
	for _, k := range c.Regional().KMSKeys {
		all = append(all, Struct{F("KeyId", k.ID), F("KeyArn", c.keyARN(k))})
	}
	page, tail, err := kmsPage(c, all)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("Keys", List(page))}, tail...), nil
}

func keyDefaults(k *KMSKey) (manager, state, spec, usage string) {
	manager, state, spec, usage = k.Manager, k.State, k.Spec, k.Usage
	if manager == "" {
		manager = "CUSTOMER"
	}
	if state == "" {
		state = "Enabled"
	}
	if spec == "" {
		spec = "SYMMETRIC_DEFAULT"
	}
	if usage == "" {
		usage = "ENCRYPT_DECRYPT"
		if strings.HasPrefix(spec, "ECC_") {
			usage = "SIGN_VERIFY"
		}
	}
	return
}

func kmsDescribeKey(c *Call) (any, error) {
	k, err := c.kmsKey(c.In.Str("KeyId"))
	if err != nil {
		return nil, err
	}
	manager, state, spec, usage := keyDefaults(k)
	m := Struct{
		F("AWSAccountId", c.Account.ID), F("KeyId", k.ID), F("Arn", c.keyARN(k)),
		F("CreationDate", k.Created.Or(c.Now, -500*24*time.Hour)), F("Enabled", state == "Enabled"),
		F("Description", k.Description), F("KeyUsage", usage), F("KeyState", state), F("Origin", "AWS_KMS"),
		F("KeyManager", manager), F("CustomerMasterKeySpec", spec), F("KeySpec", spec),
	}
	if spec == "SYMMETRIC_DEFAULT" {
		m = append(m, F("EncryptionAlgorithms", List{"SYMMETRIC_DEFAULT"}))
	}
	if state == "PendingDeletion" {
		m = append(m, F("DeletionDate", c.Now.Add(7*24*time.Hour).Truncate(time.Second)), F("PendingDeletionWindowInDays", 7))
	}
	m = append(m, F("MultiRegion", false))
	return Struct{F("KeyMetadata", m)}, nil
}

func kmsGetKeyRotationStatus(c *Call) (any, error) {
	k, err := c.kmsKey(c.In.Str("KeyId"))
	if err != nil {
		return nil, err
	}
	manager, state, spec, _ := keyDefaults(k)
	if state == "Disabled" || state == "PendingDeletion" {
		return nil, &Error{Code: "KMSInvalidStateException", Status: http.StatusBadRequest,
			Message: c.keyARN(k) + " is " + strings.ToLower(state) + "."}
	}
	if spec != "SYMMETRIC_DEFAULT" {
		return nil, &Error{Code: "UnsupportedOperationException", Status: http.StatusBadRequest,
			Message: c.keyARN(k) + " key spec " + spec + " does not support rotation."}
	}
	enabled := k.Rotation || manager == "AWS"
	out := Struct{F("KeyId", c.keyARN(k)), F("KeyRotationEnabled", enabled)}
	if enabled {
		out = append(out, F("RotationPeriodInDays", 365), F("NextRotationDate", k.Created.Or(c.Now, -500*24*time.Hour).AddDate(2, 0, 0)))
	}
	return out, nil
}

func kmsListAliases(c *Call) (any, error) {
	only := c.In.Str("KeyId")
	var all []any
	for _, k := range c.Regional().KMSKeys {
		if only != "" && only != k.ID && only != c.keyARN(k) {
			continue
		}
		for _, a := range k.Aliases {
			created := k.Created.Or(c.Now, -500*24*time.Hour)
			all = append(all, Struct{F("AliasName", a), F("AliasArn", "arn:aws:kms:"+c.Region+":"+c.Account.ID+":"+a),
				F("TargetKeyId", k.ID), F("CreationDate", created), F("LastUpdatedDate", created)})
		}
	}
	page, tail, err := kmsPage(c, all)
	if err != nil {
		return nil, err
	}
	return append(Struct{F("Aliases", List(page))}, tail...), nil
}
