package template

var outputKeys = map[string]bool{"Value": true, "Description": true, "Export": true, "Condition": true}

func (t *Template) readOutputs(doc *document) error {
	m, keys, err := section(doc, "Outputs")
	if err != nil {
		return err
	}
	if len(m) > MaxOutputs {
		return formatErr("Number of outputs, %d, is greater than maximum allowed, %d", len(m), MaxOutputs)
	}
	t.Outputs = make(map[string]*Output, len(m))
	for _, name := range keys {
		o, err := readOutput(name, m[name])
		if err != nil {
			return err
		}
		t.Outputs[name] = o
		t.OutputOrder = append(t.OutputOrder, name)
	}
	return nil
}

func readOutput(name string, v any) (*Output, error) {
	if !validLogicalID(name) {
		return nil, formatErr("Output name %s is non alphanumeric.", name)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, formatErr("Every Outputs member must contain a Value object")
	}
	for k := range m {
		if !outputKeys[k] {
			return nil, formatErr("Invalid outputs property : [%s]", k)
		}
	}
	val, has := m["Value"]
	if !has || val == nil {
		return nil, formatErr("Every Outputs member must contain a Value object")
	}
	o := &Output{Name: name, Value: val}
	if d, has := m["Description"]; has {
		if o.Description, ok = d.(string); !ok {
			return nil, formatErr("Every Description member must be a string.")
		}
	}
	if c, has := m["Condition"]; has {
		if o.Condition, ok = c.(string); !ok {
			return nil, formatErr("Every Condition member must be a string.")
		}
	}
	if e, has := m["Export"]; has {
		em, isMap := e.(map[string]any)
		if !isMap || em["Name"] == nil || len(em) != 1 {
			return nil, formatErr("Output %s is malformed. The Name field of every Export member must be specified and consist only of alphanumeric characters, colons, or hyphens.", name)
		}
		o.ExportName = em["Name"]
	}
	return o, nil
}
