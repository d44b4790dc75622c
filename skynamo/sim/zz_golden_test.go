package sim

import (
	"encoding/json"
	"os"
	"testing"
)

func TestZZGolden(t *testing.T) {
	out := os.Getenv("GOLD_OUT")
	if out == "" {
		t.Skip()
	}
	all := map[string]any{}
	for _, o := range []Options{smallOptions(), {Seed: 3, Now: testNow, Customers: 500, Orders: 900}} {
		s := New(o)
		for _, ep := range endpoints() {
			all[ep.name+string(rune('0'+o.Seed))] = s.Records(ep.name)
		}
	}
	b, _ := json.Marshal(all)
	os.WriteFile(out, b, 0o644)
}
