package awssim

func registerEC2(r registry)           {}
func registerS3(r registry)            {}
func registerCloudTrail(r registry)    {}
func registerLogs(r registry)          {}
func registerCloudWatch(r registry)    {}
func registerSNS(r registry)           {}
func registerConfig(r registry)        {}
func registerKMS(r registry)           {}
func registerOrganizations(r registry) {}
func (s *Sim) bucket(name string) (*Bucket, *Account) { return nil, nil }
