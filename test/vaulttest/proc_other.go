//go:build !unix

package vaulttest

import "os/exec"

func ownProcessGroup(*exec.Cmd) {}

// killGroup kills Vault only; its plugin processes may be left behind.
func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
