package awsproto

import (
	"encoding/xml"
	"net/http"
)

// WriteXML answers 200 with v, already shaped as the Query protocol's
// <ActionResponse> document.
func WriteXML(w http.ResponseWriter, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		WriteXMLError(w, "", err, "InternalFailure")
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

type xmlErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// WriteXMLError answers with err as a Query-protocol <ErrorResponse> in the
// namespace xmlns. Errors that are not *Error become serverCode with HTTP 500.
func WriteXMLError(w http.ResponseWriter, xmlns string, err error, serverCode string) {
	e := AsError(err, serverCode)
	kind := "Receiver"
	if e.Sender {
		kind = "Sender"
	}
	body, _ := xml.Marshal(xmlErrorResponse{
		Xmlns: xmlns, Type: kind, Code: e.Code, Message: e.Message,
		RequestID: w.Header().Get("X-Amzn-RequestId"),
	})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
