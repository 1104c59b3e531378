// Package docker is the Docker runtime: it runs each container of a task as
// a Docker container through the Docker Engine API (github.com/moby/moby/client,
// negotiating the engine's API version: 1.41 for Engine 20.10), the way ECS's
// container agent does on an EC2 instance.
//
// # Images
//
// An image that is on this machine is used as it is: nothing asks a registry
// whether it is current, so images built or loaded locally just work. A
// missing image is pulled (with repositoryCredentials as Spec.RegistryAuth);
// when that fails the task stops with ECS's reason, worded
// `CannotPullContainerError: pull image "NAME": <the engine's error>`,
// followed by what to do instead: build or load the image here and give it
// that name (`docker tag IMAGE NAME`, or `docker load -i IMAGE.tar`).
//
// # Containers
//
// A container is named as ECS's agent names it,
// ecs-FAMILY-REVISION-CONTAINER-TASKID, and labelled with its task
// (dev.slipway.task-arn, dev.slipway.task-id, dev.slipway.container), the
// store that started it (dev.slipway.store, Options.StoreID), its role
// (dev.slipway.role: container, network or volume), the definition's
// dockerLabels and ECS's com.amazonaws.ecs.* labels. entryPoint and command
// replace the image's ENTRYPOINT and CMD only where given; environment,
// workingDirectory, user, readonlyRootFilesystem, ulimits, stopTimeout and
// linuxParameters.initProcessEnabled (the engine's init as PID 1) map to the
// engine's settings of the same meaning. The container's health check
// becomes its HEALTHCHECK: the engine runs it and the handle reports the
// engine's verdict (runtime.HealthWatcher), following health_status events on
// one stream per runtime. Engines before API 1.44 have no start interval, so
// during startPeriod they probe every interval (the process runtime probes
// every second there).
//
// Output stays in the engine's json-file log, bounded like the process
// runtime's logs (two files of Spec.LogMaxBytes); failure reasons read its
// tail (runtime.LogTailer) before the container is removed, and the agent
// ships awslogs containers' output from the engine's log stream
// (runtime.LogFollower, see logfollow.go), resuming at a cursor of time and
// count after a restart.
//
// # Resources
//
// As ECS's agent (1.82 and later) applies them: cpu becomes CPU shares
// (2 to 262144; 0 or 1 become 2), memory the hard limit, memoryReservation
// the soft one. Task-level cpu and memory hold the task as a whole: a task
// that has them gets a cgroup of its own, /slipway-tasks/STORE/TASK, the
// cgroup parent of all its containers, with the task's CPU quota and memory
// limit (see taskcgroup.go). The runtime writes those limits into the
// engine's cgroup file system, which it can do only for an engine on this
// machine whose cgroup driver is cgroupfs (v1 or v2); with the systemd
// driver a cgroup parent must be a slice systemd owns. There (New logs
// why) task-level cpu becomes each container's CPU quota (NanoCPUs) and
// task-level memory caps each container that has no lower limit of its
// own, so a one-container task is still limited exactly as ECS limits it
// and a task of several containers at most that per container. A container
// the kernel kills for memory, its own or its task's, ends with exit code
// 137 and ECS's reason `OutOfMemoryError: Container killed due to memory
// usage` (the engine sees only OOM kills of the container's own cgroup; one
// in the task's cgroup is read from its oom_kill count). ReleaseTask
// removes the task's cgroup; PreparedTasks sweeps those left empty by a
// server that died.
//
// # Measurements
//
// The runtime is a runtime.UsageReporter and its handles runtime.UsageSamplers:
// each container is measured from its cgroup (package cgroupstat), found
// once from /proc/<pid>/cgroup of its main process, whose path must name the
// container's id (else the pid is another namespace's): CPU time from
// cpuacct.usage (v1) or cpu.stat (v2), memory as the usage less the inactive
// page cache, what `docker stats` shows. That is three small file reads, no
// fork and no engine call (BenchmarkUsageSample). Where the cgroup cannot be
// read from this process (a remote engine, other namespaces) the engine's
// stats API is asked for one sample instead; Engine 20.10 answers it at its
// next once-a-second collection, so Usage asks for those concurrently.
//
// # Networks
//
// bridge: the container is on the engine's default bridge and each port
// mapping is published on Options.BindIP (127.0.0.1 unless set; the load
// balancer dials loopback), on the hostPort given or, for hostPort 0, one
// the engine picks. host: the container shares the machine's network; its
// ports are the container ports. none: no network.
//
// awsvpc: every task gets a network namespace and an address of its own,
// as on Fargate. PrepareTask creates the task's network holder, a container
// named ecs-FAMILY-REVISION-internal.pause-TASKID (ECS's pause container)
// running `slipway __netholder` (HolderMain: it only waits for SIGTERM), on
// the bridge, publishing every container port of the task unchanged on the
// task's address. The task's containers join the holder's namespace
// (network mode container:HOLDER), so they share the address, reach each
// other on localhost, and any number of tasks of one definition run side by
// side. On one machine the agent gives each task a loopback address of its
// own (127.X.Y.Z; see the agent), so the load balancer and clients stay on
// loopback; with several nodes, each node's holders would publish on an
// address of a subnet routed to that node instead (its own /24 on a real
// interface), and target groups of type ip would reach them there unchanged.
// The holder image is built FROM scratch on first use from
// Options.HolderBinary (this executable by default; a dynamically linked one
// is copied with its ELF interpreter and shared libraries), tagged
// slipway/netholder:<hash of its content>. ReleaseTask removes the holder,
// the task's task-scoped volumes and its cgroup once its containers have
// exited.
//
// # Volumes
//
// A host path (host.sourcePath) is bind-mounted. A Docker volume of scope
// shared is mounted by name; a missing one is created when autoprovision is
// set, else the start fails. Task storage (volumes without host and
// dockerVolumeConfiguration, host volumes without a path, and Docker volumes
// of scope task) is a volume named slipway-TASKID-NAME, labelled with the
// task, created with the task's first container and removed by ReleaseTask.
// volumesFrom mounts the volumes of another container of the task.
//
// # Adoption
//
// A Handle's State is the container's id; everything else is read back from
// the engine, so List (runtime.Lister) rebuilds the very State Start
// returned from the labels alone, and finds only this store's containers: a
// server never lists, adopts or stops containers another store started on a
// shared engine. Adopt reports a container that exited while no server
// watched as a *runtime.GoneError with the exit code and reason the engine
// kept; Remove deletes an exited container once the agent recorded it.
// Containers outlive the server (they are the engine's); Close only stops
// watching them.
package docker
