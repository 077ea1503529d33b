package sim

import (
	"bytes"
	"testing"
)

func TestStorageAppend(t *testing.T) {
	var st Storage = memStorage{}
	a, ok := st.(Appender)
	if !ok {
		t.Fatal("the simulator's storage is not an Appender")
	}
	a.Append("k", []byte("ab"))
	st.Put("j", []byte("x"))
	got, _ := st.Get("k")
	got[0] = 'z' // a copy: the stored value must not change
	a.Append("k", []byte("cd"))
	if v, _ := st.Get("k"); !bytes.Equal(v, []byte("abcd")) {
		t.Fatalf("after appends: %q, want %q", v, "abcd")
	}
	st.Put("k", []byte("e"))
	a.Append("k", []byte("f"))
	if v, _ := st.Get("k"); !bytes.Equal(v, []byte("ef")) {
		t.Fatalf("after put and append: %q, want %q", v, "ef")
	}
}
