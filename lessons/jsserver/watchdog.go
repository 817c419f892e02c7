package jsserver

import (
	"runtime/metrics"
	"sync"
	"time"
)

// The watchdog is one goroutine for every instance of the process: while
// any instance runs a handler, it wakes every watchTick and interrupts the
// handlers that have run past their time, or while which the heap has grown
// past their limit. It ends when no handler runs.
const watchTick = 10 * time.Millisecond

var watchdog struct {
	mu      sync.Mutex
	running map[*Instance]uint64 // instance -> heap bytes when its handler started
	active  bool                 // the goroutine runs
}

// heapSample reads the bytes of live and not yet swept heap objects: cheap,
// and current without a GC.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// watch puts in under the watchdog while it runs a handler.
func watch(in *Instance) {
	base := heapBytes()
	watchdog.mu.Lock()
	defer watchdog.mu.Unlock()
	if watchdog.running == nil {
		watchdog.running = map[*Instance]uint64{}
	}
	watchdog.running[in] = base
	if !watchdog.active {
		watchdog.active = true
		go watchLoop()
	}
}

func unwatch(in *Instance) {
	watchdog.mu.Lock()
	delete(watchdog.running, in)
	watchdog.mu.Unlock()
}

func watchLoop() {
	t := time.NewTicker(watchTick)
	defer t.Stop()
	for range t.C {
		heap := heapBytes()
		now := time.Now().UnixNano()
		watchdog.mu.Lock()
		if len(watchdog.running) == 0 {
			watchdog.active = false
			watchdog.mu.Unlock()
			return
		}
		for in, base := range watchdog.running {
			started := in.running.Load()
			switch {
			case started == 0:
			case heap > base && heap-base > in.limits.HeapGrowth:
				in.rt.Interrupt(ErrMemory)
				delete(watchdog.running, in) // once is enough
			case time.Duration(now-started) > in.limits.HandlerTime:
				in.rt.Interrupt(errTimeout(in.limits.HandlerTime))
				delete(watchdog.running, in)
			}
		}
		watchdog.mu.Unlock()
	}
}
