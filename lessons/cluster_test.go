package lessons_test

import "testing"

// TestStepContractTwoNodesInJavaScript: the learner's own server.js of
// scaling/two-nodes runs on both nodes, joined on the browser's own
// channels, and passes the step's contract with the official client on
// each node: the message and the room cross, both count two nodes.
func TestStepContractTwoNodesInJavaScript(t *testing.T) {
	contractInJavaScript(t, "scaling/two-nodes")
}
