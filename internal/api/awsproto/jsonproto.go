package awsproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// JSONContentType is the content type of AWS JSON 1.1 requests and answers.
const JSONContentType = "application/x-amz-json-1.1"

// JSONOperation returns the operation named by an X-Amz-Target header
// "<prefix>.<Operation>", or "" when the header does not have that prefix.
func JSONOperation(target, prefix string) string {
	op, ok := strings.CutPrefix(target, prefix+".")
	if !ok {
		return ""
	}
	return op
}

// DecodeJSON strictly decodes a JSON 1.1 request body into v. An empty body is
// an empty object. Errors are SerializationException, as AWS answers for a body
// that is not the operation's JSON shape.
func DecodeJSON(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return ClientError("SerializationException",
				"Cannot deserialize value of type %s for field %q: got %s", te.Type, te.Field, te.Value)
		}
		return ClientError("SerializationException", "Request body is not valid JSON: %v", err)
	}
	return nil
}

// WriteJSON answers 200 with v encoded as JSON 1.1. If v cannot be
// encoded it answers a server fault and returns the error, for the caller
// to log.
func WriteJSON(w http.ResponseWriter, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		err = fmt.Errorf("encode response: %w", err)
		WriteJSONError(w, err, "ServerException")
		return err
	}
	w.Header().Set("Content-Type", JSONContentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return nil
}

// WriteJSONError answers with err in the JSON 1.1 error shape
// {"__type": code, "message": text}. Errors that are not *Error become
// serverCode with HTTP 500; a server fault's text is not sent, only the
// request id: the caller logs the error with it.
func WriteJSONError(w http.ResponseWriter, err error, serverCode string) {
	e := wireError(AsError(err, serverCode), w.Header().Get("X-Amzn-RequestId"))
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	w.Header().Set("Content-Type", JSONContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}
