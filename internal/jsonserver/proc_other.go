//go:build !unix

package jsonserver

import "os/exec"

// setProcessGroup does nothing where there are no Unix process groups.
func setProcessGroup(*exec.Cmd) {}

// terminate kills the command's process.
func terminate(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// kill kills the command's process.
func kill(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
