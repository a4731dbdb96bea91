//go:build !linux

package probe

import "github.com/syscope/syscope/scap"

// ScanProc reads the state a live capture starts from; only Linux has it.
func ScanProc() ([]scap.Process, map[int64][]scap.FDInfo, []scap.User, []scap.Group, error) {
	return nil, nil, nil, nil, ErrUnsupportedPlatform
}
