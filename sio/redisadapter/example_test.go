package redisadapter_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/redis/go-redis/v9"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/redisadapter"
)

// Two nodes on one Redis: a server-side event sent by one is answered by
// the other. (Without a Redis on 127.0.0.1:6379 the example prints an
// error instead: it is compiled, not run.)
func Example() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	newNode := func(name string) *sio.Server {
		io := sio.NewServer(sio.Config{NewAdapter: redisadapter.New(rdb, redisadapter.Config{})})
		io.OnServerSideEmit("hello", func(args []any, ack func(any)) {
			if ack != nil {
				ack(name + " says hi to " + fmt.Sprint(args[0]))
			}
		})
		return io
	}
	a, b := newNode("a"), newNode("b")
	defer a.Close()
	defer b.Close()
	srv := httptest.NewServer(a) // behind a load balancer with sticky sessions, in real life
	defer srv.Close()

	answers, err := a.ServerSideEmitWithAck(context.Background(), "hello", "a")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(answers)
}
