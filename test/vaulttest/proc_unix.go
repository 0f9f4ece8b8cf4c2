//go:build unix

package vaulttest

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup makes cmd the leader of a new process group, which the
// plugin processes Vault starts join.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group of cmd: Vault and its plugins, which
// would otherwise outlive a killed Vault.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
