package mail

import "testing"

func TestSettingsAddr(t *testing.T) {
	for _, tc := range []struct {
		host string
		port int
		want string
	}{
		{"smtp.gmail.com", 587, "smtp.gmail.com:587"},
		{"127.0.0.1", 25, "127.0.0.1:25"},
		{"::1", 465, "[::1]:465"},
		{"2001:db8::25", 587, "[2001:db8::25]:587"},
	} {
		if got := (Settings{Host: tc.host, Port: tc.port}).Addr(); got != tc.want {
			t.Errorf("Addr(%s, %d) = %s, want %s", tc.host, tc.port, got, tc.want)
		}
	}
}
