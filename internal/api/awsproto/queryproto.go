package awsproto

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// WriteXML answers 200 with v, already shaped as the Query protocol's
// <ActionResponse> document. If v cannot be encoded it answers a server
// fault and returns the error, for the caller to log.
func WriteXML(w http.ResponseWriter, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		err = fmt.Errorf("encode response: %w", err)
		WriteXMLError(w, "", err, "InternalFailure")
		return err
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
	return nil
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
// namespace xmlns. Errors that are not *Error become serverCode with HTTP
// 500; a server fault's text is not sent, only the
// request id: the caller logs the error with it.
func WriteXMLError(w http.ResponseWriter, xmlns string, err error, serverCode string) {
	id := w.Header().Get("X-Amzn-RequestId")
	e := wireError(AsError(err, serverCode), id)
	kind := "Receiver"
	if e.Sender {
		kind = "Sender"
	}
	body, _ := xml.Marshal(xmlErrorResponse{Xmlns: xmlns, Type: kind, Code: e.Code, Message: e.Message, RequestID: id})
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
