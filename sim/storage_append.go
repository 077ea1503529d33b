package sim

// Appender is a Storage that can add bytes to the end of a key's value, as
// a node appends records to a log file, without the node writing the whole
// value again. Storage(), the simulator's, is one; a node should check
// (st.(Appender)) and fall back to Get and Put for any other.
type Appender interface {
	// Append adds value to the end of key's value (an absent key's value
	// is empty). value is copied in, as Put copies.
	Append(key string, value []byte)
}

// Append implements Appender. The key's buffer grows in place; nothing
// outside can alias it, since Get hands out copies.
func (s memStorage) Append(key string, value []byte) {
	s[key] = append(s[key], value...)
}
