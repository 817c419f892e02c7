package main

import (
	"time"

	"github.com/sioworkbook/workbook/sio"
)

// withRecovery turns connection state recovery on in cfg for clients gone
// less than d, middlewares skipped as by default in Node; d <= 0 leaves cfg
// as it is.
func withRecovery(d time.Duration, cfg sio.Config) sio.Config {
	if d > 0 {
		cfg.ConnectionStateRecovery = &sio.RecoveryConfig{MaxDisconnectionDuration: d}
	}
	return cfg
}
