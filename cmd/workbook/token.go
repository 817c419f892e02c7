package main

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"strings"
)

// loopbackOnly reports whether a server listening on addr (HOST:PORT, as
// given to --addr) can be reached only from this machine: true for
// "localhost" and loopback addresses (127.0.0.0/8, ::1), false for an empty
// host (":3000" listens on every interface), 0.0.0.0, ::, any other address
// and any other host name (it may resolve to anything).
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// inspectorToken decides the token the inspector pages require: the one
// given (--inspector-token), else a new random one when addr is not
// loopback only, else none. generated says the token is new, so that the
// caller prints it.
func inspectorToken(addr, given string) (token string, generated bool) {
	if given != "" {
		return given, false
	}
	if loopbackOnly(addr) {
		return "", false
	}
	return newToken(), true
}

// newToken returns 128 random bits, URL-safe.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
