// Package browserid says what a browser id (the wb_client cookie) may look
// like, for the lessons and the inspector alike.
package browserid

// Valid reports whether id has the shape of a browser id: 1 to 64 letters,
// digits, '-' and '_'. The workbook makes such ids; tests and tools may
// choose their own of that shape.
func Valid(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
