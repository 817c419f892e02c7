package sio

// attachAdapter tells a, and every adapter it wraps, which namespace uses
// it: a MemoryAdapter (or an adapter that embeds one) needs to know, for
// its operations to reach the namespace's sockets. An adapter that wraps
// another (one that watches the rooms, say) hands it on with a method
// Unwrap() Adapter, as errors do with Unwrap() error.
func attachAdapter(a Adapter, n *Namespace) {
	for range 64 { // a bound, against an adapter that unwraps to itself
		if at, ok := a.(interface{ attach(*Namespace) }); ok {
			at.attach(n)
		}
		u, ok := a.(interface{ Unwrap() Adapter })
		if !ok {
			return
		}
		if a = u.Unwrap(); a == nil {
			return
		}
	}
}
