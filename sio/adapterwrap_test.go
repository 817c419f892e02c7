package sio_test

import (
	"testing"

	"github.com/sioworkbook/workbook/sio"
)

// wrapping is an adapter that wraps another, as one that watches the rooms
// would, and says so with Unwrap.
type wrapping struct{ sio.Adapter }

func (w wrapping) Unwrap() sio.Adapter { return w.Adapter }

// TestAdapterUnwrap: a MemoryAdapter wrapped by another adapter learns its
// namespace through Unwrap, so its operations work (they failed with "the
// adapter belongs to no namespace").
func TestAdapterUnwrap(t *testing.T) {
	io := sio.NewServer(sio.Config{NewAdapter: func(*sio.Namespace) sio.Adapter {
		return wrapping{wrapping{sio.NewMemoryAdapter()}}
	}})
	defer io.Close()
	if err := io.Emit("news"); err != nil {
		t.Fatalf("Emit through a wrapped memory adapter: %v", err)
	}
	if err := io.Of("/other").In("room").Emit("news"); err != nil {
		t.Fatalf("Emit to a room through a wrapped memory adapter: %v", err)
	}
}
