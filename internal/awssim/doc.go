// Package awssim is a simulated AWS organisation that speaks AWS's real wire
// protocols and records every request as CloudTrail.
//
// One http.Handler (Sim) serves every service. A request is routed by the
// service in its SigV4 credential scope (falling back to X-Amz-Target, the
// Version form field, or the REST path), its protocol is recognised from the
// request itself (awsQuery, ec2Query, awsJson1.1, restXml, Smithy RPC v2
// CBOR), the caller is resolved from the access key to a principal, and the
// operation is looked up in a registry keyed by service and name. Handlers
// are protocol-neutral: they read an Input tree and return an output tree
// (Struct, List, Map, ...) that the protocol's encoder serialises with the
// real success and error envelopes, so unmodified aws-sdk-go-v2 clients decode
// every response and typed error. Finally the request is written as a
// CloudTrail record and delivered in 5-minute batches under
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/.
//
// The organisation is a declarative Fixture (YAML, docs/simulator.md): accounts,
// regions and every resource the CIS AWS Foundations v1.2.0 controls read, with
// times relative to the simulator's clock. Default returns the built-in
// deliberately misconfigured organisation.
//
// Strict by default: an unknown operation or protocol answers 501
// NotImplemented and a mutating operation answers AccessDenied; both are still
// recorded in CloudTrail.
//
// Adding an operation is one handler registered in the service's ops_*.go file
// plus, when it reads new state, one field in the fixture model.
package awssim
