package skynamo

// KeyScriptsDir names the folder of the user's own scripts, which
// `skynamo run NAME` and `skynamo scripts` look in before the shipped ones.
const KeyScriptsDir = "SKYNAMO_SCRIPTS_DIR"

// LoadScriptsDir returns the user script folder the file, environment and
// overrides name ("" when none does), needing no API key.
func LoadScriptsDir(in ConfigInput) (string, error) {
	lv, err := loadLayered(in)
	if err != nil {
		return "", err
	}
	v := lv.values[KeyScriptsDir]
	return v.text, v.err
}
