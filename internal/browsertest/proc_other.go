//go:build !linux

package browsertest

import "time"

// waitGone checks for leftover browser processes on Linux only; elsewhere it
// trusts chromedp to have stopped the browser.
func waitGone(dir string, timeout time.Duration) []int { return nil }
