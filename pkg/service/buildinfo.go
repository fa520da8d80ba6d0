package service

// Version and Commit identify the build of a service binary. They are set at
// link time, the same way for every binary, so no service main needs its own:
//
//	-ldflags "-X github.com/newsflow/newsflow/pkg/service.Version=v1.2.3 -X github.com/newsflow/newsflow/pkg/service.Commit=abc1234"
var (
	Version = "dev"
	Commit  = "none"
)
