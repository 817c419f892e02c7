package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sioworkbook/workbook/sio"
)

// errInvalidCredentials is the refusal the UI recognises: it shows its login
// form again with this message.
var errInvalidCredentials = errors.New("invalid credentials")

// authenticate is the UI namespace's middleware when a password is set: a
// session id it gave earlier, or the username and password.
func (a *Admin) authenticate(s *sio.Socket) error {
	auth := s.Handshake().Auth
	if id, _ := auth["sessionId"].(string); id != "" && a.sessions.valid(id) {
		return nil
	}
	user, _ := auth["username"].(string)
	pass, _ := auth["password"].(string)
	if subtle.ConstantTimeCompare([]byte(user), []byte(a.opts.Username)) != 1 {
		return errInvalidCredentials
	}
	// bcrypt costs tens of milliseconds of CPU on purpose: two at a time at
	// most, so that a flood of logins cannot take every core.
	select {
	case a.bcrypts <- struct{}{}:
	case <-s.Context().Done():
		return errInvalidCredentials
	}
	err := bcrypt.CompareHashAndPassword(a.hash, []byte(pass))
	<-a.bcrypts
	if err != nil {
		return errInvalidCredentials
	}
	id := a.sessions.add()
	a.logins.put(s, id)
	return nil
}

// sessionStore remembers the session ids given to UIs that logged in, for
// ttl, and at most max of them (the oldest go first).
type sessionStore struct {
	mu    sync.Mutex
	ids   map[string]time.Time // id -> expiry
	order []string             // ids in the order they were given
	max   int
	ttl   time.Duration
}

func (st *sessionStore) init(max int, ttl time.Duration) {
	st.ids = make(map[string]time.Time)
	st.max, st.ttl = max, ttl
}

func (st *sessionStore) add() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("admin: crypto/rand failed: " + err.Error())
	}
	id := hex.EncodeToString(b[:])
	st.mu.Lock()
	defer st.mu.Unlock()
	for len(st.order) >= st.max {
		delete(st.ids, st.order[0])
		st.order = st.order[1:]
	}
	st.ids[id] = time.Now().Add(st.ttl)
	st.order = append(st.order, id)
	return id
}

func (st *sessionStore) valid(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	exp, ok := st.ids[id]
	return ok && time.Now().Before(exp)
}

// pendingLogins hands the session id from the middleware to the connection
// handler of the same socket, which sends it: a socket cannot emit before
// it is connected.
type pendingLogins struct {
	mu  sync.Mutex
	ids map[*sio.Socket]string
}

func (p *pendingLogins) put(s *sio.Socket, id string) {
	p.mu.Lock()
	if p.ids == nil {
		p.ids = make(map[*sio.Socket]string)
	}
	p.ids[s] = id
	p.mu.Unlock()
	// A socket that never gets connected (its connection closed meanwhile)
	// leaves nothing behind.
	context.AfterFunc(s.Context(), func() { p.take(s) })
}

func (p *pendingLogins) take(s *sio.Socket) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.ids[s]
	delete(p.ids, s)
	return id
}
