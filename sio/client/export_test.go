package client

// Backoff is backoff, for the tests of package client_test.
var Backoff = backoff
