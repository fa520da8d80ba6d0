package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrInUse means another open index (another process, or another Index in
// this one) holds the index directory.
var ErrInUse = errors.New("index is open (is an indexer running on it?)")

// lockFile is the file every open scorch index holds an exclusive flock on
// (bbolt's lock on its root), relative to the index directory.
var lockFile = filepath.Join("store", "root.bolt")

// Lock takes the lock an open index holds on dir, so that no indexer opens
// it until unlock is called; it fails at once with ErrInUse when one has it
// open. A dir without an index needs no lock (unlock is a no-op).
func Lock(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: lock: %w", dir, err)
	}
	if err := flock(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	return func() { _ = f.Close() }, nil // closing the file releases the lock
}

// Replace puts the index in fresh in place of the one in live, and removes
// the old one. On Linux the two directories are exchanged in one
// renameat2(RENAME_EXCHANGE), so that a crash leaves either the old or the
// new index at live, never none. Neither index may be open: hold Lock(live).
func Replace(live, fresh string) error {
	if _, err := os.Stat(live); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(fresh, live); err != nil {
			return fmt.Errorf("index: move %s to %s: %w", fresh, live, err)
		}
		return nil
	}
	if err := exchange(live, fresh); err != nil {
		return fmt.Errorf("index: swap %s and %s: %w", live, fresh, err)
	}
	// fresh now holds the old index.
	if err := os.RemoveAll(fresh); err != nil {
		return fmt.Errorf("index: remove the old index (now at %s): %w", fresh, err)
	}
	return nil
}

// renameBoth swaps a and b with two renames through a third name, for
// systems or file systems without an atomic exchange: a crash in between
// leaves the old index at a+".old" and the new one at b.
func renameBoth(a, b string) error {
	old := a + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(a, old); err != nil {
		return err
	}
	if err := os.Rename(b, a); err != nil {
		return errors.Join(err, os.Rename(old, a))
	}
	return os.Rename(old, b)
}
