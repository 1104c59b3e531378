package model

import (
	"path"
	"slices"
	"strings"
)

// ulimitNames are the ulimits ECS accepts.
var ulimitNames = []string{"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
	"nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}

// Bounds on what one container definition may ask the agent to read: ECS
// allows ten environment files; secrets are bounded by the task definition's
// size.
const (
	maxEnvironmentFiles = 10
	maxSecrets          = 100
)

// validateVolumes applies ECS's rules to the task's volumes. Kinds of volume
// Slipway cannot provide on a machine of its own are refused rather than
// silently left out.
func validateVolumes(s *TaskSpec) error {
	seen := map[string]bool{}
	for _, v := range s.Volumes {
		if !namePattern.MatchString(v.Name) {
			return clientErr("Invalid volume name '%s': up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.", v.Name)
		}
		if seen[v.Name] {
			return clientErr("Duplicate volume name found: %s. Volume names must be unique within a task definition.", v.Name)
		}
		seen[v.Name] = true
		switch {
		case v.EFSVolumeConfiguration != nil, v.FSxWindowsFileServerVolume != nil:
			return clientErr("Volume '%s': Slipway cannot mount EFS or FSx file systems; use a host path (host.sourcePath) or a Docker volume (dockerVolumeConfiguration).", v.Name)
		case v.ConfiguredAtLaunch != nil && *v.ConfiguredAtLaunch:
			return clientErr("Volume '%s': volumes configured at launch (Amazon EBS) are not supported by Slipway.", v.Name)
		case v.Host != nil && v.DockerVolumeConfiguration != nil:
			return clientErr("Volume '%s' cannot have both host and dockerVolumeConfiguration.", v.Name)
		case v.Host != nil && v.Host.SourcePath != "" && !path.IsAbs(v.Host.SourcePath):
			return clientErr("Volume '%s': host.sourcePath must be an absolute path.", v.Name)
		}
		if d := v.DockerVolumeConfiguration; d != nil {
			scope := d.ScopeOrDefault()
			if scope != VolumeScopeTask && scope != VolumeScopeShared {
				return clientErr("Volume '%s': invalid scope '%s'. Valid values are task and shared.", v.Name, d.Scope)
			}
			if d.Autoprovision != nil && *d.Autoprovision && scope != VolumeScopeShared {
				return clientErr("Volume '%s': autoprovision is only supported for volumes with shared scope.", v.Name)
			}
		}
	}
	return nil
}

// validateRunSettings checks the fields that shape how a container runs.
func validateRunSettings(s *TaskSpec, c *ContainerDefinition) error {
	for _, mp := range c.MountPoints {
		if s.Volume(mp.SourceVolume) == nil {
			return clientErr("Invalid 'mountPoints' setting for container '%s'. The source volume '%s' is not a volume of the task definition.", c.Name, mp.SourceVolume)
		}
		if !path.IsAbs(mp.ContainerPath) {
			return clientErr("Invalid 'mountPoints' setting for container '%s'. containerPath must be an absolute path.", c.Name)
		}
	}
	for _, vf := range c.VolumesFrom {
		ok := slices.ContainsFunc(s.ContainerDefinitions, func(o ContainerDefinition) bool { return o.Name == vf.SourceContainer })
		if !ok || vf.SourceContainer == c.Name {
			return clientErr("Invalid 'volumesFrom' setting for container '%s'. '%s' is not another container of the task definition.", c.Name, vf.SourceContainer)
		}
	}
	for _, u := range c.Ulimits {
		if !slices.Contains(ulimitNames, u.Name) {
			return clientErr("Invalid 'ulimits' setting for container '%s'. '%s' is not a ulimit; valid names are %s.", c.Name, u.Name, strings.Join(ulimitNames, ", "))
		}
		if u.SoftLimit > u.HardLimit {
			return clientErr("Invalid 'ulimits' setting for container '%s'. The soft limit of '%s' exceeds its hard limit.", c.Name, u.Name)
		}
	}
	if len(c.Secrets) > maxSecrets {
		return clientErr("Invalid 'secrets' setting for container '%s'. At most %d secrets are allowed.", c.Name, maxSecrets)
	}
	for _, sec := range c.Secrets {
		if sec.Name == "" || sec.ValueFrom == "" {
			return clientErr("Invalid 'secrets' setting for container '%s'. Every secret needs a name and a valueFrom.", c.Name)
		}
	}
	if len(c.EnvironmentFiles) > maxEnvironmentFiles {
		return clientErr("Invalid 'environmentFiles' setting for container '%s'. At most %d environment files are allowed.", c.Name, maxEnvironmentFiles)
	}
	for _, ef := range c.EnvironmentFiles {
		if ef.Type != "s3" || ef.Value == "" {
			return clientErr("Invalid 'environmentFiles' setting for container '%s'. Each file needs a value and the type s3.", c.Name)
		}
	}
	if rc := c.RepositoryCredentials; rc != nil && rc.CredentialsParameter == "" {
		return clientErr("Invalid 'repositoryCredentials' setting for container '%s'. credentialsParameter must be specified.", c.Name)
	}
	return nil
}
