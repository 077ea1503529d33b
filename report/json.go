package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"simulate/sim"
)

// WriteJSON writes v as indented JSON followed by a newline, as
// encoding/json would (struct tags, omitempty, embedded structs, custom
// marshalers), except that every sim.Time is written in seconds, its key
// renamed to say so: "deadline" becomes "deadline_s" and "time_ns"
// becomes "time_s". Simulated time counts nanoseconds, which no reader of
// a report wants; the unit lives in the key, so numbers stay numbers.
func WriteJSON(w io.Writer, v any) error {
	tree, err := toTree(reflect.ValueOf(v))
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(tree)
}

var (
	timeType      = reflect.TypeOf(sim.Time(0))
	nodeType      = reflect.TypeOf(sim.NodeID(0))
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
)

// object is a JSON object that keeps its keys in struct order.
type object []member

type member struct {
	key string
	val any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// seconds is a sim.Time in seconds.
func seconds(t sim.Time) float64 { return t.Seconds() }

// holdsTime reports whether values of t are (or hold only) sim.Times, so
// the key naming them gets the _s suffix.
func holdsTime(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t == timeType
}

// secondsKey renames the key of a sim.Time field.
func secondsKey(k string) string {
	if base, ok := strings.CutSuffix(k, "_ns"); ok {
		return base + "_s"
	}
	if strings.HasSuffix(k, "_s") {
		return k
	}
	return k + "_s"
}

func toTree(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	t := v.Type()
	if t == timeType {
		return seconds(sim.Time(v.Int())), nil
	}
	if t.Implements(marshalerType) && (t.Kind() != reflect.Pointer || !v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		return json.RawMessage(b), err
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType) && v.CanAddr() {
		b, err := v.Addr().Interface().(json.Marshaler).MarshalJSON()
		return json.RawMessage(b), err
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return toTree(v.Elem())
	case reflect.Struct:
		var obj object
		if err := fields(v, &obj); err != nil {
			return nil, err
		}
		if obj == nil {
			obj = object{}
		}
		return obj, nil
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return v.Interface(), nil
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			x, err := toTree(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		keys := v.MapKeys()
		obj := make(object, 0, len(keys))
		for _, k := range keys {
			x, err := toTree(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			obj = append(obj, member{key: mapKey(k), val: x})
		}
		sort.Slice(obj, func(i, j int) bool { return obj[i].key < obj[j].key })
		return obj, nil
	}
	return v.Interface(), nil
}

// mapKey is a map key as encoding/json writes it, except that a node id
// is written as the tables name it ("n0").
func mapKey(k reflect.Value) string {
	if k.Type() == nodeType {
		return fmt.Sprintf("n%d", k.Int())
	}
	if k.Kind() == reflect.String {
		return k.String()
	}
	return fmt.Sprint(k.Interface())
}

// fields appends v's exported fields to obj, flattening embedded structs.
func fields(v reflect.Value, obj *object) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv, ft = fv.Elem(), ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if err := fields(fv, obj); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.Contains(","+opts+",", ",omitempty,") && empty(fv) {
			continue
		}
		x, err := toTree(fv)
		if err != nil {
			return err
		}
		if strings.Contains(","+opts+",", ",string,") {
			b, _ := json.Marshal(x)
			x = string(b)
		}
		if holdsTime(f.Type) {
			name = secondsKey(name)
		}
		*obj = append(*obj, member{key: name, val: x})
	}
	return nil
}

// empty is encoding/json's omitempty test.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
