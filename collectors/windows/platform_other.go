//go:build !windows

package windows

import (
	"os/exec"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/nodebundle"
)

type otherOS struct{}

func newPlatform() platform { return otherOS{} }

func hideWindow(*exec.Cmd) {}

func (otherOS) host() (*nodebundle.Host, error)                         { return nil, ErrNotWindows }
func (otherOS) services() ([]nodebundle.Service, error)                 { return nil, ErrNotWindows }
func (otherOS) certStore(string, string) ([]nodebundle.Cert, error)     { return nil, ErrNotWindows }
func (otherOS) registryValues(string, []string) (map[string]any, error) { return nil, ErrNotWindows }
func (otherOS) registrySubkeys(string) ([]string, error)                { return nil, ErrNotWindows }
