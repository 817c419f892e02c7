package mailbox

// Linger is linger, for the tests of package mailbox_test.
const Linger = linger
