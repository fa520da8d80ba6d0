//go:build !linux

package index

import "os"

// exchange swaps the directories a and b (not atomically here: see renameBoth).
func exchange(a, b string) error { return renameBoth(a, b) }

// flock does not detect an index open in another process on this system.
func flock(*os.File) error { return nil }
