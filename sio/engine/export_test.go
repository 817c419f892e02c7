package engine

// ToValidUTF8 is how a polling body's text is read, for the tests.
var ToValidUTF8 = toValidUTF8
