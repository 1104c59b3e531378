package model

// validateSpec applies ECS's semantic rules to a normalised definition.
func validateSpec(s *TaskSpec) error {
	if err := validateVolumes(s); err != nil {
		return err
	}
	seen := map[string]bool{}
	essential := false
	hostPorts := map[int]string{}
	for i := range s.ContainerDefinitions {
		c := &s.ContainerDefinitions[i]
		if seen[c.Name] {
			return clientErr("Duplicate container name found: %s. Container names must be unique within a task definition.", c.Name)
		}
		seen[c.Name] = true
		essential = essential || c.IsEssential()
		if err := validatePorts(c, s.NetworkMode, hostPorts); err != nil {
			return err
		}
		if err := validateHealthCheck(c); err != nil {
			return err
		}
		if err := validateRunSettings(s, c); err != nil {
			return err
		}
		if err := validateLogConfiguration(c); err != nil {
			return err
		}
		if c.Memory != nil && c.MemoryReservation != nil && *c.MemoryReservation > *c.Memory {
			return clientErr("Invalid setting for container '%s'. 'memoryReservation' must be less than or equal to 'memory'.", c.Name)
		}
		if c.StopTimeout != nil && *c.StopTimeout < 0 {
			return clientErr("Invalid 'stopTimeout' setting for container '%s'.", c.Name)
		}
	}
	if !essential {
		return clientErr("Task definition doesn't have any essential container.")
	}
	return validateDependencies(s)
}

func validatePorts(c *ContainerDefinition, mode string, hostPorts map[int]string) error {
	for _, pm := range c.PortMappings {
		if pm.ContainerPort < 1 || pm.ContainerPort > 65535 {
			return clientErr("Invalid 'containerPort' setting for container '%s'. Port must be between 1 and 65535.", c.Name)
		}
		if pm.HostPort < 0 || pm.HostPort > 65535 {
			return clientErr("Invalid 'hostPort' setting for container '%s'. Port must be between 0 and 65535.", c.Name)
		}
		if pm.Protocol != "tcp" && pm.Protocol != "udp" {
			return clientErr("Invalid 'protocol' setting for container '%s'. Valid values are tcp and udp.", c.Name)
		}
		if (mode == "awsvpc" || mode == "host") && pm.HostPort != pm.ContainerPort {
			return clientErr("When networkMode=%s, the host ports and container ports in port mappings must match.", mode)
		}
		if pm.HostPort == 0 {
			continue
		}
		key := pm.HostPort
		if pm.Protocol == "udp" {
			key = -key
		}
		if other, dup := hostPorts[key]; dup {
			return clientErr("Host port %d is used by more than one port mapping (containers '%s' and '%s'). Host ports must be unique within a task.", pm.HostPort, other, c.Name)
		}
		hostPorts[key] = c.Name
	}
	return nil
}

func validateHealthCheck(c *ContainerDefinition) error {
	hc := c.HealthCheck
	if hc == nil {
		return nil
	}
	if len(hc.Command) == 0 || (hc.Command[0] != "CMD" && hc.Command[0] != "CMD-SHELL" && hc.Command[0] != "NONE") {
		return clientErr("Invalid 'healthCheck' setting for container '%s'. 'command' must start with CMD or CMD-SHELL.", c.Name)
	}
	if hc.Command[0] != "NONE" && len(hc.Command) < 2 {
		return clientErr("Invalid 'healthCheck' setting for container '%s'. 'command' must name a command after %s.", c.Name, hc.Command[0])
	}
	bounds := []struct {
		field     string
		v, lo, hi int
	}{
		{"interval", hc.Interval, 5, 300},
		{"timeout", hc.Timeout, 2, 120},
		{"retries", hc.Retries, 1, 10},
		{"startPeriod", hc.StartPeriod, 0, 300},
	}
	for _, b := range bounds {
		if b.v < b.lo || b.v > b.hi {
			return clientErr("Invalid 'healthCheck' setting for container '%s'. '%s' must be between %d and %d.", c.Name, b.field, b.lo, b.hi)
		}
	}
	return nil
}

func validateDependencies(s *TaskSpec) error {
	byName := map[string]*ContainerDefinition{}
	for i := range s.ContainerDefinitions {
		byName[s.ContainerDefinitions[i].Name] = &s.ContainerDefinitions[i]
	}
	for _, c := range s.ContainerDefinitions {
		for _, dep := range c.DependsOn {
			target, ok := byName[dep.ContainerName]
			switch {
			case !ok:
				return clientErr("Container '%s' depends on container '%s', which is not in the task definition.", c.Name, dep.ContainerName)
			case dep.Condition != "START" && dep.Condition != "COMPLETE" && dep.Condition != "SUCCESS" && dep.Condition != "HEALTHY":
				return clientErr("Invalid dependency condition '%s' for container '%s'. Valid values are START, COMPLETE, SUCCESS and HEALTHY.", dep.Condition, c.Name)
			case (dep.Condition == "SUCCESS" || dep.Condition == "COMPLETE") && target.IsEssential():
				return clientErr("A dependency container with SUCCESS or COMPLETE condition cannot be an essential container")
			case dep.Condition == "HEALTHY" && target.HealthCheck == nil:
				return clientErr("Container '%s' has a HEALTHY dependency on '%s', which has no health check.", c.Name, dep.ContainerName)
			}
		}
	}
	return nil
}
