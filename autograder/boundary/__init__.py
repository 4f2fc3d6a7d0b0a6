"""The trusted boundary: the bubblewrap sandbox, its identity on the host, its cgroup and CPU-time deadline,
and the wire (the only serialisation across, with the protocol's message names). With ``autograder/runner``,
this is what SECURITY.md audits. It imports nothing else of the kit."""
