package admin_test

import (
	"log"
	"net/http"

	"github.com/sioworkbook/workbook/sio"
	"github.com/sioworkbook/workbook/sio/admin"
)

// A server the hosted Admin UI (https://admin.socket.io) can watch and act
// on, after logging in as admin.
func Example() {
	// hash, _ := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.DefaultCost)
	const hash = "$2a$10$WZgd9CEDpCAh7V3YkZtclOGHIOpDKhPY./kux6l1rL1MhjtzVAgay"
	a, err := admin.New(admin.Options{Username: "admin", PasswordHash: hash})
	if err != nil {
		log.Fatal(err)
	}
	io := sio.NewServer(a.Config(sio.Config{}))
	if err := a.Attach(io); err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	io.OnConnection(func(s *sio.Socket) { s.Join("lobby") })
	http.Handle("/socket.io/", io)
	// log.Fatal(http.ListenAndServe(":3000", nil))
}
