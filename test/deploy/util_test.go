package deploy

import (
	"encoding/json"
	"net/http"
	"strconv"
)

func itoa(n int) string { return strconv.Itoa(n) }

// getVersion asks the service for its version through the listener.
func getVersion(url string) string {
	resp, err := http.Get(url + "/talk")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var out struct {
		Version string `json:"version"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out.Version
}
