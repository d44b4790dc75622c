package runtime

// isIdentifier reports whether s can be written bare in Lua source: as a
// table key (t.name, {name = 1}), a field of a generated annotation, or a
// completion. Lua 5.1 identifiers are ASCII letters, digits and '_', not
// starting with a digit, and not a keyword. (stdlib/pretty.lua keeps its
// own Lua copy of this rule.)
func isIdentifier(s string) bool {
	if s == "" || isLuaKeyword(s) {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isLuaKeyword reports whether s is a reserved word. goto is not one in
// Lua 5.1 but is in gopher-lua's parser and in later Luas, so it is
// treated as one.
func isLuaKeyword(s string) bool {
	switch s {
	case "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
		"in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while":
		return true
	}
	return false
}
